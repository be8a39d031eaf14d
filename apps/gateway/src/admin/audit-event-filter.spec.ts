import type { AuditLeaf } from '@attest/audit';
import { type AuditEventFilter, filterDetails, hasContentFilter, matches } from './audit-event-filter';

const MEMBER = '0190b6a4-0000-7000-8000-000000000001';

function leafOf(overrides: Partial<AuditLeaf> = {}): AuditLeaf {
  return {
    v: 1,
    origin: 'attest.local/audit/spec',
    seq: 7,
    id: '0190b6a4-0000-7000-8000-0000000000aa',
    ts: '2026-03-02T10:00:00.000000Z',
    epoch: 1,
    prev: '0'.repeat(64),
    writer: 'spec',
    action: 'inference.request',
    outcome: 'success',
    tenant: 'default',
    actor: { principalId: MEMBER, kind: 'user', tenant: 'default', authMethod: 'api_key' },
    resource: { type: 'model_version', id: 'v-1', name: 'stories260k', version: '2' },
    requestId: 'req-1',
    policy: { bundleSha256: 'a'.repeat(64), decision: 'allow', policyIds: ['baseline.inference', 'pii.redact-before-remote-models'], obligations: [] },
    pii: { EMAIL_ADDRESS: 2, PHONE_NUMBER: 0 },
    ...overrides,
  };
}

describe(matches.name, () => {
  const sut = (filter: AuditEventFilter, event: AuditLeaf = leafOf(), teamMembers: string[] = []) => matches(event, 'default', filter, { teamMembers: new Set(teamMembers) });

  it('lets an event through an empty filter of its own tenant only', () => {
    expect(sut({})).toBe(true);
    expect(sut({}, leafOf({ tenant: 'other' }))).toBe(false);
  });

  // Each filter: the event that matches passes, one that differs in that field alone is excluded.
  it.each<[string, AuditEventFilter, Partial<AuditLeaf>]>([
    ['model', { model: 'stories260k' }, { resource: { type: 'model_version', name: 'other-model', version: '2' } }],
    ['model and version', { model: 'stories260k', modelVersion: '2' }, { resource: { type: 'model_version', name: 'stories260k', version: '3' } }],
    ['model version alone', { modelVersion: '2' }, { resource: { type: 'model_version', name: 'stories260k', version: '1' } }],
    ['model (a key named like the model is no model)', { model: 'stories260k' }, { resource: { type: 'api_key', name: 'stories260k' } }],
    ['policy decision', { decision: 'allow' }, { policy: { bundleSha256: 'a'.repeat(64), decision: 'deny', policyIds: [], obligations: [] } }],
    ['policy decision (no decision recorded)', { decision: 'allow' }, { policy: undefined }],
    ['policy id', { policyId: 'pii.redact-before-remote-models' }, { policy: { bundleSha256: 'a'.repeat(64), decision: 'allow', policyIds: ['baseline.inference'], obligations: [] } }],
    ['PII type', { piiType: 'EMAIL_ADDRESS' }, { pii: { PERSON: 1 } }],
    ['outcome', { outcome: 'success' }, { outcome: 'denied' }],
    ['actor', { actor: MEMBER }, { actor: { principalId: 'someone-else', kind: 'user', tenant: 'default', authMethod: 'api_key' } }],
    ['request id', { requestId: 'req-1' }, { requestId: 'req-2' }],
    ['action prefix', { action: 'inference.' }, { action: 'api_key.created' }],
    ['from', { from: '2026-03-02T00:00:00Z' }, { ts: '2026-03-01T23:59:59.999000Z' }],
    ['until', { to: '2026-03-03T00:00:00Z' }, { ts: '2026-03-03T00:00:00.000000Z' }],
  ])('filters by %s', (_name, filter, differing) => {
    expect(sut(filter)).toBe(true);
    expect(sut(filter, leafOf(differing))).toBe(false);
  });

  it('does not count a PII type found zero times', () => {
    expect(sut({ piiType: 'PHONE_NUMBER' })).toBe(false);
  });

  it("matches a team on the actor's identity groups, or on the teams the event records itself", () => {
    expect(sut({ team: 'legal' }, leafOf(), [MEMBER])).toBe(true);
    expect(sut({ team: 'legal' }, leafOf(), ['0190b6a4-0000-7000-8000-000000000002'])).toBe(false);
    const recorded = leafOf({ actor: { principalId: MEMBER, kind: 'user', tenant: 'default', authMethod: 'api_key', teams: ['finance'] } as AuditLeaf['actor'] });
    // What the event records wins over today's groups: membership at the time of the act.
    expect(sut({ team: 'finance' }, recorded)).toBe(true);
    expect(sut({ team: 'legal' }, recorded, [MEMBER])).toBe(false);
  });

  it('needs every given filter to hold', () => {
    expect(sut({ model: 'stories260k', decision: 'allow', piiType: 'EMAIL_ADDRESS', policyId: 'baseline.inference' })).toBe(true);
    expect(sut({ model: 'stories260k', decision: 'deny', piiType: 'EMAIL_ADDRESS' })).toBe(false);
  });
});

describe(hasContentFilter.name, () => {
  it('tells the filters only the event bytes answer from the indexed columns', () => {
    expect(hasContentFilter({ action: 'api_key.', outcome: 'success', from: '2026-01-01T00:00:00Z' })).toBe(false);
    for (const filter of [{ team: 't' }, { model: 'm' }, { modelVersion: '1' }, { decision: 'deny' as const }, { policyId: 'p' }, { piiType: 'PERSON' }]) {
      expect(hasContentFilter(filter)).toBe(true);
    }
  });
});

describe(filterDetails.name, () => {
  it('records every given filter but not the page size', () => {
    expect(filterDetails({ team: 'legal', piiType: 'PERSON', before: 10, limit: 50, model: undefined })).toEqual({ team: 'legal', piiType: 'PERSON', before: 10 });
  });
});
