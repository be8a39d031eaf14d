// Public API of @attest/identity: the pure core (no NestJS, no TypeORM).
export { IdentityError, IdentityErrorCode, httpStatusForIdentityError, wwwAuthenticateFor } from './core/identity.errors';
export { ROLES, isRole } from './core/principal';
export type { AuthMethod, Principal, Role } from './core/principal';
export {
  API_KEY_PATTERN,
  API_KEY_PREFIX,
  apiKeyMatchesHash,
  generateApiKey,
  hashApiKey,
  maskedApiKey,
  parseApiKey,
} from './core/api-key-format';
export type { ParsedApiKey } from './core/api-key-format';
export { parseDuration } from './core/duration';
export { assertModelInScope, authorize, isModelInScope } from './core/authorization';
export type { AuthorizationRule } from './core/authorization';
export { explainClaimsMapping, groupsFromClaims, mapClaimsToRoles, normaliseGroup, roleMappingRuleSchema, roleMappingRulesSchema } from './core/role-mapping';
export type { Claims, RoleMappingExplanation, RoleMappingResult, RoleMappingRule, RuleMatch } from './core/role-mapping';
export { previewRoleMapping } from './core/role-mapping-preview';
export type { MatchedRule, RoleMappingPreview } from './core/role-mapping-preview';
export { subjectParts } from './core/principal-subject';
export type { PrincipalSource, SubjectParts } from './core/principal-subject';
export { ALLOWED_JWT_ALGORITHMS, identityConfig } from './core/identity.config';
export type { IdentityConfig } from './core/identity.config';
export { AccessTokenVerifier } from './core/access-token-verifier';
export type { AccessTokenClaims, AccessTokenVerifierOptions } from './core/access-token-verifier';
export { externalIdentityFromClaims, isServiceToken } from './core/token-identity';
export type { ExternalIdentity } from './core/token-identity';
export { presentedCredential, readCookie, SESSION_COOKIE_NAME } from './core/credentials';
export type { PresentedCredential } from './core/credentials';
export { expiryFor, validateApiKeyRequest } from './core/api-key-request';
export type { ApiKeyPolicy, CreateApiKeyRequest, ValidatedApiKeyRequest } from './core/api-key-request';
export type { ApiKeySummary } from './core/api-key-summary';
export { OidcRelyingParty } from './core/oidc-relying-party';
export type { AuthorizationRequest, CompletedLogin, LogoutTokenClaims, OidcRelyingPartyOptions } from './core/oidc-relying-party';
export { clearedCookie, LOGIN_COOKIE_NAME, loginCookie, sessionCookie, TEST_LOGIN_COOKIE_NAME, testLoginCookie } from './core/session-cookies';
export { RATE_LIMIT_WINDOW_MS, rateLimitRetryAfter, rateLimitWindow } from './core/rate-limit';
export type { RateLimitBucket, RateLimitRule } from './core/rate-limit';
export {
  httpStatusForScimError,
  ScimError,
  ScimErrorCode,
  scimErrorBody,
  scimTypeFor,
  SCIM_MEDIA_TYPE,
  SCIM_SCHEMAS,
} from './core/scim';
export type { ScimErrorBody } from './core/scim';
export { DEFAULT_SAML_GROUPS_ATTRIBUTES, readSamlCertificates, samlSettingsFrom } from './core/saml/saml.config';
export type { SamlSettings } from './core/saml/saml.config';
export { SamlLoginError, SamlRejection } from './core/saml/saml-rejection';
export { clearedSamlLoginCookie, SAML_LOGIN_COOKIE_NAME, samlLoginCookie } from './core/saml/saml-cookies';
