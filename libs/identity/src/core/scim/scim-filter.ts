import { ScimError, ScimErrorCode } from './scim-errors';
import { SCIM_SCHEMAS } from './scim-schemas';

/** The comparison operators Attest evaluates; `gt`/`ge`/`lt`/`le` and `not` are refused as unsupported. */
export type ScimCompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew';
export type ScimFilterValue = string | number | boolean | null;

/**
 * A parsed RFC 7644 §3.4.2.2 filter. `attribute` is the path as written, without the core schema URN prefix
 * (`urn:ietf:params:scim:schemas:core:2.0:User:userName` → `userName`); attribute names are case-insensitive.
 */
export type ScimFilter =
  | { kind: 'compare'; attribute: string; op: ScimCompareOperator; value: ScimFilterValue }
  | { kind: 'present'; attribute: string }
  | { kind: 'and' | 'or'; left: ScimFilter; right: ScimFilter }
  /** `members[value eq "id"]`: some element of the multi-valued attribute matches the inner filter. */
  | { kind: 'valuePath'; attribute: string; filter: ScimFilter };

const MAX_FILTER_LENGTH = 2048;
const MAX_DEPTH = 32;
const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew']);
const UNSUPPORTED_OPERATORS: ReadonlySet<string> = new Set(['gt', 'ge', 'lt', 'le']);
const CORE_PREFIXES = [`${SCIM_SCHEMAS.user}:`, `${SCIM_SCHEMAS.group}:`].map((prefix) => prefix.toLowerCase());

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: '(' | ')' | '[' | ']' };

function invalid(message: string): ScimError {
  return new ScimError(ScimErrorCode.InvalidFilter, message);
}

/** Drops the core schema URN from a fully qualified attribute path; extension URNs stay. */
export function withoutCoreSchema(path: string): string {
  const lower = path.toLowerCase();
  const prefix = CORE_PREFIXES.find((candidate) => lower.startsWith(candidate));
  return prefix ? path.slice(prefix.length) : path;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
    } else if (char === '(' || char === ')' || char === '[' || char === ']') {
      tokens.push({ kind: 'punct', text: char });
      index++;
    } else if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) throw invalid('The filter has an unterminated string.');
      try {
        tokens.push({ kind: 'string', text: JSON.parse(text.slice(index, end + 1)) as string });
      } catch {
        throw invalid('The filter has a string that is not valid JSON.');
      }
      index = end + 1;
    } else {
      const match = /^[A-Za-z0-9_:.$+-]+/.exec(text.slice(index));
      if (!match) throw invalid(`The filter has an unexpected character at position ${index + 1}.`);
      tokens.push({ kind: 'word', text: match[0] });
      index += match[0].length;
    }
  }
  return tokens;
}

