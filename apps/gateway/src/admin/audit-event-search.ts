import { type AuditLeaf, readLeaf } from '@attest/audit';
import type { DataSource } from 'typeorm';
import { type AuditEventFilter, type FilterContext, filterDetails, hasContentFilter, matches } from './audit-event-filter';

/** Rows read per step backwards when only the event bytes answer a filter. */
const STEP_ROWS = 500;
/** Rows read at most for one page: a rare filter gives a short page and a cursor, never a long scan. */
const MAX_ROWS_PER_PAGE = 10_000;

export interface SearchPage {
  /** Matching events, newest first. */
  events: AuditLeaf[];
  /** Cursor of the next (older) page; null at the start of the log. */
  nextBefore: number | null;
}

interface EventRow {
  seq: string;
  canonical: Buffer;
}

/**
 * Searches one tenant's audit events newest first, paged by log position (keyset on `seq`, never OFFSET: a page costs
 * the same at event 10 and at event 10 million). The columns stored beside each event narrow the indexed query; every
 * event is then decoded from its canonical bytes, which are what the chain proves, and checked against the whole filter.
 */
export class AuditEventSearch {
  constructor(private readonly dataSource: DataSource) {}

  async page(tenant: string, filter: AuditEventFilter, cursor: { before?: number; limit: number }): Promise<SearchPage> {
    const context = await this.contextOf(tenant, filter);
    // Column filters alone: one query of limit+1 rows fills the page. Content filters: steps back until it is full.
    const step = hasContentFilter(filter) ? STEP_ROWS : cursor.limit + 1;
    const found: AuditLeaf[] = [];
    let before = cursor.before;
    let read = 0;
    for (;;) {
      const rows = await this.rows(tenant, filter, before, step);
      for (const row of rows) {
        read++;
        const event = readLeaf(row.canonical);
        if (matches(event, tenant, filter, context)) {
          // One match more than the page holds: there is an older page, starting below the page's last event.
          if (found.length === cursor.limit) return { events: found, nextBefore: found[found.length - 1]?.seq ?? null };
          found.push(event);
        }
        before = Number(row.seq);
      }
      if (rows.length < step) return { events: found, nextBefore: null };
      if (read >= MAX_ROWS_PER_PAGE) return { events: found, nextBefore: before !== undefined && before > 0 ? before : null };
    }
  }

  /** Counts the tenant's events that match, over the whole filter (an export's time range is required there). */
  /** The search as a predicate over decoded events, for an export of exactly what the console shows. */
  async selection(tenant: string, filter: AuditEventFilter): Promise<{ filter: Record<string, string | number>; matches(event: AuditLeaf): boolean }> {
    const context = await this.contextOf(tenant, filter);
    return { filter: filterDetails(filter), matches: (event) => matches(event, tenant, filter, context) };
  }

  async count(tenant: string, filter: AuditEventFilter): Promise<number> {
    const context = await this.contextOf(tenant, filter);
    let matched = 0;
    let before: number | undefined;
    for (;;) {
      const rows = await this.rows(tenant, filter, before, STEP_ROWS);
      for (const row of rows) if (matches(readLeaf(row.canonical), tenant, filter, context)) matched++;
      if (rows.length < STEP_ROWS) return matched;
      before = Number(rows[rows.length - 1]?.seq);
    }
  }

  /** The indexed part: tenant, log position and the columns stored beside each event. */
  private rows(tenant: string, filter: AuditEventFilter, before: number | undefined, limit: number): Promise<EventRow[]> {
    const params: unknown[] = [tenant];
    const where = ['tenant = $1'];
    const add = (condition: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (before !== undefined) add((p) => `seq < ${p}`, before);
    if (filter.action) add((p) => (filter.action?.endsWith('.') ? `starts_with(action, ${p})` : `action = ${p}`), filter.action);
    if (filter.outcome) add((p) => `outcome = ${p}`, filter.outcome);
    if (filter.actor) add((p) => `actor_id = ${p}`, filter.actor);
    if (filter.requestId) add((p) => `request_id = ${p}`, filter.requestId);
    if (filter.from) add((p) => `ts >= ${p}`, filter.from);
    if (filter.to) add((p) => `ts < ${p}`, filter.to);
    params.push(limit);
    return this.dataSource.query(`SELECT seq, canonical FROM audit_event WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`, params);
  }

  /** The principals of the tenant whose identity groups hold the team (principal.groups, as SSO and SCIM keep them). */
  private async contextOf(tenant: string, filter: AuditEventFilter): Promise<FilterContext> {
    if (!filter.team) return {};
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id::text AS id FROM principal WHERE tenant_id = $1 AND $2 = ANY(groups)`, [tenant, filter.team]);
    return { teamMembers: new Set(rows.map((row) => row.id)) };
  }
}
