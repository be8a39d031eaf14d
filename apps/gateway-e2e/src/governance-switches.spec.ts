import { ModelRegistryService } from '@attest/registry/nest';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const BUILTIN_PATH = join(__dirname, '..', '..', '..', 'models', 'builtin', 'stories260k-f32-v3.gguf');
const operator = (id: string, roles: string[]) => ({ id, kind: 'user' as const, tenant: 'default', roles, authMethod: 'cli' });

interface StoredEvent {
  action: string;
  outcome: string;
  policy?: { decision: string; bundleSha256: string; policyIds: string[] };
  pii?: Record<string, number>;
}

// ATTEST_PII_ENABLED=false and ATTEST_POLICY_ENABLED=false exist to measure what inspection and policy cost (bench/overhead)
// and for data known to hold no personal values. The audit log never turns off, and it says what was skipped.
describe('PII inspection and policy turned off', () => {
  let gateway: E2eGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startE2eGateway({ ATTEST_PII_ENABLED: 'false', ATTEST_POLICY_ENABLED: 'false' });
    client = new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const registry = gateway.app.get(ModelRegistryService);
    await registry.register(
      { name: 'support-bot', source: { kind: 'local_gguf', path: BUILTIN_PATH }, audience: 'external' },
      operator('registrant', ['developer']),
    );
    await registry.approve({ model: 'support-bot', version: 1 }, operator('second-person', ['model-approver']));
    await registry.promote({ model: 'support-bot', version: 1 }, operator('second-person', ['model-approver']));
  });
  afterAll(() => gateway.close());

  it('admits what the shipped policies would refuse, and both audit events name attest:policy-disabled with no PII counted', async () => {
    // With policy on, pii.no-card-numbers-to-external-models refuses this (governed-path.spec.ts).
    const completion = await client.chat.completions.create(
      { model: 'support-bot', messages: [{ role: 'user', content: 'My card is 4111 1111 1111 1111, refund it.' }], max_tokens: 4 },
      { headers: { 'x-request-id': 'switches-off' } },
    );
    expect(completion.choices[0]?.finish_reason).toBeDefined();
    await gateway.waitForResponseEvent('switches-off');
    const rows: { doc: StoredEvent }[] = await gateway.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE request_id = $1 ORDER BY seq`,
      ['switches-off'],
    );
    const events = rows.map((row) => row.doc);
    expect(events.map((event) => [event.action, event.outcome])).toEqual([
      ['inference.request', 'success'],
      ['inference.response', 'success'],
    ]);
    expect(events[0]?.policy).toMatchObject({ decision: 'allow', bundleSha256: 'attest:policy-disabled', policyIds: ['attest:policy-disabled'] });
    expect(events[0]?.pii ?? {}).toEqual({});
  });

  it('still refuses a key outside its model scope: scopes are identity, not policy', async () => {
    const scoped = await gateway.issueKey({ name: 'scoped', roles: ['developer'], models: ['stories260k'] });
    const scopedClient = new OpenAI({ apiKey: scoped, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const error = await scopedClient.chat.completions
      .create({ model: 'support-bot', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 2 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});
