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
  piiEnabled: {
    env: 'ATTEST_PII_ENABLED',
    schema: booleanFlag.default(true),
    description:
      'false skips PII inspection of prompts and answers; every other step, the audit log included, stays on (for measurement or data known to hold none; default true)',
  },
  policyEnabled: {
    env: 'ATTEST_POLICY_ENABLED',
    schema: booleanFlag.default(true),
    description:
      'false admits every request the key\'s model scope allows without a Cedar decision; its audit events name the policy id attest:policy-disabled (default true)',
  },
});

export type GovernanceConfig = ReturnType<typeof governanceConfig.load>;
