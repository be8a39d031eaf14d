import { SCIM_MAX_OPERATIONS, SCIM_MAX_RESULTS, SCIM_SCHEMAS } from './scim-schemas';

/**
 * The discovery documents of RFC 7644 §4: what this service provider supports. Static; `baseUrl` is
 * `<ATTEST_PUBLIC_URL>/scim/v2`.
 */
export function serviceProviderConfig(baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM_SCHEMAS.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: `The static token configured in ATTEST_SCIM_TOKEN, sent as Authorization: Bearer <token>. At most ${SCIM_MAX_OPERATIONS} PATCH operations per request.`,
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
  return [
    {
      schemas: [SCIM_SCHEMAS.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: SCIM_SCHEMAS.user,
      schemaExtensions: [{ schema: SCIM_SCHEMAS.enterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM_SCHEMAS.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: SCIM_SCHEMAS.group,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

function attribute(name: string, options: { type?: string; required?: boolean; uniqueness?: string; mutability?: string; multiValued?: boolean; caseExact?: boolean } = {}): Record<string, unknown> {
  return {
    name,
    type: options.type ?? 'string',
    multiValued: options.multiValued ?? false,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: options.uniqueness ?? 'none',
  };
}

/** Minimal schema documents: the attributes Attest interprets; any other attribute is stored and returned as sent. */
export function schemas(baseUrl: string): Record<string, unknown>[] {
  return [
    {
      schemas: [SCIM_SCHEMAS.schema],
      id: SCIM_SCHEMAS.user,
      name: 'User',
      description: 'User account',
      attributes: [
        attribute('userName', { required: true, uniqueness: 'server' }),
        attribute('externalId', { caseExact: true }),
        attribute('displayName'),
        attribute('active', { type: 'boolean' }),
        attribute('name', { type: 'complex' }),
        attribute('emails', { type: 'complex', multiValued: true }),
        attribute('groups', { type: 'complex', multiValued: true, mutability: 'readOnly' }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${SCIM_SCHEMAS.user}` },
    },
    {
      schemas: [SCIM_SCHEMAS.schema],
      id: SCIM_SCHEMAS.group,
      name: 'Group',
      description: 'Group',
      attributes: [
        attribute('displayName', { required: true, uniqueness: 'server' }),
        attribute('externalId', { caseExact: true }),
        attribute('members', { type: 'complex', multiValued: true }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${SCIM_SCHEMAS.group}` },
    },
  ];
}
