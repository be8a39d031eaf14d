import { booleanFlag, defineConfig } from '@attest/config';
import { resolve } from 'node:path';
import { z } from 'zod';
import { networkZonesSchema } from './network-zones';

/** The `policy` namespace: where bundles come from, whether they must be signed, how often replicas look for a new one. */
export const policyConfig = defineConfig('policy', {
  dir: {
    env: 'ATTEST_POLICY_DIR',
    schema: z
      .string()
      .min(1)
      .default('policies')
      .transform((dir) => resolve(dir)),
    description: 'folder with attest.cedarschema and the .cedar policies, used while no bundle is activated in the database (default policies)',
  },
  requireSignature: {
    env: 'ATTEST_POLICY_REQUIRE_SIGNATURE',
    schema: booleanFlag.default(false),
    description: 'true to refuse any bundle without a valid Ed25519 signature (bundle.sig) by ATTEST_POLICY_PUBLIC_KEY_FILE',
  },
  publicKeyFile: {
    env: 'ATTEST_POLICY_PUBLIC_KEY_FILE',
    schema: z.string().min(1).optional(),
    description: 'path to the PEM Ed25519 public key that signs policy bundles',
  },
  reloadMs: {
    env: 'ATTEST_POLICY_RELOAD_MS',
    schema: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    description: 'milliseconds between checks for a newly activated bundle or changed policy files (0 turns reloading off; max 3600000)',
  },
  tenant: {
    env: 'ATTEST_POLICY_TENANT',
    schema: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a tenant id').default('default'),
    description: 'tenant whose activated bundle this gateway enforces (default default)',
  },
  networkZones: {
    env: 'ATTEST_POLICY_NETWORK_ZONES',
    schema: z
      .string()
      .default('{}')
      .transform((text, context) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'expected JSON such as {"internal":["10.0.0.0/8"]}' });
          return z.NEVER;
        }
      })
      .pipe(networkZonesSchema),
    description: 'JSON {zone: [CIDR, ...]} naming client networks for policies (context.sourceNetwork); unlisted addresses are "internet" (default {})',
  },
});

export type PolicyConfig = ReturnType<typeof policyConfig.load>;
