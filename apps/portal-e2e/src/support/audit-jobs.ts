/** What `GET /api/audit/jobs/:id` answers. */
export interface AuditJobStatus {
  id: string;
  kind: 'verify' | 'export';
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  phase?: string;
  startedAt: string;
  finishedAt?: string;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

export interface AuditJobClient {
  /** `POST path` (202 `{ jobId }`): the status and the job id, or the error body when refused. */
  start(path: string, key: string, body?: unknown): Promise<{ status: number; jobId: string; body: Record<string, unknown> }>;
  status(jobId: string, key: string): Promise<{ status: number; body: AuditJobStatus }>;
  /** Polls every 25 ms until the job is no longer running; throws after `timeoutMs`. */
  finish(jobId: string, key: string, timeoutMs?: number): Promise<AuditJobStatus>;
  /** Starts a job and waits for its end. */
  run(path: string, key: string, body?: unknown): Promise<AuditJobStatus>;
  bundle(jobId: string, key: string): Promise<Response>;
}

/** The auditor console's background jobs over HTTP, with an API key (`Authorization: Bearer`). */
export function auditJobClient(baseUrl: string): AuditJobClient {
  const client: AuditJobClient = {
    async start(path, key, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      return { status: response.status, jobId: String(answer['jobId'] ?? ''), body: answer };
    },
    async status(jobId, key) {
      const response = await fetch(`${baseUrl}/api/audit/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, body: (await response.json()) as AuditJobStatus };
    },
    async finish(jobId, key, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, body } = await client.status(jobId, key);
        if (status !== 200) throw new Error(`GET /api/audit/jobs/${jobId} answered ${status}: ${JSON.stringify(body)}`);
        if (body.state !== 'running') return body;
        if (Date.now() > deadline) throw new Error(`audit job ${jobId} still running after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async run(path, key, body) {
      const started = await client.start(path, key, body);
      if (started.status !== 202) throw new Error(`POST ${path} answered ${started.status}: ${JSON.stringify(started.body)}`);
      return client.finish(started.jobId, key);
    },
    bundle(jobId, key) {
      return fetch(`${baseUrl}/api/audit/jobs/${jobId}/bundle`, { headers: { authorization: `Bearer ${key}` } });
    },
  };
  return client;
}
