import type { RoleMappingRule } from '../role-mapping';
import { claimsWithGroups } from '../scim/scim-roles';
import { externalIdentityFromClaims, type ExternalIdentity } from '../token-identity';
import type { Claims } from '../role-mapping';
import { SamlLoginError, SamlRejection } from './saml-rejection';

const TRANSIENT_NAME_ID = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** Attributes that name the user for display, most specific first (Entra ID, eduPerson/LDAP OID, plain names). */
const DISPLAY_NAME_ATTRIBUTES = [
  'http://schemas.microsoft.com/identity/claims/displayname',
  'urn:oid:2.16.840.1.113730.3.1.241',
  'displayName',
  'displayname',
  'name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
/** Entra ID app roles (rules with claim `roles` match them, as they match the `roles` claim of an OIDC token). */
const ROLE_ATTRIBUTES = ['http://schemas.microsoft.com/ws/2008/06/identity/claims/role', 'roles', 'Role'];
/** Entra ID's object id: ATTEST_SCIM_LINK_CLAIM=oid links SAML sign-ins to SCIM-provisioned users as it does for OIDC. */
const OBJECT_ID_ATTRIBUTE = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

/** What the SAML library hands over once signature, audience, times and InResponseTo have been checked. */
export interface ValidatedSamlProfile {
  /** The assertion's Issuer. */
  issuer: string;
  nameID?: string;
  nameIDFormat?: string;
  sessionIndex?: string;
  /** Attribute name → value(s), as the assertion's AttributeStatement carries them. */
  attributes?: Record<string, unknown>;
}

function strings(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string => typeof item === 'string' && item.length > 0);
}

function firstString(attributes: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const [value] = strings(attributes[name]);
    if (value) return value.slice(0, 256);
  }
  return undefined;
}

/**
 * The sign-in's claims in the shape the OIDC role mapping reads: `iss` the IdP entity id, `sub` the NameID, the
 * configured groups attributes merged under the groups claim (ATTEST_OIDC_GROUPS_CLAIM, so the same
 * ATTEST_ROLE_MAPPING rules apply), Entra app roles under `roles`. No e-mail: users are never keyed by it.
 *
 * @example
 * samlClaims({ issuer: 'https://idp', nameID: 'u-1', attributes: { groups: ['admins'] } }, ['groups'], 'groups')
 * // { iss: 'https://idp', sub: 'u-1', groups: ['admins'] }
 */
export function samlClaims(profile: ValidatedSamlProfile, groupsAttributes: readonly string[], groupsClaim: string): Claims {
  if (!profile.nameID) throw new SamlLoginError(SamlRejection.NameIdMissing);
  if (profile.nameIDFormat === TRANSIENT_NAME_ID) throw new SamlLoginError(SamlRejection.NameIdTransient);
  const attributes = profile.attributes ?? {};
  const groups = [...new Set(groupsAttributes.flatMap((name) => strings(attributes[name])))];
  const roles = [...new Set(ROLE_ATTRIBUTES.flatMap((name) => strings(attributes[name])))];
  const name = firstString(attributes, DISPLAY_NAME_ATTRIBUTES);
  const oid = firstString(attributes, [OBJECT_ID_ATTRIBUTE]);
  const claims: Claims = {
    iss: profile.issuer,
    sub: profile.nameID,
    ...(name ? { name } : {}),
    ...(roles.length > 0 ? { roles } : {}),
    ...(oid ? { oid } : {}),
  };
  return claimsWithGroups(claims, groups, groupsClaim);
}

/**
 * The identity a SAML sign-in proves, with roles from the same rules as OIDC; NO_ROLE_MAPPED when none matches.
 * `provisionedGroups` are the user's SCIM groups, counted like the assertion's own.
 */
export function samlIdentity(claims: Claims, provisionedGroups: readonly string[], rules: readonly RoleMappingRule[], groupsClaim: string): ExternalIdentity {
  return externalIdentityFromClaims(claimsWithGroups(claims, provisionedGroups, groupsClaim), rules, groupsClaim);
}

/** How a SAML user is keyed in the principal table: IdP entity id and NameID (never the e-mail), apart from OIDC subjects. */
export function samlSubject(identity: Pick<ExternalIdentity, 'issuer' | 'subject'>): string {
  return `saml:${identity.issuer}#${identity.subject}`;
}
