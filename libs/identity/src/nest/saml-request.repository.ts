import { returnedRows, type SqlRunner } from './sql-runner';

export interface NewSamlRequest {
  requestId: string;
  /** sha256 of the browser's SAML login cookie: a response is only accepted from the browser that started the sign-in. */
  browserHash: string;
  returnTo: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** saml_login_request (pending AuthnRequests) and saml_consumed_assertion (assertion IDs already used). */
export class SamlRequestRepository {
  constructor(private readonly sql: SqlRunner) {}

  async insert(request: NewSamlRequest): Promise<void> {
    await this.sql.query(
      `INSERT INTO saml_login_request (request_id, browser_hash, return_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [request.requestId, request.browserHash, request.returnTo, request.issuedAt, request.expiresAt],
    );
  }

  /** The request's IssueInstant if it is pending for this browser and not expired (consumed or not). */
  async issuedAt(requestId: string, browserHash: string, now: Date): Promise<Date | undefined> {
    const rows = await this.sql.query<{ createdAt: Date }[]>(
      `SELECT created_at AS "createdAt" FROM saml_login_request WHERE request_id = $1 AND browser_hash = $2 AND expires_at > $3`,
      [requestId, browserHash, now],
    );
    return rows[0]?.createdAt;
  }

  /** Single use: marks the request answered and returns where the browser goes next; undefined if it already was. */
  async take(requestId: string, browserHash: string, now: Date): Promise<{ returnTo: string } | undefined> {
    const result = await this.sql.query<{ returnTo: string }[] | [{ returnTo: string }[], number]>(
      `UPDATE saml_login_request SET consumed_at = $3
       WHERE request_id = $1 AND browser_hash = $2 AND consumed_at IS NULL AND expires_at > $3
       RETURNING return_to AS "returnTo"`,
      [requestId, browserHash, now],
    );
    return returnedRows(result)[0];
  }

  /**
   * Records the assertion as used; false if it already was (a replay). The row lives until the assertion could no
   * longer pass the time checks anyway, so the table holds only assertions that are still dangerous.
   */
  async consumeAssertion(issuer: string, assertionId: string, keepUntil: Date, now: Date): Promise<boolean> {
    const rows = await this.sql.query<{ assertionId: string }[]>(
      `INSERT INTO saml_consumed_assertion (issuer, assertion_id, consumed_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (issuer, assertion_id) DO NOTHING RETURNING assertion_id AS "assertionId"`,
      [issuer, assertionId, now, keepUntil],
    );
    return rows.length === 1;
  }

  /** Drops requests and consumed assertions that can no longer be used. */
  async prune(now: Date): Promise<void> {
    await this.sql.query(`DELETE FROM saml_login_request WHERE expires_at < $1::timestamptz - interval '1 hour'`, [now]);
    await this.sql.query(`DELETE FROM saml_consumed_assertion WHERE expires_at < $1`, [now]);
  }
}
