import { ScimError, ScimErrorCode } from './scim-errors';
import { parseScimFilter, type ScimFilter } from './scim-filter';
import { SCIM_MAX_RESULTS, SCIM_SCHEMAS } from './scim-schemas';

/** A list request (RFC 7644 §3.4.2): filter, 1-based startIndex, count, and the attributes left out of the answer. */
export interface ScimListQuery {
  filter: ScimFilter | null;
  startIndex: number;
  count: number;
  /** Lower-case attribute names of `excludedAttributes`. */
  excluded: Set<string>;
}

export interface ScimListParameters {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
  excludedAttributes?: unknown;
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (!/^-?\d{1,9}$/.test(text)) throw new ScimError(ScimErrorCode.InvalidValue, `${name} must be an integer.`);
  return Number(text);
}

/** Reads the query string of a GET on /Users or /Groups. `startIndex` below 1 counts as 1, `count` is clamped (§3.4.2.4). */
export function parseListQuery(query: ScimListParameters): ScimListQuery {
  const startIndex = Math.max(1, integer(query.startIndex, 'startIndex') ?? 1);
  const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, integer(query.count, 'count') ?? 100));
  if (query.filter !== undefined && typeof query.filter !== 'string') throw new ScimError(ScimErrorCode.InvalidFilter, 'Give one filter.');
  const filter = query.filter && query.filter.trim() ? parseScimFilter(query.filter) : null;
  const excluded = new Set(
    typeof query.excludedAttributes === 'string'
      ? query.excludedAttributes
          .split(',')
          .map((name) => name.trim().toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, ''))
          .filter(Boolean)
      : [],
  );
  return { filter, startIndex, count, excluded };
}

export interface ScimListResponse {
  schemas: [typeof SCIM_SCHEMAS.listResponse];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: Record<string, unknown>[];
}

export function listResponse(resources: Record<string, unknown>[], totalResults: number, startIndex: number): ScimListResponse {
  return { schemas: [SCIM_SCHEMAS.listResponse], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
