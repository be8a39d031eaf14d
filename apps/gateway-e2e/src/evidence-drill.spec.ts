import {
  type AuditLeaf,
  BUNDLE_FILES,
  buildBundle,
  type BundleManifest,
  parseCanonical,
  parseVerifierKey,
  readLeaf,
  readTar,
  verifyBundle,
  VerifyFailureCode,
} from '@attest/audit';
import { AuditCheckpointer } from '@attest/audit/nest';
import { PrincipalLifecycleService } from '@attest/identity/nest';
import { PolicyBundle } from '@attest/policy';
import { PolicyActivationService, PolicyEngineProvider } from '@attest/policy/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { auditJobClient } from './support/audit-jobs';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream';
import { okta, scimClient } from './support/scim-idp-requests';

// The evidence drill of issue #12: one scripted day through the real HTTP API (admin API, OpenAI API through the
// official client), then the auditor's export, verified offline with the verifier alone and compared with what
// happened, event by event. Acts without an HTTP route (model registration, policy activation, a key holder's deactivation)
// go through the same service the CLI calls, and say so where they happen.

const ROOT = join(__dirname, '..', '..', '..');
const BUILTIN_GGUF = join(ROOT, 'models', 'builtin', 'stories260k-f32-v3.gguf');
const SESSION_COOKIE = '__Host-attest_session';

// Every personal value sent or generated during the day: none may appear anywhere in the bundle's bytes.
const CLAIMANT_PROMPT = 'Hi, I am Margaret Thompson, call me on +1 415 555 0132 or write to margaret.thompson@example.org about claim 7.';
const AGENT_ANSWER = ['Your case is with agent Robert Miller, reach him at robert.mil', 'ler@claims.example or +1 212 555 0187.'];
const CARD_PROMPT = 'My card is 4111 1111 1111 1111, refund the order.';
const RAW_VALUES = [
  'Margaret Thompson', 'Thompson', 'margaret.thompson@example.org', '415 555 0132',
  'Robert Miller', 'Miller', 'robert.miller@claims.example', '212 555 0187',
  '4111 1111 1111 1111', '4111111111111111',
  // The IdP's user, provisioned and deprovisioned by SCIM.
  'erin.novak@example.org',
];
const SCIM_TOKEN = 'drill-scim-token-0123456789abcdef0123456789';

// The day's policy change: the shipped bundle plus one policy that caps the support bot's answers.
const DRILL_POLICY = `@id("drill.support-bot-short-answers")
@obligation("max_tokens:24")
permit (principal, action in Action::"inference", resource is Model) when { resource.name == "support-bot" };
`;

