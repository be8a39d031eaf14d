import { resolve } from 'node:path';
import { booleanFlag, defineConfig } from '@attest/config';
import { z } from 'zod';
import { BUILTIN_MODEL, locateBuiltinModel } from './builtin-model';

/** Where the built-in model is when ATTEST_BUILTIN_MODEL_PATH is unset: this installation's models/builtin. */
export function defaultBuiltinModelPath(): string {
  return locateBuiltinModel(__dirname) ?? resolve('models', 'builtin', BUILTIN_MODEL.fileName);
}

/** The registry namespace. */
export const registryConfig = defineConfig('registry', {
  builtinModelPath: {
    env: 'ATTEST_BUILTIN_MODEL_PATH',
    schema: z.string().min(1).optional(),
    description: `path of the built-in demo GGUF (default: models/builtin/${BUILTIN_MODEL.fileName} of this installation)`,
  },
  registerBuiltinModel: {
    env: 'ATTEST_REGISTER_BUILTIN_MODEL',
    schema: booleanFlag.default(true),
    description: 'true registers the built-in demo model as active on first start when the registry is empty',
  },
});

export type RegistryConfig = ReturnType<typeof registryConfig.load>;
