import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM 2.0 provisioning. `principal.idp_user_id` is the IdP's stable id for a user (SCIM `externalId`; at sign-in the
 * value of ATTEST_SCIM_LINK_CLAIM) and links a provisioned user to the principal their sign-ins use. `scim_user`
 * keeps what the IdP provisioned (the SCIM id is its own, so a re-provisioned user gets a new one); activity stays on
 * `principal.disabled_at`, which every credential check already reads. Group names feed `principal.groups`.
 */
export class ScimProvisioning1795630300000 implements MigrationInterface {
  name = 'ScimProvisioning1795630300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE principal ADD COLUMN idp_user_id text`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX principal_idp_user_idx ON principal (tenant_id, idp_user_id) WHERE kind = 'user' AND idp_user_id IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE scim_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        principal_id uuid NOT NULL UNIQUE REFERENCES principal(id) ON DELETE CASCADE,
        user_name text NOT NULL,
        external_id text,
        display_name text,
        profile jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // userName is caseExact=false (RFC 7643 §4.1.1); deleted users free their userName and externalId.
    await queryRunner.query(`CREATE UNIQUE INDEX scim_user_user_name_idx ON scim_user (tenant_id, lower(user_name)) WHERE deleted_at IS NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX scim_user_external_id_idx ON scim_user (tenant_id, external_id) WHERE deleted_at IS NULL AND external_id IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE scim_group (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenant(id),
        display_name text NOT NULL,
        external_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX scim_group_display_name_idx ON scim_group (tenant_id, lower(display_name))`);

    await queryRunner.query(`
      CREATE TABLE scim_group_member (
        group_id uuid NOT NULL REFERENCES scim_group(id) ON DELETE CASCADE,
        scim_user_id uuid NOT NULL REFERENCES scim_user(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, scim_user_id)
      )`);
    await queryRunner.query(`CREATE INDEX scim_group_member_user_idx ON scim_group_member (scim_user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scim_group_member`);
    await queryRunner.query(`DROP TABLE scim_group`);
    await queryRunner.query(`DROP TABLE scim_user`);
    await queryRunner.query(`DROP INDEX principal_idp_user_idx`);
    await queryRunner.query(`ALTER TABLE principal DROP COLUMN idp_user_id`);
  }
}
