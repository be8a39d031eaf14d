import type { JsonValue } from './json-value';

/** Why a value or a byte string has no unambiguous RFC 8785 (JCS) form. */
export enum CanonicalJsonProblem {
  LoneSurrogate = 'lone_surrogate',
  NonFiniteNumber = 'non_finite_number',
  UnsupportedType = 'unsupported_type',
  TooDeep = 'too_deep',
  InvalidUtf8 = 'invalid_utf8',
  NotJson = 'not_json',
  /** The bytes parse, but are not the JCS serialisation of what they parse to (whitespace, key order, duplicate keys, number form, escapes). */
  NotCanonical = 'not_canonical',
}

export class CanonicalJsonError extends Error {
  constructor(
    readonly problem: CanonicalJsonProblem,
    message: string,
    /** JSON-pointer-like location of the offending value, e.g. `/details/reason`. */
    readonly path: string,
  ) {
    super(`${message} at ${path || '/'}`);
    this.name = 'CanonicalJsonError';
  }
}

const MAX_DEPTH = 64;
/** What JSON.stringify escapes in a well-formed string: quote, backslash, C0 controls. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Serialises a JSON value per RFC 8785 (JCS): object members sorted by the UTF-16 code units of their names,
 * ECMAScript number and string serialisation, no whitespace. Refuses what JCS cannot represent unambiguously:
 * lone surrogates (RFC 8785 §3.2.2.2), non-finite numbers (§3.2.2.3), and anything that is not plain JSON data.
 * Object members whose value is `undefined` are left out, as JSON.stringify does.
 *
 * @example
 * canonicalize({ b: 1, a: [true, null, 'x'] }); // '{"a":[true,null,"x"],"b":1}'
 */
export function canonicalize(value: unknown): string {
  return serializeRoot(value);
}

/**
 * The UTF-8 bytes of {@link canonicalize}.
 *
 * @example
 * canonicalBytes({ a: 1 }); // Uint8Array of '{"a":1}'
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}

/**
 * Parses stored bytes and checks that they are exactly JCS(parse(bytes)): valid UTF-8, valid JSON, and already in
 * canonical form (which also rules out duplicate member names, since a re-serialisation keeps only one).
 *
 * @example
 * parseCanonical(Buffer.from('{"a":1}')); // { a: 1 }
 * parseCanonical(Buffer.from('{"a":1,"a":2}')); // throws CanonicalJsonError(NotCanonical)
 */
export function parseCanonical(bytes: Uint8Array): JsonValue {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new CanonicalJsonError(CanonicalJsonProblem.InvalidUtf8, 'bytes are not valid UTF-8', '');
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new CanonicalJsonError(CanonicalJsonProblem.NotJson, `not JSON (${(error as Error).message})`, '');
  }
  if (!isPlainlyCanonical(value, text) && serializeRoot(value) !== text) {
    throw new CanonicalJsonError(CanonicalJsonProblem.NotCanonical, 'bytes differ from the RFC 8785 form of their own parse', '');
  }
  return value;
}

/**
 * A shortcut for the verifier's hot path, true only where {@link serializeRoot} would return `text` without throwing:
 * members already in code-unit order and nesting within MAX_DEPTH make JCS output equal JSON.stringify's, which is then
 * compared as a whole. A lone surrogate can only come from a `\ud…` escape, which JSON.stringify writes back unchanged,
 * so such text takes the full path (as does everything this shortcut does not recognise); the answer never differs.
 */
function isPlainlyCanonical(value: JsonValue, text: string): boolean {
  return !text.includes('\\ud') && membersSorted(value, 0) && JSON.stringify(value) === text;
}

function membersSorted(value: JsonValue, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!membersSorted(item, depth + 1)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    // for-in over a parsed object yields its own keys in Object.keys order (its prototype has no enumerable members).
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!membersSorted(value[key] as JsonValue, depth + 1)) return false;
  }
  return true;
}

// The member/index path of the value being serialised, kept as a stack so the hot path builds no strings; it is only
// joined when an error is thrown.
const pathStack: (string | number)[] = [];
const currentPath = (): string => pathStack.map((part) => `/${part}`).join('');
const fail = (problem: CanonicalJsonProblem, message: string): never => {
  const path = currentPath();
  pathStack.length = 0;
  throw new CanonicalJsonError(problem, message, path);
};

function serializeRoot(value: unknown): string {
  pathStack.length = 0;
  return serialize(value, 0);
}

function serialize(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) return fail(CanonicalJsonProblem.NonFiniteNumber, `number ${value} has no JSON form`);
      // ECMAScript Number::toString is the JCS number form (RFC 8785 §3.2.2.3); -0 becomes 0.
      return JSON.stringify(value);
    case 'string':
      return serializeString(value);
    case 'object':
      if (depth >= MAX_DEPTH) return fail(CanonicalJsonProblem.TooDeep, `nested deeper than ${MAX_DEPTH}`);
      return Array.isArray(value) ? serializeArray(value, depth) : serializeObject(value, depth);
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      break;
  }
  return fail(CanonicalJsonProblem.UnsupportedType, `${typeof value} is not JSON`);
}

function serializeString(value: string): string {
  // A string that is not well-formed UTF-16 holds a lone surrogate (ES2024 String.prototype.isWellFormed).
  if (!value.isWellFormed()) return fail(CanonicalJsonProblem.LoneSurrogate, 'string holds a lone surrogate');
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires (\b \t \n \f \r \" \\, other controls as \u00xx);
  // a string with none of those is only quoted, which is several times cheaper.
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

function serializeArray(values: unknown[], depth: number): string {
  let out = '[';
  for (let index = 0; index < values.length; index++) {
    pathStack.push(index);
    const item = values[index];
    if (item === undefined) fail(CanonicalJsonProblem.UnsupportedType, 'undefined is not JSON');
    out += (index === 0 ? '' : ',') + serialize(item, depth + 1);
    pathStack.pop();
  }
  return `${out}]`;
}

function serializeObject(value: object, depth: number): string {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    fail(CanonicalJsonProblem.UnsupportedType, `${value.constructor?.name ?? 'object'} is not a plain JSON object`);
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    pathStack.push(key);
    out += `${first ? '' : ','}${serializeString(key)}:${serialize(member, depth + 1)}`;
    pathStack.pop();
    first = false;
  }
  return `${out}}`;
}
