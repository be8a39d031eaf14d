import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import type { ScimFilter, ScimFilterValue } from '../../core/scim/scim-filter';

/** A filterable attribute: the SQL expression it reads and how it compares. */
export interface FilterColumn {
  sql: string;
  type: 'string' | 'boolean';
  /** RFC 7643 caseExact: externalId and ids are exact; userName and displayName are not. */
  caseExact: boolean;
}

/** A multi-valued attribute filtered through a sub-query (`members[value eq "…"]`, `members.value eq "…"`). */
export interface FilterRelation {
  /** `EXISTS (SELECT 1 FROM … WHERE … AND <condition>)` with `%s` where the condition goes. */
  existsSql: string;
  columns: Record<string, FilterColumn>;
}

export interface FilterTable {
  /** Lower-case attribute name → column. */
  columns: Record<string, FilterColumn>;
  /** Lower-case attribute name → relation. */
  relations?: Record<string, FilterRelation>;
}

export const USER_FILTER: FilterTable = {
  columns: {
    id: { sql: 'u.id::text', type: 'string', caseExact: false },
    username: { sql: 'u.user_name', type: 'string', caseExact: false },
    externalid: { sql: 'u.external_id', type: 'string', caseExact: true },
    displayname: { sql: 'u.display_name', type: 'string', caseExact: false },
    active: { sql: '(p.disabled_at IS NULL)', type: 'boolean', caseExact: true },
  },
};

export const GROUP_FILTER: FilterTable = {
  columns: {
    id: { sql: 'g.id::text', type: 'string', caseExact: false },
    displayname: { sql: 'g.display_name', type: 'string', caseExact: false },
    externalid: { sql: 'g.external_id', type: 'string', caseExact: true },
  },
  relations: {
    members: {
      existsSql: 'EXISTS (SELECT 1 FROM scim_group_member fm WHERE fm.group_id = g.id AND %s)',
      columns: { value: { sql: 'fm.scim_user_id::text', type: 'string', caseExact: false } },
    },
  },
};

function unsupported(attribute: string): ScimError {
  return new ScimError(ScimErrorCode.InvalidFilter, `Filtering on "${attribute.slice(0, 100)}" is not supported.`);
}

class SqlFilterBuilder {
  constructor(private readonly parameters: unknown[]) {}

  private parameter(value: unknown): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  build(filter: ScimFilter, table: FilterTable): string {
    switch (filter.kind) {
      case 'and':
      case 'or':
        return `(${this.build(filter.left, table)} ${filter.kind.toUpperCase()} ${this.build(filter.right, table)})`;
      case 'valuePath': {
        const relation = table.relations?.[filter.attribute.toLowerCase()];
        if (!relation) throw unsupported(filter.attribute);
        return relation.existsSql.replace('%s', this.build(filter.filter, { columns: relation.columns }));
      }
      case 'present':
      case 'compare': {
        const [head, sub] = filter.attribute.toLowerCase().split('.', 2) as [string, string | undefined];
        const relation = sub === undefined ? undefined : table.relations?.[head];
        if (relation && sub !== undefined) {
          return relation.existsSql.replace('%s', this.build({ ...filter, attribute: sub }, { columns: relation.columns }));
        }
        const column = table.columns[filter.attribute.toLowerCase()];
        if (!column) throw unsupported(filter.attribute);
        return filter.kind === 'present' ? this.present(column) : this.compare(column, filter.op, filter.value, filter.attribute);
      }
      default: {
        const unreachable: never = filter;
        return unreachable;
      }
    }
  }

  private present(column: FilterColumn): string {
    return column.type === 'boolean' ? `(${column.sql} IS NOT NULL)` : `(${column.sql} IS NOT NULL AND ${column.sql} <> '')`;
  }

  private compare(column: FilterColumn, op: string, value: ScimFilterValue, attribute: string): string {
    if (value === null) {
      if (op === 'eq') return `(${column.sql} IS NULL)`;
      if (op === 'ne') return `(${column.sql} IS NOT NULL)`;
      throw unsupported(attribute);
    }
    if (column.type === 'boolean') {
      if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw new ScimError(ScimErrorCode.InvalidFilter, `"${attribute}" compares with eq or ne and true or false.`);
      return `(${column.sql} ${op === 'eq' ? '=' : '<>'} ${this.parameter(value)}::boolean)`;
    }
    if (typeof value !== 'string') throw new ScimError(ScimErrorCode.InvalidFilter, `"${attribute}" compares with a quoted string.`);
    const left = column.caseExact ? column.sql : `lower(${column.sql})`;
    const right = column.caseExact ? `${this.parameter(value)}::text` : `lower(${this.parameter(value)}::text)`;
    switch (op) {
      case 'eq':
        return `(${left} = ${right})`;
      case 'ne':
        return `(${left} IS DISTINCT FROM ${right})`;
      case 'co':
        return `(strpos(${left}, ${right}) > 0)`;
      case 'sw':
        return `starts_with(${left}, ${right})`;
      case 'ew':
        return `(right(${left}, char_length(${right})) = ${right})`;
      default:
        throw unsupported(attribute);
    }
  }
}

/**
 * Translates a parsed filter into a SQL condition over the attributes `table` allows, appending the values to
 * `parameters` (never interpolated). An attribute outside the table is `invalidFilter`.
 *
 * @example
 * const parameters: unknown[] = ['default'];
 * filterSql(parseScimFilter('userName eq "a@b"'), USER_FILTER, parameters) // '(lower(u.user_name) = lower($2::text))'
 */
export function filterSql(filter: ScimFilter, table: FilterTable, parameters: unknown[]): string {
  return new SqlFilterBuilder(parameters).build(filter, table);
}
