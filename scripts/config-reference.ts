/**
 * Prints every configuration variable of every namespace as a markdown table (docs/configuration.md is its output):
 * the table is generated from the validated namespaces, so it cannot drift from what start-up accepts.
 *
 *   node scripts/run-ts.cjs scripts/config-reference.ts > docs/configuration.md
 */
import { auditConfig } from '@attest/audit/nest';
import type { ConfigNamespace, ConfigVariable } from '@attest/config';
import { databaseConfig } from '@attest/db';
import { governanceConfig } from '@attest/governance';
import { identityConfig } from '@attest/identity';
import { inferenceConfig } from '@attest/inference';
import { piiConfig } from '@attest/pii';
import { policyConfig } from '@attest/policy';
import { registryConfig } from '@attest/registry';
import { join } from 'node:path';
import type { z } from 'zod';
import { portalConfig } from '../apps/gateway/src/admin/portal.config';
import { serverConfig } from '../apps/gateway/src/gateway.config';

type AnyNamespace = ConfigNamespace<Record<string, ConfigVariable<z.ZodType>>>;
const namespaces = [serverConfig, databaseConfig, identityConfig, registryConfig, inferenceConfig, piiConfig, policyConfig, auditConfig, governanceConfig, portalConfig] as unknown as AnyNamespace[];

/** The value a namespace takes with nothing set, where it has one. */
function defaultOf(namespace: AnyNamespace, key: string): string {
  const variable = namespace.variables[key];
  const parsed = variable?.schema.safeParse(undefined);
  if (!parsed?.success || parsed.data === undefined) return '';
  if (variable?.sensitive) return '(secret)';
  const shown = typeof parsed.data === 'object' ? JSON.stringify(parsed.data) : String(parsed.data);
  // Defaults computed from this checkout's location are shown relative to it.
  return shown.replaceAll(join(__dirname, '..'), '<repo>');
}

const lines = [
  '# Configuration reference',
  '',
  'Every variable Attest reads, by namespace, generated from the validated config namespaces by',
  '`node scripts/run-ts.cjs scripts/config-reference.ts`. A wrong value stops start-up with a message naming the',
  'variable and what is allowed; secrets are never printed.',
  '',
];
for (const namespace of namespaces) {
  lines.push(`## ${namespace.namespace}`, '', '| variable | default | meaning |', '| --- | --- | --- |');
  for (const [key, variable] of Object.entries(namespace.variables)) {
    const fallback = defaultOf(namespace, key).replaceAll('|', '\\|');
    lines.push(`| \`${variable.env}\` | ${fallback ? `\`${fallback}\`` : ''} | ${variable.description.replaceAll('|', '\\|')}${variable.sensitive ? ' (secret)' : ''} |`);
  }
  lines.push('');
}
process.stdout.write(`${lines.join('\n')}`);
