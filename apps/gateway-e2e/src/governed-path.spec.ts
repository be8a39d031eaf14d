import { ModelRegistryService } from '@attest/registry/nest';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const BUILTIN_PATH = join(__dirname, '..', '..', '..', 'models', 'builtin', 'stories260k-f32-v3.gguf');
const operator = (id: string, roles: string[]) => ({ id, kind: 'user' as const, tenant: 'default', roles, authMethod: 'cli' });

interface StoredEvent {
  action: string;
  outcome: string;
  policy?: { decision: string; policyIds: string[]; obligations: string[] };
  pii?: Record<string, number>;
  payload?: Record<string, unknown>;
  [key: string]: unknown;
}

describe('the governed request path, end to end', () => {
  let gateway: E2eGateway;
  let client: OpenAI;

  /** The audit events of one request, decoded from their stored canonical bytes. */
  async function eventsOf(requestId: string): Promise<StoredEvent[]> {
    const rows: { doc: StoredEvent }[] = await gateway.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE request_id = $1 ORDER BY seq`,
      [requestId],
    );
    return rows.map((row) => row.doc);
  }

  beforeAll(async () => {
    // Keep redacted text (not only hashes) in the log, so the tests can see that no personal value reaches it.
    gateway = await startE2eGateway({ ATTEST_AUDIT_PAYLOAD_MODE: 'redacted' });
    client = new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    // A customer-facing model: the shipped policies redact contact data for it and refuse card numbers outright.
    const registry = gateway.app.get(ModelRegistryService);
    await registry.register(
      { name: 'support-bot', source: { kind: 'local_gguf', path: BUILTIN_PATH }, audience: 'external', card: 'Customer support demo.' },
      operator('registrant', ['developer']),
    );
    await registry.approve({ model: 'support-bot', version: 1 }, operator('second-person', ['model-approver']));
    await registry.promote({ model: 'support-bot', version: 1 }, operator('second-person', ['model-approver']));
  });
  afterAll(() => gateway.close());

  it('commits a request and a response event for every answered call, naming model, weights and policy', async () => {
    await client.chat.completions.create(
      { model: 'stories260k', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 },
      { headers: { 'x-request-id': 'governed-1' } },
    );
    const events = await eventsOf('governed-1');
    expect(events.map((event) => [event.action, event.outcome])).toEqual([
      ['inference.request', 'success'],
      ['inference.response', 'success'],
    ]);
    expect(JSON.stringify(events[0])).toContain('3c4a7c3a8313e00ae6a6b64df717828f4ba18391ea31ffb01abe9a2c4f7bb9a9');
    expect(events[0]?.policy).toMatchObject({ decision: 'allow', policyIds: expect.arrayContaining(['baseline.inference']) });
  });

  it('redacts contact data before an external-audience model sees it and keeps no value in the audit log', async () => {
    const completion = await client.chat.completions.create(
      { model: 'support-bot', messages: [{ role: 'user', content: 'Please email jane.doe@example.com about my order.' }], max_tokens: 8 },
      { headers: { 'x-request-id': 'governed-pii' } },
    );
    expect(completion.choices[0]?.message.content).toBeDefined();
    const events = await eventsOf('governed-pii');
    expect(events[0]?.pii).toEqual({ EMAIL_ADDRESS: 1 });
    expect(events[0]?.policy?.policyIds).toContain('pii.redact-contact-data-for-external-models');
    expect(JSON.stringify(events)).not.toContain('jane.doe@example.com');
  });

  it('keeps no raw personal data in the log when policy says store_raw_content:false, though the model saw it', async () => {
    await client.chat.completions.create(
      { model: 'stories260k', messages: [{ role: 'user', content: 'Write to bob.jones@example.net about the cat.' }], max_tokens: 4 },
      { headers: { 'x-request-id': 'governed-no-raw' } },
    );
    const events = await eventsOf('governed-no-raw');
    expect(events[0]?.policy?.obligations).toContain('store_raw_content:false');
    expect(JSON.stringify(events[0]?.payload)).toContain('<EMAIL_ADDRESS_1>');
    expect(JSON.stringify(events)).not.toContain('bob.jones@example.net');
  });

  it('refuses a card number to an external-audience model with 403, and audits the denial with its policy id', async () => {
    const error = await client.chat.completions
      .create(
        { model: 'support-bot', messages: [{ role: 'user', content: 'My card is 4111 1111 1111 1111, refund it.' }], max_tokens: 8 },
        { headers: { 'x-request-id': 'governed-deny' } },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as Error).message).toContain('pii.no-card-numbers-to-external-models');
    expect((error as Error).message).not.toContain('baseline.inference');
    const events = await eventsOf('governed-deny');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'inference.request', outcome: 'denied' });
    expect(events[0]?.policy?.policyIds).toContain('pii.no-card-numbers-to-external-models');
    expect(JSON.stringify(events)).not.toContain('4111 1111 1111 1111');
  });

  it('limits a key to the models it is scoped to', async () => {
    const scoped = new OpenAI({
      apiKey: await gateway.issueKey({ name: 'scoped', roles: ['developer'], models: ['support-bot'] }),
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    const listed = await scoped.models.list();
    expect(listed.data.map((model) => model.id)).toEqual(['support-bot']);
    await expect(scoped.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
  });

  it('honours a key scoped by prefix (support*) the way identity defines scopes', async () => {
    const prefixed = new OpenAI({
      apiKey: await gateway.issueKey({ name: 'prefixed', roles: ['developer'], models: ['support*'] }),
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    expect((await prefixed.models.list()).data.map((model) => model.id)).toEqual(['support-bot']);
    const answer = await prefixed.chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 });
    expect(answer.choices).toHaveLength(1);
    await expect(prefixed.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
  });

  it('refuses weights that differ from the registry before loading them, audits it and raises the alert metric', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'attest-tamper-'));
    const copy = join(folder, 'copy.gguf');
    copyFileSync(BUILTIN_PATH, copy);
    try {
      const registry = gateway.app.get(ModelRegistryService);
      await registry.register({ name: 'tampered', source: { kind: 'local_gguf', path: copy } }, operator('registrant', ['developer']));
      await registry.approve({ model: 'tampered', version: 1 }, operator('second-person', ['model-approver']));
      await registry.promote({ model: 'tampered', version: 1 }, operator('second-person', ['model-approver']));
      appendFileSync(copy, Buffer.from([0]));

      const error = await client.chat.completions
        .create({ model: 'tampered', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 })
        .catch((caught: unknown) => caught);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      const failures: { n: number }[] = await gateway.db.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE action = 'model_version.integrity_failed'`,
      );
      expect(failures[0]?.n).toBe(1);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/^attest_model_integrity_failures_total\{model="tampered",version="1"\} 1$/m);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('fails closed: when the audit log cannot commit, the request is refused with 503 and nothing is generated', async () => {
    await gateway.db.dataSource.query('ALTER TABLE audit_event RENAME TO audit_event_unavailable');
    try {
      const error = await client.chat.completions
        .create({ model: 'stories260k', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 }, { headers: { 'x-request-id': 'governed-closed' } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(503);
    } finally {
      await gateway.db.dataSource.query('ALTER TABLE audit_event_unavailable RENAME TO audit_event');
    }
    expect(await eventsOf('governed-closed')).toEqual([]);
    const healthy = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 });
    expect(healthy.choices).toHaveLength(1);
  });
});
