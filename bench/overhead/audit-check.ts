/**
 * Zero audit events lost: every response the load generator counted as served (2xx) must have its committed
 * `inference.request` and `inference.response` events, exactly once each, in the instance's audit table.
 */
import type { DataSource } from 'typeorm';

export interface AuditCount {
  /** 2xx responses autocannon saw (with an x-request-id). */
  served: number;
  requestEvents: number;
  responseEvents: number;
  /** Served requests with exactly one successful request event and one successful response event. */
  complete: number;
  /** Served requests missing one of their two events: must be 0. */
  lost: number;
  /** Served requests with an event recorded twice: must be 0. */
  duplicated: number;
  /** Requests still in flight when the load stopped (the client went away): logged, but not counted as served. */
  unservedLogged: number;
  /** Outcomes of the response events of those unserved requests, e.g. { aborted: 3, success: 5 }. */
  unservedOutcomes: Record<string, number>;
}

export async function auditHead(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ seq: string | null }[]>('SELECT max(seq) AS seq FROM audit_event');
  return Number(row?.seq ?? -1);
}

/** Waits until no event has been committed for `quietMs` (requests cut off at the end of a cell finish logging). */
export async function waitForQuietLog(dataSource: DataSource, quietMs = 600, timeoutMs = 15_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let head = await auditHead(dataSource);
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await auditHead(dataSource);
    if (next !== head) {
      head = next;
      quietSince = Date.now();
    }
  }
  return head;
}

interface EventRow {
  request_id: string | null;
  action: string;
  outcome: string;
}

export async function countAuditEvents(dataSource: DataSource, afterSeq: number, servedIds: readonly string[]): Promise<AuditCount> {
  const rows = await dataSource.query<EventRow[]>(
    `SELECT request_id, action, outcome FROM audit_event
     WHERE seq > $1 AND action IN ('inference.request', 'inference.response')`,
    [afterSeq],
  );
  const byRequest = new Map<string, { request: number; response: number; responseOutcome?: string }>();
  for (const row of rows) {
    if (!row.request_id) continue;
    const entry = byRequest.get(row.request_id) ?? { request: 0, response: 0 };
    if (row.action === 'inference.request' && row.outcome === 'success') entry.request += 1;
    if (row.action === 'inference.response') {
      if (row.outcome === 'success') entry.response += 1;
      entry.responseOutcome = row.outcome;
    }
    byRequest.set(row.request_id, entry);
  }
  const served = new Set(servedIds);
  let complete = 0;
  let lost = 0;
  let duplicated = 0;
  for (const id of served) {
    const entry = byRequest.get(id) ?? { request: 0, response: 0 };
    if (entry.request === 1 && entry.response === 1) complete += 1;
    if (entry.request === 0 || entry.response === 0) lost += 1;
    if (entry.request > 1 || entry.response > 1) duplicated += 1;
  }
  const unservedOutcomes: Record<string, number> = {};
  let unservedLogged = 0;
  for (const [id, entry] of byRequest) {
    if (served.has(id)) continue;
    unservedLogged += 1;
    const outcome = entry.responseOutcome ?? 'no response event';
    unservedOutcomes[outcome] = (unservedOutcomes[outcome] ?? 0) + 1;
  }
  return {
    served: served.size,
    requestEvents: rows.filter((row) => row.action === 'inference.request').length,
    responseEvents: rows.filter((row) => row.action === 'inference.response').length,
    complete,
    lost,
    duplicated,
    unservedLogged,
    unservedOutcomes,
  };
}
