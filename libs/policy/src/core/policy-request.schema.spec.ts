import { policyRequestSchema } from './policy-request.schema';

describe('policyRequestSchema', () => {
  it('accepts a described request with defaults and keeps extra attributes', () => {
    const parsed = policyRequestSchema.parse({
      principal: { id: 'u1', kind: 'user', tenant: 't', department: 'radiology' },
      action: 'chat',
      resource: { type: 'model', name: 'm', version: '1' },
    });
    expect(parsed).toEqual({
      principal: { id: 'u1', kind: 'user', tenant: 't', groups: [], roles: [], department: 'radiology' },
      action: 'chat',
      resource: { type: 'model', name: 'm', version: '1' },
      context: { piiTypes: [] },
    });
    expect(policyRequestSchema.safeParse({ principal: { id: 'u1', kind: 'robot', tenant: 't' }, action: 'chat', resource: { type: 'model' } }).success).toBe(false);
  });
});
