/** The URNs of RFC 7643/7644 that Attest reads and writes. */
export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** RFC 7644 §3.1: SCIM bodies are `application/scim+json`; plain `application/json` is accepted too. */
export const SCIM_MEDIA_TYPE = 'application/scim+json';

/** Most resources one list answer holds (ServiceProviderConfig `filter.maxResults`). */
export const SCIM_MAX_RESULTS = 200;

/** Largest PATCH request: operations per request (Entra sends one member per operation, in batches). */
export const SCIM_MAX_OPERATIONS = 1000;

/** The audit actor of every SCIM act: the IdP, authenticated by the static SCIM bearer token. */
export const SCIM_ACTOR_ID = 'scim';
export const SCIM_AUTH_METHOD = 'scim_token';
