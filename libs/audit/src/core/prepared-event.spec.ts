import fc from 'fast-check';
import { type AuditEventContent, sealEvent } from './audit-event';
import { CanonicalJsonError, CanonicalJsonProblem } from './canonical-json';
import { GENESIS_PREVIOUS_HASH, sha256 } from './hashing';
import { prepareEvent, sealPrepared } from './prepared-event';
import { sampleContent } from './testing/log-fixture';

const header = (seq: number) => ({ origin: 'attest.local/audit/x', seq, id: '0190b3a4-0000-7000-8000-000000000001', ts: '2026-12-06T12:00:00.000001Z', epoch: 3, prev: seq === 0 ? GENESIS_PREVIOUS_HASH : sha256(Buffer.from(String(seq))), writer: 'gw-ü' });

describe('prepared events: content canonicalised before sequencing', () => {
  it('seal to exactly the bytes, hash and leaf sealEvent gives, for any JSON details', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 10 }), (details, seq, index) => {
        const content: AuditEventContent = { ...sampleContent(index), details: details as AuditEventContent['details'] };
        const expected = sealEvent(content, header(seq));
        const actual = sealPrepared(prepareEvent(content), header(seq));
        expect(actual.bytes.equals(expected.bytes)).toBe(true);
        expect(actual.hash.equals(expected.hash)).toBe(true);
        expect(actual.leaf).toEqual(expected.leaf);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what JCS cannot represent, naming where, as sealEvent does', () => {
    const content: AuditEventContent = { ...sampleContent(0), details: { note: 'broken \uD800 surrogate' } };
    expect(() => sealEvent(content, header(0))).toThrow(CanonicalJsonError);
    expect(() => prepareEvent(content)).toThrow(expect.objectContaining({ problem: CanonicalJsonProblem.LoneSurrogate, path: '/details/note' }));
  });
});
