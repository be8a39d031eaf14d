import type { Role } from './principal';

/** What listings and the create/rotate/revoke answers show about a key: never the key, never its hash. */
export interface ApiKeySummary {
  id: string;
  tenant: string;
  principalId: string;
  name: string;
  /** `atk_<lookup id>_…`: enough to recognise a key, useless to use it. */
  maskedKey: string;
  roles: Role[];
  modelScopes: string[] | null;
  actionScopes: string[] | null;
  status: 'active' | 'expired' | 'revoked';
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  rotatedFrom: string | null;
}
