import type { Role } from '../core/principal';
import { onlyRow, returnedRows, type SqlRunner } from './sql-runner';

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
}

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
    const rows = await this.sql.query<SessionWithPrincipal[]>(
      `SELECT s.id, s.tenant_id AS "tenantId", s.principal_id AS "principalId", s.issuer, s.idp_session_id AS "idpSessionId",
              s.id_token AS "idToken", s.expires_at AS "expiresAt", s.ended_at AS "endedAt",
              p.kind AS "principalKind", p.subject AS "principalSubject", p.display_name AS "principalDisplayName",
              p.roles AS "principalRoles", p.groups AS "principalGroups", p.disabled_at AS "principalDisabledAt"
       FROM auth_session s JOIN principal p ON p.id = s.principal_id
       WHERE s.token_hash = $1`,
      [tokenHash],
    );
    return rows[0];
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
