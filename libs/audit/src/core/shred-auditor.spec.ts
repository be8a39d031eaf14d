import type { AuditEventContent } from './audit-event';
import { DATA_SUBJECT_ERASED_ACTION, ShredAuditor, shredFactsOf } from './shred-auditor';
import { sealEvents, sampleContent } from './testing/log-fixture';
import { VerifyFailureCode } from './verify-failure';

const KEY_A = '0190b3a4-0000-7000-8000-00000000000a';
const KEY_B = '0190b3a4-0000-7000-8000-00000000000b';
const sealedUnder = (index: number, keyId: string) => ({
  ...sampleContent(index),
  payload: { mode: 'hash' as const, promptSha256: 'ef'.repeat(32), raw: { alg: 'A256GCM' as const, keyId, iv: 'AAAA', ciphertext: 'BBBB' } },
});
const erasure = (keyIds: string[]): AuditEventContent => ({
  action: DATA_SUBJECT_ERASED_ACTION,
  outcome: 'success',
  tenant: 'default',
  actor: { principalId: 'dpo', kind: 'user', tenant: 'default', authMethod: 'session' },
  details: { keyIds, erasedKeys: keyIds.length },
});

describe(ShredAuditor.name, () => {
  it('counts the payloads a recorded erasure made unreadable, and nothing else', () => {
    const events = sealEvents([sealedUnder(0, KEY_A), sealedUnder(1, KEY_B), sealedUnder(2, KEY_A), sampleContent(3), erasure([KEY_A])]);
    const sut = new ShredAuditor();
    for (const event of events) expect(sut.observe(shredFactsOf(event.leaf))).toBeUndefined();
    expect(sut.shreddedPayloads).toBe(2);
    expect(sut.erasures).toBe(1);
  });

  it('fails content sealed under a key after its erasure: a destroyed key never comes back', () => {
    const events = sealEvents([sealedUnder(0, KEY_A), erasure([KEY_A]), sealedUnder(2, KEY_B), sealedUnder(3, KEY_A)]);
    const sut = new ShredAuditor();
    const failures = events.map((event) => sut.observe(shredFactsOf(event.leaf)));
    expect(failures.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(failures[3]).toMatchObject({ code: VerifyFailureCode.ShreddedKeyReused, actual: KEY_A });
  });

  it('ignores an erasure that did not succeed', () => {
    const events = sealEvents([{ ...erasure([KEY_A]), outcome: 'failure' }, sealedUnder(1, KEY_A)]);
    const sut = new ShredAuditor();
    expect(events.map((event) => sut.observe(shredFactsOf(event.leaf)))).toEqual([undefined, undefined]);
    expect(sut.shreddedPayloads).toBe(0);
  });
});
