import { BadRequestException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { IdentityConfig } from '../core/identity.config';
import type { Role } from '../core/principal';
import { subjectParts, type PrincipalSource } from '../core/principal-subject';
import { explainClaimsMapping, type Claims } from '../core/role-mapping';
import { previewRoleMapping, type RoleMappingPreview } from '../core/role-mapping-preview';
import { claimsWithGroups } from '../core/scim/scim-roles';
import { DirectoryRepository, type DirectoryPrincipalRow } from './directory.repository';

const GROUP_LIMIT = 1_000;

export interface PrincipalView {
  id: string;
  kind: 'user' | 'service';
  displayName: string;
  source: PrincipalSource;
  /** IdP issuer (OIDC) or entity id (SAML); users are identified by issuer + subject, never by e-mail. */
  issuer: string | null;
  subject: string;
  status: 'active' | 'deactivated';
  /** Roles as last mapped (at the last sign-in, SCIM change or key issue). */
  roles: Role[];
  /** Groups as last stored: the IdP's groups at sign-in and SCIM-provisioned ones. */
  groups: string[];
  scimUserName: string | null;
  scimGroups: string[];
  activeKeys: number;
  createdAt: Date;
  updatedAt: Date;
  lastSeenAt: Date | null;
  deactivatedAt: Date | null;
}

export interface PrincipalPage {
  principals: PrincipalView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface GroupsView {
  /** SCIM-provisioned groups, with the roles ATTEST_ROLE_MAPPING gives their members. */
  scimGroups: { id: string; displayName: string; externalId: string | null; members: number; activeMembers: number; roles: Role[]; createdAt: Date; updatedAt: Date }[];
  /** Group names stored on principals (from sign-ins and SCIM), with how many principals carry each. */
  seenGroups: { name: string; principals: number; roles: Role[] }[];
  scimConfigured: boolean;
  /** True when there were more groups than one answer lists. */
  truncated: boolean;
}

export interface RoleMappingView {
  rules: { index: number; claim: string; equals: string; roles: Role[] }[];
  /** Where the rules come from: they are configuration, changed by editing it and restarting the gateway. */
  configuredBy: 'ATTEST_ROLE_MAPPING';
  groupsClaim: string;
  scimLinkClaim: string;
  samlGroupsAttributes: string[];
  oidcIssuer: string | null;
  features: { oidcLogin: boolean; oidcBearerTokens: boolean; saml: boolean; scim: boolean };
  /** The SSO test login needs the OIDC login (an IdP client). */
  testLogin: boolean;
}

export type DirectoryConfig = Pick<
  IdentityConfig,
  'roleMapping' | 'oidcGroupsClaim' | 'scimLinkClaim' | 'samlGroupsAttributes' | 'oidcIssuer' | 'scimToken'
>;

export interface PrincipalListRequest {
  cursor?: string;
  limit: number;
  q?: string;
}

/** The opaque keyset cursor: the last row's sort name and id. */
function encodeCursor(row: DirectoryPrincipalRow): string {
  return Buffer.from(JSON.stringify([row.sortName, row.id]), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): { sortName: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID.test(value[1])) return { sortName: value[0], id: value[1] };
  } catch {
    // fall through: a cursor this service did not make
  }
  // A request problem like any other invalid query parameter (the admin API answers those with 400).
  throw new BadRequestException('cursor: not a cursor from this list; start again from the first page.');
}

function viewOf(row: DirectoryPrincipalRow): PrincipalView {
  const { source, issuer, subject } = subjectParts(row.subject);
  return {
    id: row.id,
    kind: row.kind,
    displayName: row.displayName,
    source,
    issuer,
    subject,
    status: row.disabledAt ? 'deactivated' : 'active',
    roles: row.roles,
    groups: row.groups,
    scimUserName: row.scimUserName,
    scimGroups: row.scimGroups,
    activeKeys: row.activeKeys,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastSeenAt: row.lastSeenAt,
    deactivatedAt: row.disabledAt,
  };
}

/**
 * What the portal's people page reads: principals, groups, the role-mapping rules and which IdP features are on, and a
 * preview of the mapping for pasted claims. Read-only: rules are configuration, principals change through sign-in,
 * SCIM and keys.
 *
 * @example
 * const page = await directory.listPrincipals('default', { limit: 50, q: 'alice' });
 */
export class DirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: DirectoryConfig,
    private readonly features: { oidcLogin: boolean; saml: boolean },
  ) {}

  async listPrincipals(tenant: string, request: PrincipalListRequest): Promise<PrincipalPage> {
    const after = request.cursor ? decodeCursor(request.cursor) : undefined;
    const rows = await new DirectoryRepository(this.dataSource).principalPage(tenant, {
      limit: request.limit + 1,
      ...(after ? { after } : {}),
      ...(request.q ? { search: request.q } : {}),
    });
    const page = rows.slice(0, request.limit);
    const last = page.at(-1);
    return { principals: page.map(viewOf), nextCursor: rows.length > request.limit && last ? encodeCursor(last) : null };
  }

  async listGroups(tenant: string): Promise<GroupsView> {
    const repository = new DirectoryRepository(this.dataSource);
    const [scim, seen] = await Promise.all([repository.scimGroups(tenant, GROUP_LIMIT + 1), repository.seenGroups(tenant, GROUP_LIMIT + 1)]);
    return {
      scimGroups: scim.slice(0, GROUP_LIMIT).map((group) => ({ ...group, roles: this.rolesOfGroup(group.displayName) })),
      seenGroups: seen.slice(0, GROUP_LIMIT).map((group) => ({ ...group, roles: this.rolesOfGroup(group.name) })),
      scimConfigured: this.config.scimToken !== undefined,
      truncated: scim.length > GROUP_LIMIT || seen.length > GROUP_LIMIT,
    };
  }

  roleMapping(): RoleMappingView {
    return {
      rules: this.config.roleMapping.map((rule, index) => ({ index, claim: rule.claim, equals: rule.equals, roles: [...rule.roles] })),
      configuredBy: 'ATTEST_ROLE_MAPPING',
      groupsClaim: this.config.oidcGroupsClaim,
      scimLinkClaim: this.config.scimLinkClaim,
      samlGroupsAttributes: [...this.config.samlGroupsAttributes],
      oidcIssuer: this.config.oidcIssuer ?? null,
      features: {
        oidcLogin: this.features.oidcLogin,
        oidcBearerTokens: this.config.oidcIssuer !== undefined,
        saml: this.features.saml,
        scim: this.config.scimToken !== undefined,
      },
      testLogin: this.features.oidcLogin,
    };
  }

  /** The sign-in's own mapping applied to pasted claims; pure (no SCIM lookup, nothing stored). */
  preview(claims: Claims): RoleMappingPreview {
    return previewRoleMapping(claims, this.config.roleMapping, this.config.oidcGroupsClaim);
  }

  /** The roles a member of this group gets from the group alone (other claims may add more). */
  private rolesOfGroup(name: string): Role[] {
    const { oidcGroupsClaim, roleMapping } = this.config;
    return explainClaimsMapping(claimsWithGroups({}, [name], oidcGroupsClaim), roleMapping, oidcGroupsClaim).roles;
  }
}
