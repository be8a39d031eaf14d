/**
 * SCIM request bodies exactly as the IdPs send them, taken from their published examples:
 * - Okta: "SCIM 2.0 protocol reference" (developer.okta.com) — create user,
 *   deactivate with a path-less `replace`, group create, rename (with `id` echoed in the value), members `add` and
 *   `remove` with a `members[value eq "…"]` path.
 * - Entra ID: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID" (learn.microsoft.com)
 *   — create user with the enterprise extension, multi-valued
 *   and single-valued PATCH, disable, group create, `Add`/`Remove` members by value; plus the string booleans
 *   (`"False"`) Entra sends unless the app is flagged `aadOptscim062020`.
 * Only the ids, names and the `externalId` (the IdP's user id, which links sign-ins) are parameters.
 */
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const okta = {
  createUser: (userName: string, externalId: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId,
    groups: [],
    password: '1mz050nq',
    active: true,
  }),
  /** Okta's profile push: the whole user again, with its id, on PUT. */
  replaceUser: (id: string, userName: string, externalId: string, givenName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id,
    userName,
    name: { givenName, familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${givenName} User`,
    locale: 'en-US',
    externalId,
    groups: [],
    active: true,
    meta: { resourceType: 'User' },
  }),
  deactivateUser: () => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }),
  userNameFilter: (userName: string) => `filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
  createGroup: (displayName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] }),
  renameGroup: (id: string, displayName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id, displayName } }] }),
  addMember: (userId: string, display: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display }] }],
  }),
  removeMember: (userId: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] }),
};

export const entra = {
  createUser: (userName: string, externalId: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: `${userName}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  }),
  userNameFilter: (userName: string) => `filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
  updateMultiValued: () => ({
    schemas: [PATCH_OP],
    Operations: [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ],
  }),
  updateUserName: (userName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'userName', value: userName }] }),
  /** Entra's default dialect: booleans as strings. */
  setActive: (active: 'True' | 'False') => ({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: active }] }),
  /** The documented, RFC-conformant form (`aadOptscim062020`). */
  disableUser: () => ({ Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH_OP] }),
  createGroup: (displayName: string, externalId: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId,
    displayName,
    meta: { resourceType: 'Group' },
  }),
  groupFilter: (displayName: string) => `excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`,
  renameGroup: (displayName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: displayName }] }),
  addMember: (userId: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ name: 'addMember', op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }],
  }),
  removeMember: (userId: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ name: 'removeMember', op: 'Remove', path: 'members', value: [{ $ref: null, value: userId }] }],
  }),
};

export interface ScimAnswer {
  status: number;
  contentType: string | null;
  location: string | null;
  body: Record<string, unknown>;
}

/** A SCIM client as the IdPs are: bearer token, `application/scim+json` bodies. */
export function scimClient(baseUrl: string, token: string | undefined) {
  return async function scim(method: string, path: string, body?: unknown, options: { contentType?: string; rawBody?: string } = {}): Promise<ScimAnswer> {
    const headers: Record<string, string> = { accept: 'application/scim+json' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/scim+json; charset=utf-8';
    const response = await fetch(`${baseUrl}/scim/v2${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      location: response.headers.get('location'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
}