class FilterParser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): ScimFilter {
    const filter = this.parseOr(0);
    if (this.position < this.tokens.length) throw invalid('The filter has text after its end.');
    return filter;
  }

  private peekWord(): string | undefined {
    const token = this.tokens[this.position];
    return token?.kind === 'word' ? token.text.toLowerCase() : undefined;
  }

  private expectPunct(text: ')' | ']'): void {
    const token = this.tokens[this.position];
    if (token?.kind !== 'punct' || token.text !== text) throw invalid(`The filter is missing "${text}".`);
    this.position++;
  }

  private parseOr(depth: number): ScimFilter {
    let left = this.parseAnd(depth);
    while (this.peekWord() === 'or') {
      this.position++;
      left = { kind: 'or', left, right: this.parseAnd(depth) };
    }
    return left;
  }

  private parseAnd(depth: number): ScimFilter {
    let left = this.parseUnary(depth);
    while (this.peekWord() === 'and') {
      this.position++;
      left = { kind: 'and', left, right: this.parseUnary(depth) };
    }
    return left;
  }

  private parseUnary(depth: number): ScimFilter {
    if (depth > MAX_DEPTH) throw invalid('The filter is nested too deeply.');
    const token = this.tokens[this.position];
    if (!token) throw invalid('The filter ends too early.');
    if (token.kind === 'punct' && token.text === '(') {
      this.position++;
      const inner = this.parseOr(depth + 1);
      this.expectPunct(')');
      return inner;
    }
    if (token.kind !== 'word') throw invalid('The filter must start with an attribute name.');
    if (token.text.toLowerCase() === 'not') throw invalid('The "not" operator is not supported.');
    this.position++;
    const attribute = withoutCoreSchema(token.text);
    if (!/^[A-Za-z$]/.test(attribute) && !attribute.toLowerCase().startsWith('urn:')) throw invalid('The filter names an invalid attribute.');
    const next = this.tokens[this.position];
    if (next?.kind === 'punct' && next.text === '[') {
      this.position++;
      const filter = this.parseOr(depth + 1);
      this.expectPunct(']');
      return { kind: 'valuePath', attribute, filter };
    }
    const operator = this.peekWord();
    if (operator === undefined) throw invalid(`The filter needs an operator after "${attribute}".`);
    this.position++;
    if (operator === 'pr') return { kind: 'present', attribute };
    if (UNSUPPORTED_OPERATORS.has(operator)) throw invalid(`The "${operator}" operator is not supported.`);
    if (!COMPARE_OPERATORS.has(operator)) throw invalid(`"${operator}" is not a filter operator.`);
    return { kind: 'compare', attribute, op: operator as ScimCompareOperator, value: this.parseValue() };
  }

  private parseValue(): ScimFilterValue {
    const token = this.tokens[this.position++];
    if (!token) throw invalid('The filter ends before its value.');
    if (token.kind === 'string') return token.text;
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
      if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.text)) return Number(token.text);
    }
    throw invalid('Filter values are quoted strings, numbers, true, false or null.');
  }
}

/**
 * Parses the filter subset IdPs send: comparisons (`eq`, `ne`, `co`, `sw`, `ew`), `pr`, `and`, `or`, parentheses and
 * value paths such as `members[value eq "…"]`. Refuses anything else with `invalidFilter`.
 *
 * @example
 * parseScimFilter('userName eq "alice@example.com"') // { kind: 'compare', attribute: 'userName', op: 'eq', value: 'alice@example.com' }
 */
export function parseScimFilter(text: string): ScimFilter {
  if (text.length > MAX_FILTER_LENGTH) throw invalid(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const tokens = tokenize(text);
  if (tokens.length === 0) throw invalid('The filter is empty.');
  return new FilterParser(tokens).parse();
}

/** The value at a (case-insensitive, dotted) attribute path of a JSON object. */
export function attributeValue(element: unknown, path: string): unknown {
  let current: unknown = element;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    const key = Object.keys(current).find((candidate) => candidate.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  return current;
}

function compareOne(actual: unknown, op: ScimCompareOperator, expected: ScimFilterValue): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    // Values Attest filters inside resources (types, ids, e-mail addresses) are all caseExact=false or case-free.
    const left = actual.toLowerCase();
    const right = expected.toLowerCase();
    if (op === 'eq') return left === right;
    if (op === 'ne') return left !== right;
    if (op === 'co') return left.includes(right);
    if (op === 'sw') return left.startsWith(right);
    return left.endsWith(right);
  }
  const equal = actual === expected || (expected === null && actual === undefined);
  if (op === 'eq') return equal;
  if (op === 'ne') return !equal;
  return false;
}

/**
 * Evaluates a filter against one JSON element (a PATCH value filter such as `emails[type eq "work"]`, or a member).
 * A multi-valued attribute matches when any of its values does.
 */
export function matchesScimFilter(element: unknown, filter: ScimFilter): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesScimFilter(element, filter.left) && matchesScimFilter(element, filter.right);
    case 'or':
      return matchesScimFilter(element, filter.left) || matchesScimFilter(element, filter.right);
    case 'present': {
      const value = attributeValue(element, filter.attribute);
      return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
    }
    case 'valuePath': {
      const values = attributeValue(element, filter.attribute);
      return Array.isArray(values) && values.some((item) => matchesScimFilter(item, filter.filter));
    }
    case 'compare': {
      const value = attributeValue(element, filter.attribute);
      if (Array.isArray(value)) return value.some((item) => compareOne(item, filter.op, filter.value));
      return compareOne(value, filter.op, filter.value);
    }
    default: {
      const unreachable: never = filter;
      return unreachable;
    }
  }
}
