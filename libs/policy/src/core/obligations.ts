import type { PolicyObligations } from './policy.types';
import { mergeQuotas, parseQuotaArgument, type QuotaMetric, type QuotaObligation } from './quota';

/**
 * One clause of an `@obligation` annotation. The annotation holds `;`-separated clauses, because Cedar allows each
 * annotation key once per policy:
 *   `@obligation("redact:PERSON,EMAIL_ADDRESS; max_tokens:1024; store_raw_content:false")`
 * Quotas: `requests_per_minute:key=60`, `tokens_per_day:tenant=5000000` (scopes key, team, tenant).
 */
export type ObligationClause =
  | { kind: 'redact'; types: string[] }
  | { kind: 'max_tokens'; cap: number }
  | { kind: 'store_raw_content'; allowed: boolean }
  | { kind: 'quota'; quota: QuotaObligation };

const PII_TYPE = /^[A-Z][A-Z0-9_]*$/;

/** Parses an `@obligation` annotation value; returns the clauses or the problems found. */
export function parseObligationAnnotation(value: string): { clauses: ObligationClause[]; problems: string[] } {
  const clauses: ObligationClause[] = [];
  const problems: string[] = [];
  for (const raw of value.split(';')) {
    const clause = raw.trim();
    if (clause === '') continue;
    const colon = clause.indexOf(':');
    const kind = colon < 0 ? clause : clause.slice(0, colon).trim();
    const argument = colon < 0 ? '' : clause.slice(colon + 1).trim();
    switch (kind) {
      case 'redact': {
        const types = argument.split(',').map((type) => type.trim()).filter((type) => type !== '');
        const wrong = types.filter((type) => !PII_TYPE.test(type));
        if (types.length === 0 || wrong.length > 0) {
          problems.push(`obligation "${clause}": expected redact:TYPE[,TYPE...] with upper-case entity types`);
        } else clauses.push({ kind, types });
        break;
      }
      case 'max_tokens': {
        const cap = /^[1-9][0-9]{0,8}$/.test(argument) ? Number(argument) : NaN;
        if (Number.isNaN(cap)) problems.push(`obligation "${clause}": expected max_tokens:<positive whole number>`);
        else clauses.push({ kind, cap });
        break;
      }
      case 'store_raw_content':
        if (argument !== 'true' && argument !== 'false') {
          problems.push(`obligation "${clause}": expected store_raw_content:true or store_raw_content:false`);
        } else clauses.push({ kind, allowed: argument === 'true' });
        break;
      case 'requests_per_minute':
      case 'tokens_per_day': {
        const quota = parseQuotaArgument(kind as QuotaMetric, argument);
        if (!quota) problems.push(`obligation "${clause}": expected ${kind}:key=N, ${kind}:team=N or ${kind}:tenant=N`);
        else clauses.push({ kind: 'quota', quota });
        break;
      }
      default:
        problems.push(
          `obligation "${clause}": unknown kind "${kind}" (known: redact, max_tokens, store_raw_content, requests_per_minute, tokens_per_day)`,
        );
    }
  }
  if (clauses.length === 0 && problems.length === 0) problems.push('empty @obligation annotation');
  return { clauses, problems };
}

/** Obligations when no permit asks for anything. */
export function noObligations(): PolicyObligations {
  return { redact: [], storeRawContent: true };
}

/**
 * Merges the clauses of every matched permit, the strictest winning: redaction types are united, the smallest token
 * cap applies, and one `store_raw_content:false` suffices to keep content out of the audit log.
 */
export function mergeObligations(clauseLists: readonly (readonly ObligationClause[])[]): PolicyObligations {
  const redact = new Set<string>();
  let maxTokensCap: number | undefined;
  let storeRawContent = true;
  const quotas: QuotaObligation[] = [];
  for (const clauses of clauseLists) {
    for (const clause of clauses) {
      switch (clause.kind) {
        case 'redact':
          for (const type of clause.types) redact.add(type);
          break;
        case 'max_tokens':
          maxTokensCap = maxTokensCap === undefined ? clause.cap : Math.min(maxTokensCap, clause.cap);
          break;
        case 'store_raw_content':
          storeRawContent &&= clause.allowed;
          break;
        case 'quota':
          quotas.push(clause.quota);
          break;
      }
    }
  }
  const merged: PolicyObligations = { redact: [...redact].sort(), storeRawContent };
  if (maxTokensCap !== undefined) merged.maxTokensCap = maxTokensCap;
  if (quotas.length > 0) merged.quotas = mergeQuotas(quotas);
  return merged;
}

/** `redact:PERSON,EMAIL_ADDRESS`-style strings for the audit event's `policy.obligations`. */
export function describeObligations(obligations: PolicyObligations): string[] {
  const lines: string[] = [];
  if (obligations.redact.length > 0) lines.push(`redact:${obligations.redact.join(',')}`);
  if (obligations.maxTokensCap !== undefined) lines.push(`max_tokens:${obligations.maxTokensCap}`);
  if (!obligations.storeRawContent) lines.push('store_raw_content:false');
  for (const quota of obligations.quotas ?? []) lines.push(`${quota.metric}:${quota.scope}=${quota.limit}`);
  return lines;
}
