import { booleanFlag, defineConfig } from '@attest/config';
import { z } from 'zod';

export const governanceConfig = defineConfig('governance', {
  defaultMaxTokens: {
    env: 'ATTEST_DEFAULT_MAX_TOKENS',
    schema: z.coerce.number().int().min(1).max(32_768).default(256),
    description: 'tokens generated when a request names no max_tokens, 1..32768 (default 256)',
  },
  scanOutput: {
    env: 'ATTEST_SCAN_OUTPUT',
    schema: booleanFlag.default(true),
    description: 'true to count PII in generated text and redact it per the policy obligations (default true)',
  },
});

export type GovernanceConfig = ReturnType<typeof governanceConfig.load>;
