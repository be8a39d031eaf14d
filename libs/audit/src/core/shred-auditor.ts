import type { AuditLeaf } from './audit-event';
import { VerifyFailureCode, type VerifyFailure } from './verify-failure';

/** The event that records a crypto-shredding erasure; `details.keyIds` names the destroyed data subject keys. */
export const DATA_SUBJECT_ERASED_ACTION = 'data_subject.erased';

/** The facts of one event the shred check needs (the whole leaf, or what a worker extracted from it). */
export interface ShredFacts {
  id: string;
  action: string;
  outcome: string;
  /** `payload.raw.keyId`: the data subject key the event's raw content is sealed under. */
  rawKeyId?: string;
  /** `details.keyIds` of a `data_subject.erased` event. */
  erasedKeyIds?: string[];
}

/** What the shred check reads from a leaf. */
export function shredFactsOf(leaf: AuditLeaf): ShredFacts {
  const raw = (leaf.payload as { raw?: { keyId?: unknown } } | undefined)?.raw;
  const keyIds = leaf.action === DATA_SUBJECT_ERASED_ACTION ? (leaf.details as { keyIds?: unknown } | undefined)?.keyIds : undefined;
  return {
    id: leaf.id,
    action: leaf.action,
    outcome: leaf.outcome,
    ...(typeof raw?.keyId === 'string' ? { rawKeyId: raw.keyId } : {}),
    ...(Array.isArray(keyIds) ? { erasedKeyIds: keyIds.filter((key): key is string => typeof key === 'string') } : {}),
  };
}

/**
 * Crypto-shredding as the verifier sees it (issue #14): counts the payloads sealed under keys that a recorded erasure
 * destroyed (they are in the log, verifiably, and unreadable for ever), and fails a log where content is sealed under a
 * key id after its erasure — a destroyed key must never come back.
 */
export class ShredAuditor {
  private readonly destroyed = new Set<string>();
  private readonly sealedUnder = new Map<string, number>();
  erasures = 0;

  observe(facts: ShredFacts): Omit<VerifyFailure, 'seq' | 'eventId'> | undefined {
    if (facts.rawKeyId !== undefined) {
      if (this.destroyed.has(facts.rawKeyId)) {
        return { code: VerifyFailureCode.ShreddedKeyReused, message: `event ${facts.id} seals content under data subject key ${facts.rawKeyId}, erased earlier in the log`, actual: facts.rawKeyId };
      }
      this.sealedUnder.set(facts.rawKeyId, (this.sealedUnder.get(facts.rawKeyId) ?? 0) + 1);
    }
    if (facts.action === DATA_SUBJECT_ERASED_ACTION && facts.outcome === 'success') {
      this.erasures++;
      for (const keyId of facts.erasedKeyIds ?? []) this.destroyed.add(keyId);
    }
    return undefined;
  }

  /** Payloads in the verified events whose key a recorded erasure destroyed. */
  get shreddedPayloads(): number {
    let count = 0;
    for (const keyId of this.destroyed) count += this.sealedUnder.get(keyId) ?? 0;
    return count;
  }
}
