import { z } from 'zod';
import { ScimError, ScimErrorCode } from './scim-errors';
import { applyPatch, parsePatchRequest, type ScimDocument } from './scim-patch';
import { SCIM_SCHEMAS } from './scim-schemas';
import { invalidValue } from './scim-user';

/** A provisioned group: its name feeds the members' `groups`, which ATTEST_ROLE_MAPPING turns into roles. */
export interface ScimGroupState {
  displayName: string;
  externalId: string | null;
  /** SCIM ids of the member users (lower case). */
  memberIds: string[];
}

export interface ScimGroupRecord {
  id: string;
  state: ScimGroupState;
  members: { id: string; display: string }[];
  created: Date;
  lastModified: Date;
}

export const GROUP_READ_ONLY = new Set(['id', 'meta', 'schemas']);
const CANONICAL = ['displayName', 'externalId', 'members'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const memberSchema = z.looseObject({
  value: z.string().trim().min(1).max(256),
  type: z.string().optional(),
});

const groupSchema = z.object({
  displayName: z.string().trim().min(1).max(256),
  externalId: z.string().trim().min(1).max(256).nullish(),
  members: z.array(memberSchema).max(100_000).nullish(),
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a POST or PUT body (or a patched document). Nested groups are not supported: members are users. */
export function groupStateFrom(body: unknown): ScimGroupState {
  if (!isObject(body)) throw new ScimError(ScimErrorCode.InvalidSyntax, 'A Group must be a JSON object.');
  const document: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    document[CANONICAL.find((name) => name.toLowerCase() === key.toLowerCase()) ?? key] = value;
  }
  const parsed = groupSchema.safeParse(document);
  if (!parsed.success) throw invalidValue(parsed.error);
  const memberIds = new Set<string>();
  for (const member of parsed.data.members ?? []) {
    if (member.type !== undefined && member.type.toLowerCase() !== 'user') throw new ScimError(ScimErrorCode.InvalidValue, 'members: only users can be members (no nested groups).');
    if (!UUID.test(member.value)) throw new ScimError(ScimErrorCode.InvalidValue, 'members: a value is not the id of a provisioned user.');
    memberIds.add(member.value.toLowerCase());
  }
  return { displayName: parsed.data.displayName, externalId: parsed.data.externalId ?? null, memberIds: [...memberIds] };
}

export function groupDocument(state: ScimGroupState): ScimDocument {
  return {
    displayName: state.displayName,
    ...(state.externalId === null ? {} : { externalId: state.externalId }),
    members: state.memberIds.map((value) => ({ value })),
  };
}

/** Applies an Okta or Entra PatchOp body to a group (rename, members add/remove/replace). */
export function patchGroupState(state: ScimGroupState, body: unknown): ScimGroupState {
  return groupStateFrom(applyPatch(groupDocument(state), parsePatchRequest(body), GROUP_READ_ONLY));
}

export interface GroupChange {
  fields: string[];
  added: string[];
  removed: string[];
}

/** What changed, by attribute name and member id: what the audit event records. */
export function groupChange(before: ScimGroupState, after: ScimGroupState): GroupChange {
  const fields: string[] = [];
  if (before.displayName !== after.displayName) fields.push('displayName');
  if (before.externalId !== after.externalId) fields.push('externalId');
  const added = after.memberIds.filter((id) => !before.memberIds.includes(id));
  const removed = before.memberIds.filter((id) => !after.memberIds.includes(id));
  if (added.length > 0 || removed.length > 0) fields.push('members');
  return { fields, added, removed };
}

/** RFC 7643 §4.2 Group resource; `excluded` holds lower-case attribute names (Entra asks `excludedAttributes=members`). */
export function toGroupResource(record: ScimGroupRecord, baseUrl: string, excluded: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    schemas: [SCIM_SCHEMAS.group],
    id: record.id,
    displayName: record.state.displayName,
    ...(record.state.externalId === null ? {} : { externalId: record.state.externalId }),
  };
  if (!excluded.has('members')) {
    resource['members'] = record.members.map((member) => ({ value: member.id, display: member.display, $ref: `${baseUrl}/Users/${member.id}`, type: 'User' }));
  }
  if (excluded.has('displayname')) delete resource['displayName'];
  if (excluded.has('externalid')) delete resource['externalId'];
  resource['meta'] = {
    resourceType: 'Group',
    created: record.created.toISOString(),
    lastModified: record.lastModified.toISOString(),
    location: `${baseUrl}/Groups/${record.id}`,
  };
  return resource;
}
