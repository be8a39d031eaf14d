import { ConfigError } from '@attest/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { type PiiEngine } from '../core/pii-engine';
import { PiiModule } from './pii.module';
import { PII_ENGINE } from './pii.tokens';

const piiVariables = ['ATTEST_PII_DEFAULT_REGIONS', 'ATTEST_PII_MIN_SCORE', 'ATTEST_PII_NER', 'ATTEST_PII_CUSTOM_RECOGNIZERS'];

async function compile(env: Record<string, string>): Promise<TestingModule> {
  for (const name of piiVariables) delete process.env[name];
  Object.assign(process.env, env);
  return Test.createTestingModule({ imports: [PiiModule] }).compile();
}

describe(PiiModule.name, () => {
  let moduleRef: TestingModule | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    for (const name of piiVariables) delete process.env[name];
  });

  it('provides an engine configured from ATTEST_PII_* variables', async () => {
    moduleRef = await compile({
      ATTEST_PII_DEFAULT_REGIONS: 'de',
      ATTEST_PII_NER: 'none',
      ATTEST_PII_CUSTOM_RECOGNIZERS: JSON.stringify([{ type: 'TICKET', pattern: 'TCK-\\d{6}', score: 0.9 }]),
    });
    const sut = moduleRef.get<PiiEngine>(PII_ENGINE);

    expect(sut.analyze('ruf 030 1234567 an, TCK-123456').map((finding) => finding.type)).toEqual(['PHONE_NUMBER', 'TICKET']);
    expect(sut.supportedEntities).not.toContain('PERSON');
  });

  it('refuses to start with a wrong value and names the variable', async () => {
    await expect(compile({ ATTEST_PII_DEFAULT_REGIONS: 'US,XX' })).rejects.toThrow(ConfigError);
    await expect(compile({ ATTEST_PII_MIN_SCORE: '2' })).rejects.toThrow(/ATTEST_PII_MIN_SCORE/);
    await expect(compile({ ATTEST_PII_CUSTOM_RECOGNIZERS: '{nope' })).rejects.toThrow(/ATTEST_PII_CUSTOM_RECOGNIZERS/);
  });
});
