/** Where a principal comes from, read off its stored subject. */
export type PrincipalSource = 'oidc' | 'saml' | 'scim' | 'local' | 'api_key' | 'other';

export interface SubjectParts {
  source: PrincipalSource;
  /** The IdP's issuer (OIDC) or entity id (SAML); null for principals no IdP vouches for. */
  issuer: string | null;
  /** The IdP's subject (OIDC `sub`, SAML NameID), or the local name. */
  subject: string;
}

/**
 * Splits a stored `principal.subject` into issuer and subject. IdP users are stored as `oidc:<issuer>#<sub>` or
 * `saml:<entity id>#<NameID>`; an OIDC issuer has no fragment (OpenID Connect Discovery §3), so the first `#` ends it.
 * SCIM-provisioned users not yet signed in hold `scim:<uuid>`, person key holders `local:…`, key services `api-key:…`.
 *
 * @example
 * subjectParts('oidc:https://idp.example#00u1') // { source: 'oidc', issuer: 'https://idp.example', subject: '00u1' }
 */
export function subjectParts(stored: string): SubjectParts {
  const colon = stored.indexOf(':');
  const scheme = colon < 0 ? '' : stored.slice(0, colon);
  const rest = stored.slice(colon + 1);
  if (scheme === 'oidc' || scheme === 'saml') {
    const hash = rest.indexOf('#');
    if (hash > 0) return { source: scheme, issuer: rest.slice(0, hash), subject: rest.slice(hash + 1) };
  }
  if (scheme === 'scim') return { source: 'scim', issuer: null, subject: rest };
  if (scheme === 'local') return { source: 'local', issuer: null, subject: rest };
  if (scheme === 'api-key') return { source: 'api_key', issuer: null, subject: rest };
  return { source: 'other', issuer: null, subject: stored };
}
