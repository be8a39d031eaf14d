import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { auditJobClient } from './support/audit-jobs';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const POLICIES = join(__dirname, '..', '..', '..', 'policies');
const PROMPT = 'Jane Roe (jane.roe@example.com) reports chest pain since Monday.';

// GDPR Art. 17 by crypto-shredding. Raw capture needs two explicit opt-ins: the operator's switch for the tenant, and a
// policy bundle that allows raw content for the request (the shipped pii.no-raw-content-when-pii-found forbids it when
// PII is found, so this hospital's bundle drops that rule).
describe('raw capture sealed per data subject, and erasure by destroying the key', () => {
  let gateway: E2eGateway;
  let client: OpenAI;
  let auditorKey: string;
  let policyDir: string;

  async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function eventIds(requestId: string): Promise<{ id: string; canonical: string }[]> {
    return gateway.db.dataSource.query(`SELECT id::text, convert_from(canonical, 'UTF8') AS canonical FROM audit_event WHERE request_id = $1 ORDER BY seq`, [requestId]);
  }

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'attest-policies-'));
    cpSync(POLICIES, policyDir, { recursive: true });
    const obligations = join(policyDir, 'pii-obligations.cedar');
    const text = readFileSync(obligations, 'utf8');
    const start = text.indexOf('@id("pii.no-raw-content-when-pii-found")');
    expect(start).toBeGreaterThan(0);
    writeFileSync(obligations, text.slice(0, start));
    rmSync(join(policyDir, 'tests'), { recursive: true, force: true });
    gateway = await startE2eGateway({ ATTEST_AUDIT_RAW_CAPTURE_TENANTS: 'default', ATTEST_POLICY_DIR: policyDir, ATTEST_AUDIT_PAYLOAD_MODE: 'redacted' });
    client = new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    auditorKey = await gateway.issueKey({ name: 'dpo-auditor', roles: ['auditor'], holder: 'person' });
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('keeps the raw prompt only as ciphertext, opens it for an auditor, and shreds it on erasure while the log still verifies', async () => {
    await client.chat.completions.create(
      { model: 'stories260k', messages: [{ role: 'user', content: PROMPT }], max_tokens: 8 },
      { headers: { 'x-request-id': 'shred-1', 'x-attest-data-subject': 'patient-42' } },
    );
    await gateway.waitForResponseEvent('shred-1');
    const [request, response] = await eventIds('shred-1');
    expect(request?.canonical).toContain('"raw":{"alg":"A256GCM"');
    expect(response?.canonical).toContain('"raw":{"alg":"A256GCM"');
    // In the clear the log holds only the redacted text; the value is in no stored byte.
    expect(request?.canonical).toContain('<EMAIL_ADDRESS_1>');
    expect(request?.canonical).not.toContain('jane.roe@example.com');
    const keyRows: { subject_ref: string }[] = await gateway.db.dataSource.query(`SELECT subject_ref FROM data_subject_key`);
    expect(keyRows).toHaveLength(1);
    expect(JSON.stringify(keyRows)).not.toContain('patient-42');

    const opened = await call('GET', `/api/audit/events/${request?.id}/raw`, auditorKey);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ status: 'available', content: { prompt: PROMPT } });
    expect((await call('GET', `/api/audit/events/${request?.id}/raw`, gateway.adminKey)).status).toBe(403);

    const erased = await call('POST', '/api/admin/data-subjects/erase', gateway.adminKey, { subjectId: 'patient-42' });
    expect(erased).toMatchObject({ status: 200, body: { erasedKeys: 1 } });
    const after = await call('GET', `/api/audit/events/${request?.id}/raw`, auditorKey);
    expect(after.body).toMatchObject({ status: 'erased' });
    expect(JSON.stringify(after.body)).not.toContain('chest pain');

    // The ciphertext is still in the chain: nothing was rewritten, so every hash and checkpoint still verifies.
    const verified = await auditJobClient(gateway.url).run('/api/audit/verify', auditorKey);
    expect(verified).toMatchObject({ state: 'done', result: { ok: true } });
    const erasures: { doc: { details: { erasedKeys: number } } }[] = await gateway.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'data_subject.erased'`,
    );
    expect(erasures.map((row) => row.doc.details.erasedKeys)).toEqual([1]);
    expect(JSON.stringify(erasures)).not.toContain('patient-42');
  });

  it('gives the subject a fresh key after erasure, and keys another subject apart', async () => {
    for (const [id, subject] of [['shred-2', 'patient-42'], ['shred-3', 'patient-7']] as const) {
      await client.chat.completions.create(
        { model: 'stories260k', messages: [{ role: 'user', content: 'Follow-up visit.' }], max_tokens: 4 },
        { headers: { 'x-request-id': id, 'x-attest-data-subject': subject } },
      );
      await gateway.waitForResponseEvent(id);
    }
    const keys: { live: string }[] = await gateway.db.dataSource.query(`SELECT count(*) FILTER (WHERE erased_at IS NULL)::text AS live FROM data_subject_key`);
    expect(keys[0]?.live).toBe('2');
    const [followUp] = await eventIds('shred-2');
    expect((await call('GET', `/api/audit/events/${followUp?.id}/raw`, auditorKey)).body).toMatchObject({ status: 'available', content: { prompt: 'Follow-up visit.' } });
  });

  it('refuses a malformed data subject header with 400 rather than key content to the wrong subject', async () => {
    const error = await client.chat.completions
      .create({ model: 'stories260k', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 2 }, { headers: { 'x-attest-data-subject': 'a\tb' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('x-attest-data-subject');
  });
});
