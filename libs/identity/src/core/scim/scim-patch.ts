import { z } from 'zod';
import { ScimError, ScimErrorCode } from './scim-errors';
import { matchesScimFilter, parseScimFilter, withoutCoreSchema, type ScimFilter } from './scim-filter';
import { SCIM_MAX_OPERATIONS, SCIM_SCHEMAS } from './scim-schemas';

/** A SCIM resource as a JSON document: top-level attributes, extension attributes under their schema URN. */
export type ScimDocument = Record<string, unknown>;

export interface ScimPatchPath {
  /** The extension schema URN of a schema-qualified path (`urn:…:enterprise:2.0:User:manager`); core paths have none. */
  schema?: string;
  attribute: string;
  /** `emails[type eq "work"]`, `members[value eq "…"]`: which values of a multi-valued attribute are meant. */
  filter?: ScimFilter;
  subAttribute?: string;
}

export interface ScimPatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: ScimPatchPath;
  value?: unknown;
}

const KNOWN_EXTENSIONS = [SCIM_SCHEMAS.enterpriseUser.toLowerCase()];
const NAME = '[A-Za-z$][\\w$-]*';
const SIMPLE_PATH = new RegExp(`^(${NAME})(?:\\.(${NAME}))?$`);
const FILTERED_PATH = new RegExp(`^(${NAME})\\[(.+)\\](?:\\.(${NAME}))?$`, 's');

const patchRequestSchema = z.object({
  schemas: z.array(z.string()).optional(),
  Operations: z
    .array(z.object({ op: z.string(), path: z.string().optional(), value: z.unknown().optional() }))
    .min(1)
    .max(SCIM_MAX_OPERATIONS),
});

