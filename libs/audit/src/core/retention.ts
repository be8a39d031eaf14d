import type { AuditLeaf } from './audit-event';
import { fromHex, type Hash } from './hashing';
import { MerkleFrontier } from './merkle-tree';
import { type VerifyFailure, VerifyFailureCode } from './verify-failure';

/** The event that records a retention drop; its details are {@link RetentionDetails}. */
export const RETENTION_APPLIED_ACTION = 'audit.retention_applied';
export const LEGAL_HOLD_SET_ACTION = 'audit.legal_hold_set';
export const LEGAL_HOLD_RELEASED_ACTION = 'audit.legal_hold_released';

/** What a legal hold preserves: events stamped in [coversFrom, coversTo); an open end covers everything that way. */
export interface LegalHoldScope {
  holdId: string;
  coversFrom?: string;
  coversTo?: string;
}

/**
 * The details of an `audit.retention_applied` event: which month left the log, and the Merkle frontier of the first
 * `retainedFrom` leaves, so every later event still chains, proves and verifies against old checkpoints.
 */
export interface RetentionDetails {
  partition: string;
  /** Lower bound of the dropped month (ISO 8601, inclusive); absent for a partition open to the past. */
  coversFrom?: string;
  /** Upper bound (exclusive): every dropped event is older, every remaining one is not. */
  coversTo: string;
  /** The first retained position before this drop, and after it. */
  previousRetainedFrom: number;
  retainedFrom: number;
  retentionMonths: number;
  /** Hex roots of the perfect subtrees that make up the first `retainedFrom` leaves, left to right (RFC 9162 §2.1). */
  frontier: string[];
  /** Hex leaf hash of event `retainedFrom - 1`: the `prev` of the first retained event. */
  lastLeafHash: string;
  /** The legal holds in force when the drop was decided; none of them may cover the dropped month. */
  holdsInForce: LegalHoldScope[];
}

const isIso = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function parseHold(value: unknown): LegalHoldScope | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { holdId, coversFrom, coversTo } = value as Record<string, unknown>;
  if (typeof holdId !== 'string' || (coversFrom !== undefined && !isIso(coversFrom)) || (coversTo !== undefined && !isIso(coversTo))) return undefined;
  return { holdId, coversFrom: coversFrom as string | undefined, coversTo: coversTo as string | undefined };
}

/** The retention details of an event, or undefined when they are not well-formed. */
export function parseRetentionDetails(details: unknown): RetentionDetails | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Record<string, unknown>;
  if (typeof d['partition'] !== 'string' || !isIso(d['coversTo']) || (d['coversFrom'] !== undefined && !isIso(d['coversFrom']))) return undefined;
  if (!isCount(d['previousRetainedFrom']) || !isCount(d['retainedFrom']) || !isCount(d['retentionMonths'])) return undefined;
  if ((d['retainedFrom'] as number) <= (d['previousRetainedFrom'] as number)) return undefined;
  const frontier = d['frontier'];
  if (!Array.isArray(frontier) || !frontier.every((node) => typeof node === 'string' && fromHex(node)?.length === 32)) return undefined;
  if (typeof d['lastLeafHash'] !== 'string' || fromHex(d['lastLeafHash'])?.length !== 32) return undefined;
  const holds = Array.isArray(d['holdsInForce']) ? d['holdsInForce'].map(parseHold) : undefined;
  if (!holds || holds.some((hold) => hold === undefined)) return undefined;
  return { ...(d as unknown as RetentionDetails), holdsInForce: holds as LegalHoldScope[] };
}

/** The tree state just before the first retained event, as the verifier and the prover start from it. */
export interface RetentionAnchor {
  details: RetentionDetails;
  frontier: MerkleFrontier;
  lastLeafHash: Hash;
}

/** Rebuilds the anchor from retention details; undefined when the frontier does not fit `retainedFrom`. */
export function anchorOf(details: RetentionDetails): RetentionAnchor | undefined {
  const nodes = details.frontier.map((node) => fromHex(node) as Hash);
  const frontier = MerkleFrontier.restore(details.retainedFrom, nodes);
  return frontier && { details, frontier, lastLeafHash: fromHex(details.lastLeafHash) as Hash };
}

/** Does a hold cover any instant of [from, to)? (`from` undefined: the range is open to the past.) */
export function holdCovers(hold: LegalHoldScope, from: string | undefined, to: string): boolean {
  const startsBeforeEnd = hold.coversFrom === undefined || Date.parse(hold.coversFrom) < Date.parse(to);
  const endsAfterStart = hold.coversTo === undefined || from === undefined || Date.parse(hold.coversTo) > Date.parse(from);
  return startsBeforeEnd && endsAfterStart;
}

/** `iso` plus whole calendar months, in UTC. */
export function addMonths(iso: string, months: number): Date {
  const date = new Date(iso);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date;
}

/**
 * Replays legal holds and checks every retention event the verifier reads: the retention period it declares (and the
 * verifier's own minimum) had passed, and no hold in force — recorded in the log or declared by the event — covered
 * the dropped month. A drop that broke either rule is reported even though the chain is intact.
 */
export class RetentionAuditor {
  private readonly holds = new Map<string, LegalHoldScope>();
  drops = 0;

  constructor(private readonly minRetentionMonths = 0) {}

  /** Feeds one verified event; returns the failure it reveals, if any. */
  observe(leaf: AuditLeaf): Omit<VerifyFailure, 'seq' | 'eventId'> | undefined {
    const details = leaf.details as Record<string, unknown> | undefined;
    if (leaf.action === LEGAL_HOLD_SET_ACTION && leaf.outcome === 'success') {
      const hold = parseHold(details);
      if (hold) this.holds.set(hold.holdId, hold);
    } else if (leaf.action === LEGAL_HOLD_RELEASED_ACTION && leaf.outcome === 'success' && typeof details?.['holdId'] === 'string') {
      this.holds.delete(details['holdId']);
    } else if (leaf.action === RETENTION_APPLIED_ACTION && leaf.outcome === 'success') {
      return this.checkDrop(leaf);
    }
    return undefined;
  }

  private checkDrop(leaf: AuditLeaf): Omit<VerifyFailure, 'seq' | 'eventId'> | undefined {
    const drop = parseRetentionDetails(leaf.details);
    if (!drop) return { code: VerifyFailureCode.RetentionAnchorMismatch, message: `retention event ${leaf.id} has malformed details` };
    this.drops++;
    const range = `${drop.coversFrom ?? 'the start'} .. ${drop.coversTo}`;
    const inForce = [...this.holds.values(), ...drop.holdsInForce];
    const hidden = [...this.holds.keys()].find((id) => !drop.holdsInForce.some((hold) => hold.holdId === id));
    const covering = inForce.find((hold) => holdCovers(hold, drop.coversFrom, drop.coversTo));
    if (covering || hidden) {
      return {
        code: VerifyFailureCode.RetentionUnderLegalHold,
        message: covering ? `events of ${range} were dropped under legal hold ${covering.holdId}` : `retention event ${leaf.id} omits legal hold ${hidden} that the log shows in force`,
        actual: covering?.holdId ?? hidden,
      };
    }
    const months = Math.max(drop.retentionMonths, this.minRetentionMonths);
    const due = addMonths(drop.coversTo, months);
    if (due.getTime() > Date.parse(leaf.ts)) {
      return { code: VerifyFailureCode.RetentionTooEarly, message: `events of ${range} were dropped on ${leaf.ts}, before their ${months}-month retention ended`, expected: due.toISOString(), actual: leaf.ts };
    }
    return undefined;
  }
}
