import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SAML 2.0 portal sign-in. `saml_login_request` keeps each AuthnRequest's id server-side, bound to a hash of the
 * browser's SAML login cookie, so a response is accepted only as the answer to a request this browser started
 * (InResponseTo), and only once. `saml_consumed_assertion` holds assertion IDs already used until their NotOnOrAfter
 * has passed (SAML profiles §4.1.4.5): a replayed assertion is refused on every replica.
 */
export class SamlReplay1795640300000 implements MigrationInterface {
  name = 'SamlReplay1795640300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE saml_login_request (
        request_id text PRIMARY KEY,
        browser_hash text NOT NULL,
        return_to text NOT NULL DEFAULT '/',
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX saml_login_request_expiry_idx ON saml_login_request (expires_at)`);

    await queryRunner.query(`
      CREATE TABLE saml_consumed_assertion (
        issuer text NOT NULL,
        assertion_id text NOT NULL,
        consumed_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (issuer, assertion_id)
      )`);
    await queryRunner.query(`CREATE INDEX saml_consumed_assertion_expiry_idx ON saml_consumed_assertion (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE saml_consumed_assertion`);
    await queryRunner.query(`DROP TABLE saml_login_request`);
  }
}
