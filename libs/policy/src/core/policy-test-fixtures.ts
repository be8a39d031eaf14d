import type { PolicyRequest } from './policy.types';

/** A small schema for specs: users in groups, models, one inference action. */
export const TEST_SCHEMA = `
entity Group;
entity User in [Group] { id: String, tenant: String, roles: Set<String> };
entity Service in [Group] { id: String, tenant: String, roles: Set<String> };
entity Model { domain: String, audience: String };
action chat appliesTo {
  principal: [User, Service],
  resource: [Model],
  context: { piiTypes: Set<String>, maxTokens?: Long, sourceIp?: ipaddr },
};
`;

export function chatRequest(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    principal: { id: 'u1', kind: 'user', tenant: 'default', groups: [], roles: [] },
    action: 'chat',
    resource: { type: 'model', name: 'assistant', version: '1', domain: 'general', audience: 'internal', deployment: 'on_prem', dataClassification: 'internal' },
    context: { piiTypes: [] },
    ...overrides,
  };
}
