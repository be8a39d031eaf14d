import { parseVerifierKey, verifyBundle } from '@attest/audit';
import type { AuditActor } from '@attest/contracts';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { AuditJobsService } from '../../gateway/src/admin/audit-jobs.service';
import { appendDatedEvents, inferenceEvents } from './support/audit-seed';
import { auditJobClient, type AuditJobClient, type AuditJobStatus } from './support/audit-jobs';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const SEEDED_CALLS = 1_500;
const DAY_MS = 86_400_000;
const SEED_CALLER: AuditActor = { principalId: '0190b3a4-0000-7000-8000-000000000001', kind: 'service', tenant: 'default', authMethod: 'api_key' };

/**
 * The auditor console's background jobs over HTTP: `POST /api/audit/verify` and `POST /api/audit/exports` answer 202
 * with a job that its starter polls (`GET /api/audit/jobs/:id`) and, for an export, fetches (`…/bundle`). A job is held
 * at a known point by locking a table it reads (audit_retention: the verification reads it right after the log head,
 * the export while packing), so "running" and the caps are observed without timing guesses.
 */
describe('audit console jobs', () => {
  let sut: PortalTestApp;
  let jobs: AuditJobClient;
  let carol: string;
  let dave: string;
  let erin: string;
  let bundles: string;

  /** Runs `body` while another connection holds an exclusive lock on `table` (jobs that read or write it wait). */
  async function whileLocked<T>(table: 'audit_retention' | 'audit_checkpoint', body: () => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: sut.db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return await body();
    } finally {
      await client.query('COMMIT');
      await client.end();
    }
  }

  /** Polls until the running job has `predicate` true (a job blocked on the lock stays there). */
  async function until(jobId: string, key: string, predicate: (job: AuditJobStatus) => boolean): Promise<AuditJobStatus> {
    for (let tries = 0; tries < 400; tries++) {
      const { body } = await jobs.status(jobId, key);
      if (predicate(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`audit job ${jobId} never reached the expected point`);
  }

  async function countEvents(action: string): Promise<number> {
    const rows: { n: string }[] = await sut.db.dataSource.query(`SELECT count(*)::text AS n FROM audit_event WHERE action = $1`, [action]);
    return Number(rows[0]?.n);
  }

  const bundleFiles = () => readdirSync(bundles).filter((name) => name.endsWith('.tar'));

  beforeAll(async () => {
    const yesterday = Date.now() - DAY_MS;
    sut = await startPortalTestApp({
      env: { ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' },
      // A few thousand events on yesterday, so the jobs have a log to walk through.
      seed: (dataSource) =>
        appendDatedEvents(
          dataSource,
          Array.from({ length: SEEDED_CALLS }, (_, index) => inferenceEvents({ at: new Date(yesterday + index * 10), actor: SEED_CALLER, requestId: `jobs-${index}` })).flat(),
        ),
    });
    jobs = auditJobClient(sut.url);
    carol = await sut.issueKey({ name: 'carol-auditor', roles: ['auditor'], holder: 'person' });
    dave = await sut.issueKey({ name: 'dave-auditor', roles: ['auditor'], holder: 'person' });
    erin = await sut.issueKey({ name: 'erin-auditor', roles: ['auditor'], holder: 'person' });
    bundles = join(String(process.env['ATTEST_DATA_DIR']), 'audit-jobs');
  });
  afterAll(() => sut?.close());

  it('verifies the log in a job: 202, running with its progress, then done with the report, recorded once', async () => {
    const verifiedBefore = await countEvents('audit.log_verified');
    const running = await whileLocked('audit_retention', async () => {
      const started = await fetch(`${sut.url}/api/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${carol}` } });
      expect(started.status).toBe(202);
      expect(started.headers.get('cache-control')).toBe('no-store');
      const { jobId } = (await started.json()) as { jobId: string };
      const blocked = await until(jobId, carol, (job) => job.total > 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await jobs.status(jobId, carol)).body).toMatchObject({ id: jobId, kind: 'verify', state: 'running', done: 0, total: blocked.total });
      // Nothing is recorded until the verification has an outcome.
      expect(await countEvents('audit.log_verified')).toBe(verifiedBefore);
      return blocked;
    });
    expect(running.total).toBeGreaterThanOrEqual(2 * SEEDED_CALLS);
    expect(running.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const finished = await jobs.finish(running.id, carol);
    expect(finished).toMatchObject({ state: 'done', done: running.total, total: running.total, result: { ok: true } });
    expect(Number(finished.result?.['size'])).toBeGreaterThanOrEqual(running.total);
    expect(Date.parse(String(finished.finishedAt))).toBeGreaterThanOrEqual(Date.parse(running.startedAt));
    expect(await countEvents('audit.log_verified')).toBe(verifiedBefore + 1);
    // Reading the job again records nothing more.
    await jobs.status(running.id, carol);
    expect(await countEvents('audit.log_verified')).toBe(verifiedBefore + 1);
  });

  it('shows a job only to the person who started it', async () => {
    const { id } = await jobs.run('/api/audit/verify', carol);
    const admin = await sut.issueKey({ name: 'jobs-admin', roles: ['admin'], holder: 'person' });
    for (const other of [dave, admin]) {
      const status = await jobs.status(id, other);
      expect(status.status).toBe(404);
      expect(status.body).toMatchObject({ error: { code: 'AUDIT_JOB_NOT_FOUND' } });
      expect((await jobs.bundle(id, other)).status).toBe(404);
    }
    expect((await jobs.status(id, carol)).status).toBe(200);
    // A verification has no bundle, even for its owner.
    const bundle = await jobs.bundle(id, carol);
    expect(bundle.status).toBe(404);
    expect(await bundle.json()).toMatchObject({ error: { code: 'AUDIT_JOB_NOT_FOUND', message: expect.stringContaining('no bundle') } });
  });

  it('caps running jobs per person and per replica with 429', async () => {
    // Exports wait in their sealing phase on one checkpoint (theirs is shared), which holds the only connection they
    // keep: the gateway's small test pool still answers the refused requests.
    const range = { from: new Date(Date.now() - DAY_MS).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const started: { key: string; jobId: string }[] = [];
    const exportedBefore = await countEvents('audit.exported');
    await whileLocked('audit_checkpoint', async () => {
      for (const key of [carol, carol]) {
        const { status, jobId } = await jobs.start('/api/audit/exports', key, range);
        expect(status).toBe(202);
        started.push({ key, jobId });
        await until(jobId, key, (job) => job.phase === 'sealing');
      }
      const third = await jobs.start('/api/audit/exports', carol, range);
      expect(third.status).toBe(429);
      expect(third.body).toMatchObject({ error: { code: 'AUDIT_JOB_LIMIT', type: 'rate_limit_error', message: expect.stringContaining('one person') } });

      for (const key of [dave, dave]) started.push({ key, jobId: (await jobs.start('/api/audit/exports', key, range)).jobId });
      const fifth = await jobs.start('/api/audit/verify', erin);
      expect(fifth.status).toBe(429);
      expect(fifth.body).toMatchObject({ error: { code: 'AUDIT_JOB_LIMIT', message: expect.stringContaining('This gateway') } });
      for (const { key, jobId } of started) expect((await jobs.status(jobId, key)).body.state).toBe('running');
    });
    for (const { key, jobId } of started) expect(await jobs.finish(jobId, key)).toMatchObject({ state: 'done' });
    expect(await countEvents('audit.exported')).toBe(exportedBefore + started.length);
    // Places free again once the jobs end.
    expect((await jobs.run('/api/audit/verify', erin)).state).toBe('done');
  });

  it('exports in a job through its phases, records the export once before the bundle can be fetched, and hands out a bundle that verifies', async () => {
    const exportedBefore = await countEvents('audit.exported');
    const range = { from: new Date(Date.now() - 2 * DAY_MS).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const packing = await whileLocked('audit_retention', async () => {
      const started = await jobs.start('/api/audit/exports', dave, { ...range, filter: { action: 'inference.', model: 'stories260k' } });
      expect(started.status).toBe(202);
      const blocked = await until(started.jobId, dave, (job) => job.phase === 'packing');
      expect(blocked).toMatchObject({ kind: 'export', state: 'running', done: 0 });
      expect(blocked.total).toBeGreaterThanOrEqual(2 * SEEDED_CALLS);
      const early = await jobs.bundle(started.jobId, dave);
      expect(early.status).toBe(409);
      expect(await early.json()).toMatchObject({ error: { code: 'AUDIT_JOB_NOT_READY' } });
      expect(await countEvents('audit.exported')).toBe(exportedBefore);
      return blocked;
    });

    const finished = await jobs.finish(packing.id, dave);
    expect(finished).toMatchObject({ state: 'done', result: { events: 2 * SEEDED_CALLS, matching: 2 * SEEDED_CALLS } });
    expect(finished.phase).toBeUndefined();
    expect(finished.done).toBe(finished.total);
    expect(await countEvents('audit.exported')).toBe(exportedBefore + 1);

    const response = await jobs.bundle(packing.id, dave);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="attest-evidence-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.tar"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-attest-bundle-events')).toBe(String(2 * SEEDED_CALLS));
    expect(response.headers.get('x-attest-bundle-matching-events')).toBe(String(2 * SEEDED_CALLS));
    const bundle = Buffer.from(await response.arrayBuffer());
    expect(bundle.length).toBe(finished.result?.['bytes']);
    const report = verifyBundle(bundle, { trustedKeys: [{ verifier: parseVerifierKey(response.headers.get('x-attest-verifier-key') ?? '') }] });
    // Exactly the filtered events travel with their bytes; every leaf hash of the log beside them.
    expect(report).toMatchObject({ ok: true, eventsChecked: 2 * SEEDED_CALLS });

    // Fetching again hands out the same bytes and records nothing more.
    expect(Buffer.from(await (await jobs.bundle(packing.id, dave)).arrayBuffer()).equals(bundle)).toBe(true);
    expect(await countEvents('audit.exported')).toBe(exportedBefore + 1);
    const [recorded] = (await sut.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = 'audit.exported' ORDER BY seq DESC LIMIT 1`,
    )) as { doc: { details: Record<string, unknown> } }[];
    expect(recorded?.doc.details).toMatchObject({ from: range.from, to: range.to, events: 2 * SEEDED_CALLS, bytes: bundle.length, matching: 2 * SEEDED_CALLS, action: 'inference.', model: 'stories260k' });

    // The bundle waits in the data folder, readable by the gateway's user only.
    expect(bundleFiles()).toContain(`${packing.id}.tar`);
    expect(statSync(join(bundles, `${packing.id}.tar`)).mode & 0o777).toBe(0o600);
  });

  it('keeps the request-time refusals of the synchronous route: validation 400, policy 403', async () => {
    const admin = await sut.issueKey({ name: 'exporting-admin', roles: ['admin'], holder: 'person' });
    const range = { from: new Date(Date.now() - DAY_MS).toISOString(), to: new Date().toISOString() };
    expect((await jobs.start('/api/audit/exports', admin, range)).status).toBe(403);
    const reversed = await jobs.start('/api/audit/exports', erin, { from: range.to, to: range.from });
    expect(reversed.status).toBe(400);
    expect(JSON.stringify(reversed.body)).toContain('to');
  });

  it('forgets finished jobs and deletes their bundles 15 minutes after they end', async () => {
    const range = { from: new Date(Date.now() - DAY_MS).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const job = await jobs.run('/api/audit/exports', erin, range);
    const service = sut.app.get(AuditJobsService);
    const finishedAt = Date.parse(String(job.finishedAt));
    await service.sweep(finishedAt + 14 * 60_000);
    expect((await jobs.status(job.id, erin)).status).toBe(200);
    expect(bundleFiles()).toContain(`${job.id}.tar`);

    expect(await service.sweep(finishedAt + 15 * 60_000)).toBeGreaterThanOrEqual(1);
    expect((await jobs.status(job.id, erin)).body).toMatchObject({ error: { code: 'AUDIT_JOB_NOT_FOUND' } });
    expect((await jobs.bundle(job.id, erin)).status).toBe(404);
    expect(bundleFiles()).not.toContain(`${job.id}.tar`);
  });

  it('deletes every bundle when the gateway shuts down', async () => {
    const range = { from: new Date(Date.now() - DAY_MS).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const job = await jobs.run('/api/audit/exports', carol, range);
    expect(bundleFiles()).toContain(`${job.id}.tar`);
    // The hook Nest runs on close (afterAll closes the app; the hook is idempotent).
    await sut.app.get(AuditJobsService).onModuleDestroy();
    expect(bundleFiles()).toEqual([]);
  });
});
