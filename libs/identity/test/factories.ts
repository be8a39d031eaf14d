import type { AuditActor } from '@attest/contracts';
import { identityConfig, type IdentityConfig } from '../src/core/identity.config';

export function testConfig(overrides: Partial<IdentityConfig> = {}): IdentityConfig {
  return { ...identityConfig.load({}), ...overrides };
}

export function adminActor(overrides: Partial<AuditActor> = {}): AuditActor {
  return { principalId: 'cli', kind: 'system', tenant: 'default', authMethod: 'cli', ...overrides };
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private current = new Date('2026-01-01T00:00:00Z')) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Empties identity's tables between tests (DELETE, not TRUNCATE: other libs' append-only tables reference principal). */
export async function resetIdentityTables(dataSource: { query(sql: string): Promise<unknown> }): Promise<void> {
  for (const table of ['scim_group_member', 'scim_group', 'scim_user', 'auth_login_attempt', 'auth_session', 'api_key', 'principal']) await dataSource.query(`DELETE FROM ${table}`);
}