function invalidPath(path: string): ScimError {
  return new ScimError(ScimErrorCode.InvalidPath, `The PATCH path "${path.slice(0, 200)}" is not supported.`);
}

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, each optionally
 * schema-qualified (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`).
 */
export function parsePatchPath(text: string): ScimPatchPath {
  let rest = withoutCoreSchema(text.trim());
  let schema: string | undefined;
  if (rest.toLowerCase().startsWith('urn:')) {
    // The whole extension object (`path: "urn:…:enterprise:2.0:User"`) is a top-level attribute of the document.
    if (KNOWN_EXTENSIONS.includes(rest.toLowerCase())) return { attribute: rest };
    const bracket = rest.indexOf('[');
    const head = bracket < 0 ? rest : rest.slice(0, bracket);
    const colon = head.lastIndexOf(':');
    schema = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const simple = SIMPLE_PATH.exec(rest);
  if (simple?.[1]) return { ...(schema ? { schema } : {}), attribute: simple[1], ...(simple[2] ? { subAttribute: simple[2] } : {}) };
  const filtered = FILTERED_PATH.exec(rest);
  if (!filtered?.[1] || !filtered[2]) throw invalidPath(text);
  let filter: ScimFilter;
  try {
    filter = parseScimFilter(filtered[2]);
  } catch {
    throw invalidPath(text);
  }
  return { ...(schema ? { schema } : {}), attribute: filtered[1], filter, ...(filtered[3] ? { subAttribute: filtered[3] } : {}) };
}

/**
 * Reads a PatchOp body, as Okta (`"op": "replace"`, no path, value object) and Entra (`"op": "Replace"`, a path,
 * string booleans) send it: op names are case-insensitive.
 */
export function parsePatchRequest(body: unknown): ScimPatchOperation[] {
  const parsed = patchRequestSchema.safeParse(body);
  if (!parsed.success) throw new ScimError(ScimErrorCode.InvalidSyntax, 'A PATCH body needs "Operations": a list of {op, path, value}.');
  if (parsed.data.schemas && !parsed.data.schemas.includes(SCIM_SCHEMAS.patchOp)) {
    throw new ScimError(ScimErrorCode.InvalidSyntax, `A PATCH body's schemas must include ${SCIM_SCHEMAS.patchOp}.`);
  }
  return parsed.data.Operations.map((operation) => {
    const op = operation.op.toLowerCase();
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw new ScimError(ScimErrorCode.InvalidSyntax, `"${operation.op.slice(0, 40)}" is not a PATCH op (add, remove, replace).`);
    if (op !== 'remove' && operation.value === undefined) throw new ScimError(ScimErrorCode.InvalidSyntax, `A PATCH ${op} needs a value.`);
    return { op, ...(operation.path ? { path: parsePatchPath(operation.path) } : {}), ...(operation.value === undefined ? {} : { value: operation.value }) };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Attribute names are case-insensitive (RFC 7643 §2.1): the key already present, or the name as written. */
function keyOf(object: Record<string, unknown>, name: string): string {
  return Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
}

function sameItem(left: unknown, right: unknown): boolean {
  if (isObject(left) && isObject(right)) {
    const leftValue = left[keyOf(left, 'value')];
    const rightValue = right[keyOf(right, 'value')];
    if (leftValue !== undefined && rightValue !== undefined) return String(leftValue).toLowerCase() === String(rightValue).toLowerCase();
  }
  return JSON.stringify(left) === JSON.stringify(right);
}

/** `emails[type eq "work"]` selects nothing yet: the element such a filter describes, to add the value to. */
function elementFromFilter(filter: ScimFilter): Record<string, unknown> | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && !filter.attribute.includes('.')) return { [filter.attribute]: filter.value };
  if (filter.kind === 'and') {
    const left = elementFromFilter(filter.left);
    const right = elementFromFilter(filter.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

class DocumentPatcher {
  constructor(
    private readonly document: ScimDocument,
    /** Attributes a client cannot write (id, meta, ...): operations on them are ignored, as Okta sends `id` back. */
    private readonly readOnly: ReadonlySet<string>,
  ) {}

  apply(operation: ScimPatchOperation): void {
    if (!operation.path) {
      if (operation.op === 'remove') throw new ScimError(ScimErrorCode.NoTarget, 'A PATCH remove needs a path.');
      if (!isObject(operation.value)) throw new ScimError(ScimErrorCode.InvalidSyntax, `A PATCH ${operation.op} without a path needs an object value.`);
      for (const [name, value] of Object.entries(operation.value)) {
        const path = name.toLowerCase().startsWith('urn:') ? { attribute: withoutCoreSchema(name) } : { attribute: name };
        if (path.attribute.includes(':') || /^[A-Za-z$][\w$-]*$/.test(path.attribute)) this.write(operation.op, path, value);
        else throw invalidPath(name);
      }
      return;
    }
    if (operation.op === 'remove') this.remove(operation.path, operation.value);
    else this.write(operation.op, operation.path, operation.value);
  }

  private container(path: ScimPatchPath, create: boolean): Record<string, unknown> | undefined {
    if (!path.schema) return this.document;
    const key = keyOf(this.document, path.schema);
    const existing = this.document[key];
    if (isObject(existing)) return existing;
    if (!create) return undefined;
    const created: Record<string, unknown> = {};
    this.document[key] = created;
    return created;
  }

  private write(op: 'add' | 'replace', path: ScimPatchPath, value: unknown): void {
    if (!path.schema && this.readOnly.has(path.attribute.toLowerCase())) return;
    if (value === null) return this.remove(path, undefined);
    const container = this.container(path, true) ?? this.document;
    const key = keyOf(container, path.attribute);
    const existing = container[key];
    if (path.filter) return this.writeFiltered(container, key, path.filter, path, value);
    if (path.subAttribute) {
      if (Array.isArray(existing)) throw new ScimError(ScimErrorCode.InvalidPath, `"${path.attribute}" is multi-valued: select values with a filter.`);
      const target = isObject(existing) ? existing : {};
      target[keyOf(target, path.subAttribute)] = value;
      container[key] = target;
      return;
    }
    if (op === 'add' && Array.isArray(existing)) {
      const items = Array.isArray(value) ? value : [value];
      container[key] = [...existing, ...items.filter((item) => !existing.some((present) => sameItem(present, item)))];
    } else if (isObject(existing) && isObject(value)) {
      // A complex attribute: the sub-attributes given replace theirs, the others stay (RFC 7644 §3.5.2.3).
      for (const [sub, subValue] of Object.entries(value)) existing[keyOf(existing, sub)] = subValue;
    } else {
      container[key] = value;
    }
  }

  private writeFiltered(container: Record<string, unknown>, key: string, filter: ScimFilter, path: ScimPatchPath, value: unknown): void {
    const list = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
    const matches = list.filter((item) => matchesScimFilter(item, filter));
    if (matches.length === 0) {
      // Entra adds `emails[type eq "work"].value` to a user without a work address: create the element it describes.
      const created = elementFromFilter(filter);
      if (!created) throw new ScimError(ScimErrorCode.NoTarget, `No value of "${path.attribute}" matches the PATCH filter.`);
      const element = path.subAttribute ? { ...created, [path.subAttribute]: value } : isObject(value) ? { ...created, ...value } : undefined;
      if (!element) throw new ScimError(ScimErrorCode.InvalidValue, `A value of "${path.attribute}" must be an object.`);
      container[key] = [...list, element];
      return;
    }
    container[key] = list.map((item) => {
      if (!matches.includes(item) || !isObject(item)) return item;
      if (path.subAttribute) return { ...item, [keyOf(item, path.subAttribute)]: value };
      return isObject(value) ? { ...item, ...value } : item;
    });
  }

  private remove(path: ScimPatchPath, value: unknown): void {
    if (!path.schema && this.readOnly.has(path.attribute.toLowerCase())) return;
    const container = this.container(path, false);
    if (!container) return;
    const key = keyOf(container, path.attribute);
    const existing = container[key];
    if (existing === undefined) return;
    if (path.filter) {
      if (!Array.isArray(existing)) return;
      const { filter, subAttribute } = path;
      container[key] = subAttribute
        ? existing.map((item) => {
            if (!isObject(item) || !matchesScimFilter(item, filter)) return item;
            const kept = { ...item };
            delete kept[keyOf(item, subAttribute)];
            return kept;
          })
        : existing.filter((item) => !matchesScimFilter(item, filter));
      return;
    }
    if (path.subAttribute) {
      if (isObject(existing)) delete existing[keyOf(existing, path.subAttribute)];
      return;
    }
    if (value !== undefined && Array.isArray(existing)) {
      // Entra removes members by value: `{"op":"Remove","path":"members","value":[{"value":"…"}]}`.
      const items = Array.isArray(value) ? value : [value];
      container[key] = existing.filter((present) => !items.some((item) => sameItem(present, item)));
      return;
    }
    delete container[key];
  }
}

/**
 * Applies PATCH operations to a copy of a resource document. The result still has to pass the resource's schema
 * (so `"active": "False"` from Entra becomes `false` there, and removing `userName` is refused there).
 *
 * @example
 * applyPatch({ userName: 'a', active: true }, parsePatchRequest(body), new Set(['id', 'meta']))
 */
export function applyPatch(document: ScimDocument, operations: readonly ScimPatchOperation[], readOnly: ReadonlySet<string>): ScimDocument {
  const copy = structuredClone(document);
  const patcher = new DocumentPatcher(copy, readOnly);
  for (const operation of operations) patcher.apply(operation);
  return copy;
}
