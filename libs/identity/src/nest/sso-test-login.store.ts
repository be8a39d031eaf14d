import type { Claims } from '../core/role-mapping';
import type { RoleMappingPreview } from '../core/role-mapping-preview';

/** One SSO test login's outcome: the ID token's claims (never the token) and what the role mapping makes of them. */
export interface StoredTestLogin {
  /** The portal session that started the test login: only it may read the result. */
  sessionId: string;
  tenant: string;
  claims: Claims;
  preview: RoleMappingPreview;
  createdAt: Date;
  expiresAt: Date;
}

/** Where test-login results wait for the portal to fetch them; short-lived by design. */
export interface SsoTestLoginStore {
  put(id: string, result: StoredTestLogin, now: Date): void;
  /** The result, or undefined once it has expired (expired results are forgotten). */
  get(id: string, now: Date): StoredTestLogin | undefined;
}

const MAX_RESULTS = 1_000;

/**
 * In this process's memory: claims are personal data, kept minutes and never written to disk or the log. With several
 * gateway replicas, the callback and the portal's fetch of the result must reach the same one (a sticky load balancer
 * does that); a shared table would remove that need (it needs a migration, not added here).
 */
export class MemorySsoTestLoginStore implements SsoTestLoginStore {
  private readonly results = new Map<string, StoredTestLogin>();

  put(id: string, result: StoredTestLogin, now: Date): void {
    this.sweep(now);
    // A flood of test logins must not grow memory without bound: the oldest result goes first.
    if (this.results.size >= MAX_RESULTS) {
      const oldest = this.results.keys().next();
      if (!oldest.done) this.results.delete(oldest.value);
    }
    this.results.set(id, result);
  }

  get(id: string, now: Date): StoredTestLogin | undefined {
    const result = this.results.get(id);
    if (result && result.expiresAt <= now) {
      this.results.delete(id);
      return undefined;
    }
    return result;
  }

  private sweep(now: Date): void {
    for (const [id, result] of this.results) if (result.expiresAt <= now) this.results.delete(id);
  }
}