interface Person {
  key: string;
  keyId: string;
  principalId: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The clock the in-process audit writer stamps events with (monotonic, unlike Date.now()), for the day's bounds. */
const auditClock = () => new Date(performance.timeOrigin + performance.now());

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the drill has no ${what}`);
  return value;
}

/** `node scripts/run-ts.cjs apps/cli/src/main.ts audit verify …` with no database and no local key: the auditor's machine. */
function runVerifierCli(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const emptyDataDir = mkdtempSync(join(tmpdir(), 'attest-auditor-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/run-ts.cjs'), 'apps/cli/src/main.ts', 'audit', 'verify', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: emptyDataDir, TZ: 'UTC', ATTEST_DATA_DIR: emptyDataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('exit', (code) => {
      rmSync(emptyDataDir, { recursive: true, force: true });
      resolve({ code, stdout });
    });
  });
}

describe('evidence drill: a day in the life, exported and verified offline', () => {
  let gateway: E2eGateway;
  let upstream: FakeUpstream;
  let workDir: string;
  const people = new Map<string, Person>();
  const nameOf = new Map<string, string>();
  let folderSha256: string;
  let activatedSha256: string;
  let verifierKey: string;
  let bundle: Buffer;
  let bundlePath: string;
  let events: AuditLeaf[];

  async function api(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  }

  const person = (name: string): Person => must(people.get(name), name);
  const clientOf = (name: string) => new OpenAI({ apiKey: person(name).key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  /** The admin's own identity for the acts that have no HTTP route yet (what `attest … --as` stands for). */
  const aliceAsActor = () => ({ principalId: person('alice').principalId, kind: 'user' as const, tenant: 'default', authMethod: 'api_key', keyId: person('alice').keyId });
  const aliceAsOperator = () => ({ ...aliceAsActor(), id: person('alice').principalId, roles: ['admin', 'model-approver'] });

  /** A named person's own key (holder `person`): the shipped policies let only people administer. */
  async function hire(name: string, roles: string[]): Promise<void> {
    const created = await api('POST', '/api/admin/keys', gateway.adminKey, { name, roles, holder: 'person' });
    expect(created.status).toBe(201);
    const key = String(created.body['key']);
    const keyId = (created.body['record'] as { id: string }).id;
    const me = (await api('GET', '/auth/me', key)).body;
    expect(me['kind']).toBe('user');
    const principalId = String(me['id']);
    people.set(name, { key, keyId, principalId });
    nameOf.set(principalId, name).set(keyId, name);
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'attest-drill-'));
    upstream = await startFakeUpstream(AGENT_ANSWER);
    // Redacted text (not only hashes) in the log: the strictest setting for "no raw personal data in the evidence".
    gateway = await startE2eGateway({ ATTEST_AUDIT_PAYLOAD_MODE: 'redacted', ATTEST_SCIM_TOKEN: SCIM_TOKEN });
    nameOf.set(String((await api('GET', '/auth/me', gateway.adminKey)).body['id']), 'ops').set('anonymous', 'anonymous');
    folderSha256 = String((await api('GET', '/api/admin/policies', gateway.adminKey)).body['activeSha256']);
    const policyDir = join(workDir, 'policies');
    mkdirSync(policyDir);
    for (const file of readdirSync(join(ROOT, 'policies')).filter((name) => /\.cedar(schema)?$/.test(name))) copyFileSync(join(ROOT, 'policies', file), join(policyDir, file));
    writeFileSync(join(policyDir, 'drill-support-bot.cedar'), DRILL_POLICY);

    // The day starts after the gateway's own start-up events (bootstrap key, built-in model).
    await pause(20);
    const from = auditClock();
    await pause(5);

    // 08:00 — the operator issues today's credentials through the admin API.
    await hire('alice', ['admin', 'model-approver']);
    await hire('bob', ['model-approver']);
    await hire('carol', ['developer']);
    await hire('dave', ['developer']);
    await hire('ivy', ['auditor']);

    // 09:00 — alice registers two model versions. There is no HTTP route for registration; this is the service
    // `attest models register --as alice` calls, with alice's own principal, so four-eyes compares real identities.
    const registry = gateway.app.get(ModelRegistryService);
    await registry.register({ name: 'support-bot', source: { kind: 'local_gguf', path: BUILTIN_GGUF }, audience: 'external', card: 'Customer support demo.' }, aliceAsOperator());
    await registry.register(
      { name: 'claims-assistant', source: { kind: 'remote_openai', endpoints: [upstream.baseUrl], servedModel: 'upstream-model' }, deployment: 'remote', card: 'Claims desk.' },
      aliceAsOperator(),
    );
    // Four-eyes: alice holds model-approver but may not approve what she registered (the policy bundle in force
    // decides, and its refusal is audited); bob may.
    const selfApproval = await api('POST', '/api/admin/models/support-bot@1/approve', person('alice').key, {});
    expect(selfApproval.status).toBe(403);
    expect(JSON.stringify(selfApproval.body)).toMatch(/four.eyes/i);
    expect((await api('POST', '/api/admin/models/support-bot@1/approve', person('bob').key, { comment: 'card and licence reviewed' })).status).toBe(200);
    expect((await api('POST', '/api/admin/models/claims-assistant@1/approve', person('bob').key, { comment: 'endpoint reviewed' })).status).toBe(200);
    expect((await api('POST', '/api/admin/models/support-bot@1/promote', person('alice').key)).status).toBe(200);
    expect((await api('POST', '/api/admin/models/claims-assistant@1/promote', person('alice').key)).status).toBe(200);

    // 10:00 — alice activates the new policy bundle: the service behind `attest policies activate` (no HTTP route),
    // then the reload every replica runs each ATTEST_POLICY_RELOAD_MS, done now rather than waited for.
    const activation = await gateway.app.get(PolicyActivationService).activate(await PolicyBundle.fromDirectory(policyDir), { tenant: 'default', actor: aliceAsActor() });
    activatedSha256 = activation.sha256;
    await gateway.app.get(PolicyEngineProvider).refresh();
    expect((await api('GET', '/api/admin/policies', person('alice').key)).body['activeSha256']).toBe(activatedSha256);

    // 11:00 — users at work: one plain call, one with personal data both ways, two refused by policy.
    const story = await clientOf('carol').chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 200 }, { headers: { 'x-request-id': 'drill-story' } });
    expect(story.usage?.completion_tokens).toBeLessThanOrEqual(24);
    const claim = await clientOf('carol').chat.completions.create({ model: 'claims-assistant', messages: [{ role: 'user', content: CLAIMANT_PROMPT }] }, { headers: { 'x-request-id': 'drill-claim' } });
    expect(claim.choices[0]?.message.content).toContain('<EMAIL_ADDRESS_1>');
    for (const value of RAW_VALUES) expect(`${upstream.received.join('\n')}\n${claim.choices[0]?.message.content ?? ''}`).not.toContain(value);
    const card = await clientOf('dave')
      .chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: CARD_PROMPT }] }, { headers: { 'x-request-id': 'drill-card' } })
      .catch((error: unknown) => error);
    expect(card).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const confidential = await clientOf('dave')
      .chat.completions.create(
        { model: 'support-bot', messages: [{ role: 'user', content: 'Summarise the board minutes.' }] },
        { headers: { 'x-request-id': 'drill-classified', 'x-attest-data-classification': 'confidential' } },
      )
      .catch((error: unknown) => error);
    expect(confidential).toBeInstanceOf(OpenAI.PermissionDeniedError);

    // 13:00 — carol's key leaks: alice revokes it; the next call with it is refused.
    expect((await api('POST', `/api/admin/keys/${person('carol').keyId}/revoke`, person('alice').key, { reason: 'posted in a public channel' })).body['status']).toBe('revoked');
    await expect(clientOf('carol').chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    // 14:00 — the IdP provisions erin (Okta's SCIM request), and at 14:30 deprovisions her: `active: false` disables
    // the principal, ends her sessions and revokes her keys in one audited act.
    const scim = scimClient(gateway.url, SCIM_TOKEN);
    const provisioned = await scim('POST', '/Users', okta.createUser('erin.novak@example.org', 'idp-user-erin'));
    expect(provisioned.status).toBe(201);
    const erinScimId = String(provisioned.body['id']);
    const erinRows: { principal_id: string }[] = await gateway.db.dataSource.query(`SELECT principal_id::text FROM scim_user WHERE id = $1`, [erinScimId]);
    nameOf.set(must(erinRows[0], 'SCIM user row').principal_id, 'erin').set(erinScimId, 'erin').set('scim', 'idp');
    expect((await scim('PATCH', `/Users/${erinScimId}`, okta.deactivateUser())).status).toBe(200);

    // 15:00 — dave leaves. He is signed in to the portal with his key.
    const signIn = await api('POST', '/api/admin/session', '', { apiKey: person('dave').key }, { 'x-attest-request': 'portal' });
    expect(signIn.status).toBe(200);
    const sessionCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(sessionCookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    // Dave holds a personal key, not an IdP account, so the IdP's SCIM `active: false` (scim.spec.ts and
    // scim-sessions.spec.ts drive that path) does not reach him: the drill calls the act SCIM calls,
    // PrincipalLifecycleService.deactivate (principal disabled, sessions ended, keys revoked in one audited transaction).
    const deactivated = await gateway.app.get(PrincipalLifecycleService).deactivate(person('dave').principalId, aliceAsActor(), 'left the company');
    expect(deactivated).toMatchObject({ endedSessions: 1, revokedKeys: 1 });
    await expect(clientOf('dave').chat.completions.create({ model: 'support-bot', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await fetch(`${gateway.url}/auth/me`, { headers: { cookie: sessionCookie } })).status).toBe(401);

    // 17:00 — segregation of duties: the admin may not take evidence out, the auditor may not administer. Then the
    // auditor searches, opens the denial and verifies the whole log.
    const day = (to: Date) => ({ from: from.toISOString(), to: to.toISOString() });
    expect((await api('POST', '/api/audit/exports', person('alice').key, day(auditClock()))).status).toBe(403);
    expect((await api('POST', `/api/admin/keys/${person('bob').keyId}/revoke`, person('ivy').key, {})).status).toBe(403);
    const found = (await api('GET', '/api/audit/events?requestId=drill-card', person('ivy').key)).body['events'] as { id: string; action: string; outcome: string }[];
    expect(found.map((event) => [event.action, event.outcome])).toEqual([['inference.request', 'denied']]);
    expect((await api('GET', `/api/audit/events/${found[0]?.id}`, person('ivy').key)).status).toBe(200);
    const jobs = auditJobClient(gateway.url);
    expect((await jobs.run('/api/audit/verify', person('ivy').key)).result?.['ok']).toBe(true);
    await pause(5);
    const to = auditClock();

    // 18:00 — the auditor exports the day over HTTP. The key she trusts comes from the operator, not from the answer
    // (what `attest audit public-key` prints); the answer's header must name the same key.
    verifierKey = gateway.app.get(AuditCheckpointer).signer.verifierKey;
    // The export runs as a background job; its bundle is fetched once the job is done (and the export recorded).
    const job = await jobs.run('/api/audit/exports', person('ivy').key, day(to));
    expect(job.state).toBe('done');
    const exported = await jobs.bundle(job.id, person('ivy').key);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('x-attest-verifier-key')).toBe(verifierKey);
    bundle = Buffer.from(await exported.arrayBuffer());
    // The export is itself recorded, after the day it covers.
    const exports = (await api('GET', '/api/audit/events?action=audit.exported', person('ivy').key)).body['events'] as { actorId: string }[];
    expect(exports.map((event) => nameOf.get(event.actorId))).toEqual(['ivy']);
    bundlePath = join(workDir, 'evidence.tar');
    writeFileSync(bundlePath, bundle);
    const lines = readTar(bundle).find((entry) => entry.name === BUNDLE_FILES.events)?.data.toString('utf8').split('\n') ?? [];
    events = lines.filter(Boolean).map((line) => readLeaf(Buffer.from(line, 'utf8')));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** One line per event: what, how it ended, who, and on what; names instead of ids so the list reads like the day. */
  function line(event: AuditLeaf): string {
    const actor = nameOf.get(event.actor.principalId) ?? event.actor.principalId;
    const resource = event.resource;
    let subject: string;
    if (event.action.startsWith('inference.')) subject = event.requestId ?? '-';
    else if (event.action === 'authentication.failed') subject = `${event.actor.authMethod}:${nameOf.get(event.actor.keyId ?? '') ?? '-'} ${String(event.details?.['code'])}`;
    else if (resource?.type === 'api_key') subject = `key:${resource.name}`;
    else if (resource?.type === 'model_version') subject = `${resource.name}@${resource.version}`;
    else if (resource?.type === 'model') subject = `model:${resource.name}`;
    else if (resource?.type === 'principal') subject = `principal:${nameOf.get(resource.id ?? '')}`;
    else if (resource?.type === 'scim_user') subject = `scim_user:${nameOf.get(resource.id ?? '')}`;
    else if (resource?.type === 'policy_bundle') subject = resource.sha256 === activatedSha256 ? 'bundle:drill' : `bundle:${resource.sha256}`;
    else subject = resource?.type ?? String(event.details?.['code'] ?? '-');
    return `${event.action} ${event.outcome} ${actor} ${subject}`;
  }

  it('verifies offline with the verifier alone: the pure core, and the auditor’s command without any database', async () => {
    const report = verifyBundle(bundle, { trustedKeys: [{ verifier: parseVerifierKey(verifierKey) }] });
    expect(report).toMatchObject({ ok: true, eventsChecked: events.length, unsealed: 0 });
    expect(report.sealedSize).toBe(report.size);
    // Every admitted request has its response event; a refused request is complete as it stands.
    expect(report.incompleteRequests).toEqual({ count: 0, requestIds: [] });

    const cli = await runVerifierCli(['--bundle', bundlePath, '--key', verifierKey, '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, eventsChecked: events.length, size: report.size });
  });

  it('holds exactly what happened, in order: nothing missing, nothing extra', () => {
    expect(events.map(line)).toEqual([
      'api_key.created success ops key:alice',
      'api_key.created success ops key:bob',
      'api_key.created success ops key:carol',
      'api_key.created success ops key:dave',
      'api_key.created success ops key:ivy',
      'model_version.registered success alice support-bot@1',
      'model_version.registered success alice claims-assistant@1',
      'admin.denied denied alice model:support-bot',
      'model_version.approved success bob support-bot@1',
      'model_version.approved success bob claims-assistant@1',
      'model_version.activated success alice support-bot@1',
      'model_version.activated success alice claims-assistant@1',
      'policy_bundle.activated success alice bundle:drill',
      // The weights are hashed against the registry before their first load, on carol's request.
      'model_version.integrity_verified success carol support-bot@1',
      'inference.request success carol drill-story',
      'inference.response success carol drill-story',
      'inference.request success carol drill-claim',
      'inference.response success carol drill-claim',
      'inference.request denied dave drill-card',
      'inference.request denied dave drill-classified',
      'api_key.revoked success alice key:carol',
      'authentication.failed denied anonymous api_key:carol KEY_REVOKED',
      // The IdP provisions erin and deprovisions her by SCIM: the deactivation is one act, named by the SCIM client.
      'scim.user_created success idp scim_user:erin',
      'principal.deactivated success idp principal:erin',
      'scim.user_deactivated success idp scim_user:erin',
      'scim.user_updated success idp scim_user:erin',
      'session.created success dave session',
      'principal.deactivated success alice principal:dave',
      'authentication.failed denied anonymous api_key:dave KEY_REVOKED',
      'authentication.failed denied anonymous session:- UNAUTHENTICATED',
      'admin.denied denied alice audit_log',
      'authorization.denied denied ivy FORBIDDEN',
      'audit.events_listed success ivy audit_log',
      'audit.event_viewed success ivy audit_event',
      'audit.log_verified success ivy audit_log',
    ]);
  });

  it('gives every event who, what, when, the outcome and on what, and the source address of every act over HTTP', () => {
    for (const event of events) {
      expect(event).toMatchObject({
        action: expect.stringMatching(/^[a-z_]+\.[a-z_]+$/),
        outcome: expect.stringMatching(/^(success|denied|failure|aborted)$/),
        ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        actor: { principalId: expect.any(String), kind: expect.any(String), authMethod: expect.any(String) },
      });
      expect(event.resource ?? event.requestId ?? event.details).toBeDefined();
    }
    // Credentials, requests, sign-ins, refusals and the auditor's reads came in over HTTP: each names where from. (The
    // registry acts over HTTP, approve and promote, carry no source address yet: a gap reported in docs/compliance.md.)
    const overHttp = events.filter((event) => /^(admin|api_key|inference|authentication|authorization|session|audit)\./.test(event.action));
    expect(overHttp).toHaveLength(22);
    for (const event of overHttp) expect(event.actor.sourceIp).toBe('127.0.0.1');
  });

  it('records each decision with the sha256 of the policy bundle that made it, the deciding policies and the obligations applied', () => {
    expect(activatedSha256).not.toBe(folderSha256);
    const activatedAt = events.findIndex((event) => event.action === 'policy_bundle.activated');
    const decided = events.map((event, index) => ({ event, index })).filter(({ event }) => event.policy);
    expect(decided.map(({ event }) => line(event))).toEqual([
      'admin.denied denied alice model:support-bot',
      'inference.request success carol drill-story',
      'inference.response success carol drill-story',
      'inference.request success carol drill-claim',
      'inference.response success carol drill-claim',
      'inference.request denied dave drill-card',
      'inference.request denied dave drill-classified',
      'admin.denied denied alice audit_log',
    ]);
    // Before the activation the folder's bundle decided, after it the activated one: each decision names its own.
    for (const { event, index } of decided) expect(event.policy?.bundleSha256).toBe(index < activatedAt ? folderSha256 : activatedSha256);
    expect(events[decided[0]?.index ?? -1]?.policy).toMatchObject({ decision: 'deny', policyIds: ['admin.four-eyes-approval'] });
    expect(events[decided[7]?.index ?? -1]?.policy).toMatchObject({ decision: 'deny' });
    const byRequest = (id: string) => events.find((event) => event.requestId === id && event.action === 'inference.request');
    expect(byRequest('drill-story')?.policy).toMatchObject({ decision: 'allow', policyIds: expect.arrayContaining(['drill.support-bot-short-answers']), obligations: expect.arrayContaining(['max_tokens:24']) });
    expect(byRequest('drill-claim')?.policy).toMatchObject({ decision: 'allow', policyIds: expect.arrayContaining(['pii.redact-before-remote-models', 'pii.no-raw-content-when-pii-found']) });
    expect(byRequest('drill-claim')?.pii).toEqual({ EMAIL_ADDRESS: 1, PERSON: 1, PHONE_NUMBER: 1 });
    expect(byRequest('drill-card')?.policy).toMatchObject({ decision: 'deny', policyIds: ['pii.no-card-numbers-to-external-models'] });
    expect(byRequest('drill-classified')?.policy).toMatchObject({ decision: 'deny', policyIds: ['classification.within-model-clearance'] });
    // The refused acts name what was attempted; the deactivation names what it revoked and ended.
    expect(events.filter((event) => event.action === 'admin.denied').map((event) => event.details?.['adminAction'])).toEqual(['approve_model', 'export_audit']);
    const deactivations = events.filter((event) => event.action === 'principal.deactivated');
    expect(deactivations.find((event) => event.resource?.id === person('dave').principalId)?.details).toMatchObject({ endedSessions: 1, revokedKeys: [person('dave').keyId] });
    expect(deactivations.map((event) => nameOf.get(event.resource?.id ?? ''))).toEqual(['erin', 'dave']);
  });

  it('holds no raw personal value anywhere in the bundle’s bytes, only typed placeholders and counts', () => {
    const text = bundle.toString('latin1');
    const utf8 = bundle.toString('utf8');
    for (const value of RAW_VALUES) {
      expect(text).not.toContain(value);
      expect(utf8).not.toContain(value);
    }
    // The check can fail: the redacted payloads are in the bundle, placeholders where the values were.
    const claimPayloads = JSON.stringify(events.filter((event) => event.requestId === 'drill-claim').map((event) => event.payload));
    for (const placeholder of ['<PERSON_1>', '<PHONE_NUMBER_1>', '<EMAIL_ADDRESS_1>']) expect(claimPayloads).toContain(placeholder);
    expect(JSON.stringify(events.find((event) => event.requestId === 'drill-card')?.payload)).toContain('<CREDIT_CARD_1>');
  });

  it('fails verification for a tampered copy: edited in place, or forged and re-signed with the log’s own key', async () => {
    // An edited timestamp (backdating carol's revocation) breaks the signed manifest's file hash.
    const revoked = must(events.find((event) => event.action === 'api_key.revoked'), 'revocation');
    const at = bundle.indexOf(`"ts":"${revoked.ts}"`) + 6 + 'YYYY-MM-DDTHH:MM:SS.ffffff'.length - 1;
    const edited = Buffer.from(bundle);
    edited[at] = edited[at] === 0x30 ? 0x31 : 0x30;
    const editedPath = join(workDir, 'edited.tar');
    writeFileSync(editedPath, edited);
    const cli = await runVerifierCli(['--bundle', editedPath, '--key', verifierKey]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`NOT INTACT: [${VerifyFailureCode.BundleFileHashMismatch}] events.jsonl differs from its manifest hash`);

    // An insider with the signing key removes the deactivation and re-signs the bundle: the log's structure still tells.
    const entries = new Map(readTar(bundle).map((entry) => [entry.name, entry.data]));
    const manifest = parseCanonical(entries.get(BUNDLE_FILES.manifest) as Buffer) as unknown as BundleManifest;
    const leaves = entries.get(BUNDLE_FILES.leaves) as Buffer;
    const lines = (entries.get(BUNDLE_FILES.events) as Buffer).toString('utf8').split('\n').filter(Boolean);
    const hidden = events.findIndex((event) => event.action === 'principal.deactivated');
    const forged = buildBundle(
      {
        origin: manifest.origin,
        createdAt: manifest.createdAt,
        from: manifest.from,
        to: manifest.to,
        firstSeq: manifest.firstSeq,
        events: lines.filter((_, index) => index !== hidden).map((text) => Buffer.from(text, 'utf8')),
        leafHashes: [...Array(manifest.treeSize - 1).keys()].map((position) => {
          const source = position >= manifest.firstSeq + hidden ? position + 1 : position;
          return leaves.subarray(source * 32, source * 32 + 32);
        }),
        checkpoints: parseCanonical(entries.get(BUNDLE_FILES.checkpoints) as Buffer) as string[],
        publicKeys: [],
      },
      gateway.app.get(AuditCheckpointer).signer,
    );
    const report = verifyBundle(forged, { trustedKeys: [{ verifier: parseVerifierKey(verifierKey) }] });
    expect(report.ok).toBe(false);
    expect(report.failure).toMatchObject({ code: VerifyFailureCode.EventOutOfPlace, seq: manifest.firstSeq + hidden });
  });
});
