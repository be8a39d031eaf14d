import { z } from 'zod';
import { ScimError, ScimErrorCode } from './scim-errors';
import { applyPatch, parsePatchRequest, type ScimDocument } from './scim-patch';
import { SCIM_SCHEMAS } from './scim-schemas';

/**
 * What Attest keeps of a provisioned user. `profile` holds every other attribute as the IdP sent it (name, emails,
 * title, the enterprise extension...), returned as stored; it is personal data and never goes into an audit event.
 */
export interface ScimUserState {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  profile: Record<string, unknown>;
}

/** A stored user as the repository returns it. */
export interface ScimUserRecord {
  id: string;
  state: ScimUserState;
  groups: { id: string; displayName: string }[];
  created: Date;
  lastModified: Date;
}

/** Attributes that are Attest's, or never stored (`password`: Attest has no passwords; sign-in is the IdP's). */
const NOT_STORED = new Set(['schemas', 'id', 'meta', 'groups', 'password']);
/** Read-only for PATCH: operations on them are ignored (Okta echoes `id` in its replace values). */
export const USER_READ_ONLY = new Set(['id', 'meta', 'schemas', 'groups']);
const CORE = ['userName', 'externalId', 'displayName', 'active'] as const;

/** SCIM booleans; Entra sends `"True"` / `"False"` as strings (its PATCH dialect). */
export const scimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .transform((text) => text.trim().toLowerCase())
    .pipe(z.enum(['true', 'false']))
    .transform((text) => text === 'true'),
]);

const userSchema = z.object({
  userName: z.string().trim().min(1).max(256),
  externalId: z.string().trim().min(1).max(256).nullish(),
  displayName: z.string().trim().max(256).nullish(),
  active: scimBoolean.optional(),
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Zod's issue paths name the attribute; its messages never echo the value. */
export function invalidValue(error: z.ZodError): ScimError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return new ScimError(ScimErrorCode.InvalidValue, `${where}${issue?.message ?? 'invalid value'}`);
}

/** Top-level attribute names are case-insensitive: `UserName` is `userName`. */
function canonicalKeys(body: Record<string, unknown>, canonical: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = canonical.find((candidate) => candidate.toLowerCase() === key.toLowerCase()) ?? key;
    out[name] = value;
  }
  return out;
}

/**
 * Reads a POST or PUT body (or a patched document). `active` absent keeps `currentActive` (true for a new user):
 * a PUT that leaves it out neither deactivates nor reactivates.
 */
export function userStateFrom(body: unknown, currentActive = true): ScimUserState {
  if (!isObject(body)) throw new ScimError(ScimErrorCode.InvalidSyntax, 'A User must be a JSON object.');
  const document = canonicalKeys(body, [...CORE, ...NOT_STORED]);
  const parsed = userSchema.safeParse(document);
  if (!parsed.success) throw invalidValue(parsed.error);
  const profile: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    if (!(CORE as readonly string[]).includes(key) && !NOT_STORED.has(key) && value !== null) profile[key] = value;
  }
  return {
    userName: parsed.data.userName,
    externalId: parsed.data.externalId ?? null,
    displayName: parsed.data.displayName || null,
    active: parsed.data.active ?? currentActive,
    profile,
  };
}

export function userDocument(state: ScimUserState): ScimDocument {
  return {
    ...structuredClone(state.profile),
    userName: state.userName,
    ...(state.externalId === null ? {} : { externalId: state.externalId }),
    ...(state.displayName === null ? {} : { displayName: state.displayName }),
    active: state.active,
  };
}

/** Applies an Okta or Entra PatchOp body to a user. */
export function patchUserState(state: ScimUserState, body: unknown): ScimUserState {
  return userStateFrom(applyPatch(userDocument(state), parsePatchRequest(body), USER_READ_ONLY), state.active);
}

/** JSON with object keys sorted: stored profiles come back from jsonb with their keys reordered. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Names (never values) of the attributes that differ: what the audit event records. */
export function changedUserFields(before: ScimUserState, after: ScimUserState): string[] {
  const changed: string[] = CORE.filter((field) => before[field] !== after[field]);
  const keys = new Set([...Object.keys(before.profile), ...Object.keys(after.profile)]);
  for (const key of [...keys].sort()) {
    if (stableJson(before.profile[key]) !== stableJson(after.profile[key])) changed.push(key);
  }
  return changed;
}

/** The name a principal shows: displayName, else `name.formatted`, else the userName. */
export function userDisplayName(state: ScimUserState): string {
  const name = state.profile['name'];
  const formatted = isObject(name) && typeof name['formatted'] === 'string' && name['formatted'].trim() ? name['formatted'].trim() : undefined;
  return (state.displayName ?? formatted ?? state.userName).slice(0, 256);
}

/** RFC 7643 §4.1 User resource with `meta`; `excluded` holds lower-case attribute names (`excludedAttributes`). */
export function toUserResource(record: ScimUserRecord, baseUrl: string, excluded: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const { state } = record;
  const schemas: string[] = [SCIM_SCHEMAS.user];
  if (Object.keys(state.profile).some((key) => key.toLowerCase() === SCIM_SCHEMAS.enterpriseUser.toLowerCase())) schemas.push(SCIM_SCHEMAS.enterpriseUser);
  const resource: Record<string, unknown> = { schemas, id: record.id, ...userDocument(state) };
  if (!excluded.has('groups')) {
    resource['groups'] = record.groups.map((group) => ({ value: group.id, display: group.displayName, $ref: `${baseUrl}/Groups/${group.id}`, type: 'direct' }));
  }
  for (const key of Object.keys(resource)) if (excluded.has(key.toLowerCase()) && key !== 'id' && key !== 'schemas') delete resource[key];
  resource['meta'] = {
    resourceType: 'User',
    created: record.created.toISOString(),
    lastModified: record.lastModified.toISOString(),
    location: `${baseUrl}/Users/${record.id}`,
  };
  return resource;
}
