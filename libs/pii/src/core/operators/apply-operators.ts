import { createHmac } from 'node:crypto';
import { resolveOverlaps } from '../analysis/overlap-resolver';
import { PiiError, PiiErrorCode } from '../pii.errors';
import { type AppliedOperator, type OperatorPolicy, type PiiFinding, type PiiOperator } from '../pii.types';
import { type PseudonymVault } from './pseudonym-vault';

/**
 * A type the policy does not name, with no `'*'`, is left as it is: the policy says what is protected (a policy of
 * `{ EMAIL_ADDRESS: ... }` must not rewrite every date in an answer). Add `'*'` to cover every other type.
 */
const fallbackOperator: PiiOperator = { operator: 'keep' };

/** Checks a policy once, before any text is touched, so a bad policy fails the request and not half a stream. */
export function validatePolicy(policy: OperatorPolicy): void {
  for (const [type, rule] of Object.entries(policy)) {
    const operator = (rule as { operator?: unknown }).operator;
    switch (rule.operator) {
      case 'redact':
      case 'replace':
      case 'pseudonymise':
      case 'keep':
        break;
      case 'mask':
        if (rule.keepLast !== undefined && (!Number.isInteger(rule.keepLast) || rule.keepLast < 0)) {
          throw new PiiError(PiiErrorCode.InvalidPolicy, `policy for ${type}: mask.keepLast must be a whole number >= 0`);
        }
        if (rule.char !== undefined && [...rule.char].length !== 1) {
          throw new PiiError(PiiErrorCode.InvalidPolicy, `policy for ${type}: mask.char must be one character`);
        }
        break;
      case 'hash':
        if (!rule.key || rule.key.length < 16) {
          throw new PiiError(PiiErrorCode.InvalidPolicy, `policy for ${type}: hash needs a key of at least 16 bytes`);
        }
        break;
      default:
        throw new PiiError(PiiErrorCode.InvalidPolicy, `policy for ${type}: unknown operator ${JSON.stringify(operator)}`);
    }
  }
}

/** The operator for one entity type: its own rule, else `'*'`, else `keep`. */
export function operatorFor(policy: OperatorPolicy, type: string): PiiOperator {
  return policy[type] ?? policy['*'] ?? fallbackOperator;
}

/**
 * Applies the policy's operator to every finding (overlaps resolved first) and returns the new text.
 * `redact` removes the value (Presidio's meaning); `replace` and `pseudonymise` write `<TYPE_n>`, numbered through the
 * vault so one value keeps one placeholder across the request; `hash` writes `<TYPE:hex>` with HMAC-SHA256 (RFC 2104)
 * truncated to 128 bits (NIST SP 800-107 allows truncation), linkable only by whoever holds the key.
 */
export function applyOperators(
  text: string,
  findings: readonly PiiFinding[],
  policy: OperatorPolicy,
  vault: PseudonymVault,
): { text: string; applied: AppliedOperator[] } {
  const resolved = resolveOverlaps(
    findings
      .map((finding) => ({ ...finding, start: Math.max(0, finding.start), end: Math.min(text.length, finding.end) }))
      .filter((finding) => finding.end > finding.start),
  );
  const applied: AppliedOperator[] = [];
  let output = '';
  let cursor = 0;
  for (const finding of resolved) {
    const rule = operatorFor(policy, finding.type);
    const value = text.slice(finding.start, finding.end);
    output += text.slice(cursor, finding.start) + replacementFor(rule, finding.type, value, vault);
    cursor = finding.end;
    applied.push({ type: finding.type, operator: rule.operator });
  }
  return { text: output + text.slice(cursor), applied };
}

function replacementFor(rule: PiiOperator, type: string, value: string, vault: PseudonymVault): string {
  switch (rule.operator) {
    case 'redact':
      return '';
    case 'keep':
      return value;
    case 'replace':
      return vault.placeholderFor(type, value, false);
    case 'pseudonymise':
      return vault.placeholderFor(type, value, true);
    case 'hash':
      return `<${type}:${createHmac('sha256', rule.key).update(value).digest('hex').slice(0, 32)}>`;
    case 'mask': {
      const chars = [...value];
      // Never reveal more than half of a value: keeping the last 4 of a 5-letter name would leak it.
      const keep = Math.min(rule.keepLast ?? 4, Math.floor(chars.length / 2));
      return (rule.char ?? '*').repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
    }
  }
}
