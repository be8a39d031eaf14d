import { Test } from '@nestjs/testing';
import { InferenceRuntime } from '../core/inference-runtime';
import { InferenceErrorCode } from '../core/inference.errors';
import { localModel, testConfig } from '../core/testing-factories';
import { INFERENCE_CONFIG, InferenceModule } from './inference.module';

describe(InferenceModule.name, () => {
  it('provides a runtime built from the config and closes it on shutdown', async () => {
    const config = testConfig({ sequencesPerModel: 3 });
    const moduleRef = await Test.createTestingModule({ imports: [InferenceModule.forRoot(config)] }).compile();
    const app = await moduleRef.init();
    const sut = app.get(InferenceRuntime);

    const result = await sut.generate(localModel(), { prompt: 'Once upon a time', temperature: 0, maxTokens: 4 });
    const provided = app.get(INFERENCE_CONFIG) as unknown;
    await app.close();

    expect(provided).toBe(config);
    expect(result.usage.completionTokens).toBe(4);
    await expect(sut.generate(localModel(), { prompt: 'a' })).rejects.toMatchObject({ code: InferenceErrorCode.ModelUnavailable });
  });

  it('loads its config from the environment when imported as is', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [InferenceModule] }).compile();

    expect(moduleRef.get(InferenceRuntime)).toBeInstanceOf(InferenceRuntime);
    await moduleRef.close();
  });
});
