import { resolve } from 'node:path';
import { inferenceConfig, type InferenceConfig } from './inference.config';
import type { ModelSpec } from './inference.types';

/** The committed demo model (stories260k, MIT): a real trained model that writes English, 1.2 MB. */
export const storiesModelPath = resolve(__dirname, '../../../../models/builtin/stories260k-f32-v3.gguf');
export const storiesSha256 = '3c4a7c3a8313e00ae6a6b64df717828f4ba18391ea31ffb01abe9a2c4f7bb9a9';

/** Test settings: one thread (2-core CI machines), small contexts so that overflow is cheap to provoke. */
export function testConfig(overrides: Partial<InferenceConfig> = {}): InferenceConfig {
  return { ...inferenceConfig.load({}), threads: 1, contextSize: 512, ...overrides };
}

export function localModel(overrides: Partial<ModelSpec> & { path?: string; sha256?: string } = {}): ModelSpec {
  const { path = storiesModelPath, sha256, ...spec } = overrides;
  return {
    versionId: 'stories-v1',
    name: 'stories260k',
    source: { kind: 'local_gguf', path, ...(sha256 !== undefined ? { sha256 } : {}) },
    ...spec,
  };
}
