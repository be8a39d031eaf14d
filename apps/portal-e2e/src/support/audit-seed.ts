import { formatTimestamp, sealEvent, toEventContent } from '@attest/audit';
import type { AuditActor, AuditEventDraft } from '@attest/contracts';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

export interface DatedDraft {
  at: Date;
  draft: AuditEventDraft;
}

/**
 * Appends events with chosen server times, exactly as the writer appends (head locked, dense positions, chained leaf
 * hashes checked by the append trigger), so a spec can put events on past days. The trigger refuses a time earlier than
 * the head's: seed a database before the gateway's writer records anything, oldest first.
 */
export async function appendDatedEvents(dataSource: DataSource, events: DatedDraft[]): Promise<void> {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  await dataSource.transaction(async (manager) => {
    const [head] = (await manager.query(`SELECT origin, size, head_hash, epoch FROM audit_log WHERE id = 1 FOR UPDATE`)) as {
      origin: string;
      size: string;
      head_hash: Buffer;
      epoch: string;
    }[];
    if (!head) throw new Error('the audit log has no head row');
    let prev = head.head_hash;
    const sealed = sorted.map(({ at, draft }, index) => {
      const event = sealEvent(toEventContent(draft, 'hash'), {
        origin: head.origin,
        seq: Number(head.size) + index,
        id: uuidv7(),
        // Distinct, ascending microseconds even for equal times.
        ts: formatTimestamp(at.getTime() * 1000 + (index % 1000)),
        epoch: Number(head.epoch),
        prev,
        writer: 'spec-seed',
      });
      prev = event.hash;
      return event;
    });
    for (const event of sealed) {
      await manager.query(
        `INSERT INTO audit_event (seq, id, ts, epoch, tenant, action, outcome, actor_id, request_id, leaf_hash, prev_hash, canonical)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          event.leaf.seq,
          event.leaf.id,
          event.leaf.ts,
          event.leaf.epoch,
          event.leaf.tenant,
          event.leaf.action,
          event.leaf.outcome,
          event.leaf.actor.principalId,
          event.leaf.requestId ?? null,
          event.hash,
          Buffer.from(event.leaf.prev, 'hex'),
          event.bytes,
        ],
      );
    }
  });
}

export interface InferenceCall {
  at: Date;
  actor: AuditActor;
  requestId: string;
  model?: string;
  version?: string;
  /** Denied requests have no response event. */
  decision?: 'allow' | 'deny';
  policyIds?: string[];
  pii?: Record<string, number>;
  outputPii?: Record<string, number>;
  usage?: { promptTokens: number; completionTokens: number };
  latencyMs?: number;
}

/** The `inference.request` (and, when allowed, `inference.response`) events of one call, as the request path records them. */
export function inferenceEvents(call: InferenceCall): DatedDraft[] {
  const decision = call.decision ?? 'allow';
  const common = {
    actor: call.actor,
    tenant: call.actor.tenant,
    resource: { type: 'model_version', id: `${call.model ?? 'stories260k'}-v`, name: call.model ?? 'stories260k', version: call.version ?? '1' },
    requestId: call.requestId,
    policy: { bundleSha256: 'b'.repeat(64), decision, policyIds: call.policyIds ?? ['baseline.inference'], obligations: [] },
  };
  const request: AuditEventDraft = { ...common, action: 'inference.request', outcome: decision === 'allow' ? 'success' : 'denied', pii: call.pii ?? {}, details: { operation: 'chat' } };
  if (decision === 'deny') return [{ at: call.at, draft: request }];
  const response: AuditEventDraft = {
    ...common,
    action: 'inference.response',
    outcome: 'success',
    pii: call.outputPii ?? {},
    usage: call.usage ?? { promptTokens: 10, completionTokens: 20 },
    latencyMs: call.latencyMs ?? 100,
    details: { operation: 'chat', finishReason: 'stop' },
  };
  return [
    { at: call.at, draft: request },
    { at: new Date(call.at.getTime() + (call.latencyMs ?? 100)), draft: response },
  ];
}

/**
 * A plausible fortnight for the overview's screenshot: three teams' callers on three models, some denials and PII
 * findings, on each of the `days` UTC days before today (deterministic: the same pictures on every run).
 */
export async function seedUsageHistory(dataSource: DataSource, days = 13, now = new Date()): Promise<void> {
  const callers: AuditActor[] = [];
  for (const [name, groups] of [
    ['claims-bot', ['claims']],
    ['legal-assistant', ['legal']],
    ['research-notebook', ['research', 'legal']],
  ] as const) {
    const [row] = (await dataSource.query(`INSERT INTO principal (tenant_id, kind, subject, display_name, groups) VALUES ('default', 'service', $1, $1, $2) RETURNING id`, [
      `seed:${name}`,
      groups,
    ])) as { id: string }[];
    if (!row) throw new Error(`no principal row for ${name}`);
    callers.push({ principalId: row.id, kind: 'service', tenant: 'default', authMethod: 'api_key' });
  }
  const models = ['stories260k', 'llama-3.1-8b-instruct', 'mistral-7b-instruct'];
  const piiTypes = ['EMAIL_ADDRESS', 'PERSON', 'PHONE_NUMBER', 'IBAN_CODE'];
  const pick = <T>(items: readonly T[], index: number): T => items[index % items.length] as T;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const events: DatedDraft[] = [];
  for (let day = days; day >= 1; day--) {
    const calls = 4 + ((day * 7) % 9);
    for (let call = 0; call < calls; call++) {
      const turn = day * 31 + call * 17;
      events.push(
        ...inferenceEvents({
          at: new Date(today - day * 86_400_000 + (8 + call) * 3_600_000),
          actor: pick(callers, turn),
          requestId: `seed-${day}-${call}`,
          model: pick(models, turn >> 1),
          decision: turn % 11 === 0 ? 'deny' : 'allow',
          policyIds: turn % 11 === 0 ? ['access.legal-models-legal-team-only'] : ['baseline.inference'],
          pii: turn % 3 === 0 ? { [pick(piiTypes, turn)]: 1 + (turn % 2) } : {},
          usage: { promptTokens: 40 + (turn % 90), completionTokens: 60 + ((turn * 3) % 140) },
          latencyMs: 80 + ((turn * 13) % 400),
        }),
      );
    }
  }
  await appendDatedEvents(dataSource, events);
}
