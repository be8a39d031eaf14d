import type { Role } from '../core/principal';
import { createHash } from 'node:crypto';
import { onlyRow, returnedRows, type SqlRunner } from './sql-runner';

/** Session tokens, login states and request ids are stored only as this hash (hex SHA-256 of the UTF-8 text). */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export interface SessionWithPrincipal {
  id: string;
  tenantId: string;
  principalId: string;
  issuer: string;
  idpSessionId: string | null;
  idToken: string | null;
  expiresAt: Date;
  endedAt: Date | null;
  principalKind: 'user' | 'service';
  principalSubject: string;
  principalDisplayName: string;
  principalRoles: Role[];
  principalGroups: string[];
  principalDisabledAt: Date | null;
  /** Set for a session signed in with an API key (issuer {@link API_KEY_SESSION_ISSUER}): the key's current state. */
  key: SessionKeyState | null;
}

/** A key-made session is worth what its key is worth now: revoking or expiring the key ends the session's power. */
export interface SessionKeyState {
  id: string;
  roles: Role[];
  modelScopes: string[] | null;
  actionScopes: string[] | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The issuer of sessions signed in with an API key; their `idp_session_id` holds the key's id (no IdP is involved). */
export const API_KEY_SESSION_ISSUER = 'attest:api_key';

type SessionRow = Omit<SessionWithPrincipal, 'key'> & {
  keyId: string | null;
  keyRoles: Role[] | null;
  keyModelScopes: string[] | null;
  keyActionScopes: string[] | null;
  keyExpiresAt: Date | null;
  keyRevokedAt: Date | null;
};

export interface NewSession {
  tokenHash: string;
  tenantId: string;
  principalId: string;
  issuer: string;
  idpSessionId: string | null;
  idToken: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface LoginAttempt {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  expiresAt: Date;
}

/** auth_session and auth_login_attempt; tokens and states are stored only as hashes. */
export class SessionRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(session: NewSession): Promise<string> {
    const rows = await this.sql.query<{ id: string }[]>(
      `INSERT INTO auth_session (token_hash, tenant_id, principal_id, issuer, idp_session_id, id_token, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [session.tokenHash, session.tenantId, session.principalId, session.issuer, session.idpSessionId, session.idToken, session.createdAt, session.expiresAt],
    );
    return onlyRow(rows, 'auth_session insert').id;
  }

  async findByTokenHash(tokenHash: string): Promise<SessionWithPrincipal | undefined> {
    const rows = await this.sql.query<SessionRow[]>(
      `SELECT s.id, s.tenant_id AS "tenantId", s.principal_id AS "principalId", s.issuer, s.idp_session_id AS "idpSessionId",
              s.id_token AS "idToken", s.expires_at AS "expiresAt", s.ended_at AS "endedAt",
              p.kind AS "principalKind", p.subject AS "principalSubject", p.display_name AS "principalDisplayName",
              p.roles AS "principalRoles", p.groups AS "principalGroups", p.disabled_at AS "principalDisabledAt",
              k.id AS "keyId", k.roles AS "keyRoles", k.model_scopes AS "keyModelScopes", k.action_scopes AS "keyActionScopes",
              k.expires_at AS "keyExpiresAt", k.revoked_at AS "keyRevokedAt"
       FROM auth_session s JOIN principal p ON p.id = s.principal_id
       LEFT JOIN api_key k ON s.issuer = $2 AND k.id::text = s.idp_session_id AND k.principal_id = s.principal_id
       WHERE s.token_hash = $1`,
      [tokenHash, API_KEY_SESSION_ISSUER],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { keyId, keyRoles, keyModelScopes, keyActionScopes, keyExpiresAt, keyRevokedAt, ...session } = row;
    const key = keyId
      ? { id: keyId, roles: keyRoles ?? [], modelScopes: keyModelScopes, actionScopes: keyActionScopes, expiresAt: keyExpiresAt, revokedAt: keyRevokedAt }
      : null;
    return { ...session, key };
  }

  /** Ends the session(s) matched by the condition; returns the ids actually ended (already-ended ones are left alone). */
  private async end(where: string, parameters: unknown[], at: Date, reason: string): Promise<{ id: string; principalId: string; tenantId: string }[]> {
    const result = await this.sql.query<{ id: string; principalId: string; tenantId: string }[] | [{ id: string; principalId: string; tenantId: string }[], number]>(
      `UPDATE auth_session SET ended_at = $1, end_reason = $2
       WHERE ended_at IS NULL AND ${where}
       RETURNING id, principal_id AS "principalId", tenant_id AS "tenantId"`,
      [at, reason, ...parameters],
    );
    return returnedRows(result);
  }

  endById(id: string, at: Date, reason: string) {
    return this.end('id = $3', [id], at, reason);
  }

  /** OpenID Connect Back-Channel Logout 1.0 §2.5: `sid` names one IdP session; `sub` alone means all of the user's. */
  endByIdpSession(issuer: string, idpSessionId: string, at: Date, reason: string) {
    return this.end('issuer = $3 AND idp_session_id = $4', [issuer, idpSessionId], at, reason);
  }

  endByPrincipalSubject(issuer: string, subject: string, at: Date, reason: string) {
    return this.end('issuer = $3 AND principal_id IN (SELECT id FROM principal WHERE subject = $4)', [issuer, subject], at, reason);
  }

  endByPrincipal(principalId: string, at: Date, reason: string) {
    return this.end('principal_id = $3', [principalId], at, reason);
  }

  async insertLoginAttempt(stateHash: string, attempt: LoginAttempt): Promise<void> {
    await this.sql.query(`DELETE FROM auth_login_attempt WHERE expires_at < now() - interval '1 hour'`);
    await this.sql.query(`INSERT INTO auth_login_attempt (state_hash, code_verifier, nonce, return_to, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      stateHash,
      attempt.codeVerifier,
      attempt.nonce,
      attempt.returnTo,
      attempt.expiresAt,
    ]);
  }

  /** Single use: the attempt is deleted as it is read, so a replayed callback finds nothing. */
  async takeLoginAttempt(stateHash: string): Promise<LoginAttempt | undefined> {
    const result = await this.sql.query<LoginAttempt[] | [LoginAttempt[], number]>(
      `DELETE FROM auth_login_attempt WHERE state_hash = $1
       RETURNING code_verifier AS "codeVerifier", nonce, return_to AS "returnTo", expires_at AS "expiresAt"`,
      [stateHash],
    );
    return returnedRows(result)[0];
  }
}
