import { ModelRegistryService } from '@attest/registry/nest';
import OpenAI from 'openai';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream';

const operator = (id: string, roles: string[]) => ({ id, kind: 'user' as const, tenant: 'default', roles, authMethod: 'cli' });

describe('a remote model pool under the same governance', () => {
  let gateway: E2eGateway;
  let upstream: FakeUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    // The e-mail address is split across three streamed chunks, the way tokens arrive.
    upstream = await startFakeUpstream(['Sure. Write to jane', '.doe@exam', 'ple.com and she will', ' answer today.']);
    gateway = await startE2eGateway();
    client = new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const registry = gateway.app.get(ModelRegistryService);
    await registry.register(
      { name: 'pool', source: { kind: 'remote_openai', endpoints: [upstream.baseUrl], servedModel: 'upstream-model' }, deployment: 'remote' },
      operator('registrant', ['developer']),
    );
    await registry.approve({ model: 'pool', version: 1 }, operator('second-person', ['model-approver']));
    await registry.promote({ model: 'pool', version: 1 }, operator('second-person', ['model-approver']));
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('redacts personal data before it leaves for the remote pool, and in its streamed answer even across chunks', async () => {
    const stream = await client.chat.completions.create({
      model: 'pool',
      messages: [{ role: 'user', content: 'Please ask John Smith at john.smith@example.org to call me.' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';

    expect(upstream.received.at(-1)).not.toContain('john.smith@example.org');
    expect(upstream.received.at(-1)).toContain('<EMAIL_ADDRESS_1>');
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).toContain('<EMAIL_ADDRESS_1>');
    expect(text).toContain('answer today.');
  });

  it('answers a non-streamed request from the pool with the same redaction', async () => {
    const completion = await client.chat.completions.create({ model: 'pool', messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0]?.message.content).toBe('Sure. Write to <EMAIL_ADDRESS_1> and she will answer today.');
    expect(completion.usage?.completion_tokens).toBe(4);
  });
});
