// SCIM 2.0 (RFC 7643/7644) provisioning, pure: resources, filters, PATCH dialects, errors. No NestJS, no TypeORM.
export { httpStatusForScimError, ScimError, ScimErrorCode, scimErrorBody, scimTypeFor } from './scim-errors';
export type { ScimErrorBody } from './scim-errors';
export { SCIM_ACTOR_ID, SCIM_AUTH_METHOD, SCIM_MAX_OPERATIONS, SCIM_MAX_RESULTS, SCIM_MEDIA_TYPE, SCIM_SCHEMAS } from './scim-schemas';
export { attributeValue, matchesScimFilter, parseScimFilter, withoutCoreSchema } from './scim-filter';
export type { ScimCompareOperator, ScimFilter, ScimFilterValue } from './scim-filter';
export { applyPatch, parsePatchPath, parsePatchRequest } from './scim-patch';
export type { ScimDocument, ScimPatchOperation, ScimPatchPath } from './scim-patch';
export { changedUserFields, patchUserState, scimBoolean, toUserResource, userDisplayName, userDocument, userStateFrom } from './scim-user';
export type { ScimUserRecord, ScimUserState } from './scim-user';
export { groupChange, groupStateFrom, patchGroupState, toGroupResource } from './scim-group';
export type { GroupChange, ScimGroupRecord, ScimGroupState } from './scim-group';
export { listResponse, parseListQuery } from './scim-list';
export type { ScimListParameters, ScimListQuery, ScimListResponse } from './scim-list';
export { resourceTypes, schemas, serviceProviderConfig } from './scim-discovery';
export { claimsWithGroups, idpUserIdOf, regroup } from './scim-roles';
export type { PrincipalGroups } from './scim-roles';
export { bearerTokenOf, scimTokenMatches } from './scim-token';
