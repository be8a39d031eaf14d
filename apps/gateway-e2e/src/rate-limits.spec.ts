import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { error?: { code?: string; message?: string } } & Record<string, unknown>;
}

// Small limits so the spec reaches them; production defaults are 20 sign-ins per IP and 30 key acts per admin a minute.
describe('rate limits on sign-in and API key administration', () => {
  let gateway: E2eGateway;

  async function call(method: string, path: string, init: { key?: string; body?: unknown } = {}): Promise<Answer> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        'x-attest-request': 'portal',
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] };
  }

  beforeAll(async () => {
    gateway = await startE2eGateway({ ATTEST_SIGN_IN_RATE_LIMIT: '3', ATTEST_KEY_ADMIN_RATE_LIMIT: '2' });
  });
  afterAll(() => gateway.close());

  it('refuses the fourth sign-in attempt from one address in a minute with 429, Retry-After and a stable code', async () => {
    const wrongKey = `atk_aaaaaaaaaaaa_${'b'.repeat(32)}`;
    const attempts: Answer[] = [];
    for (let attempt = 0; attempt < 3; attempt++) attempts.push(await call('POST', '/api/admin/session', { body: { apiKey: wrongKey } }));
    expect(attempts.map((answer) => answer.status)).toEqual([401, 401, 401]);

    // The limit holds even for the right key: a guesser cannot tell a hit from a refusal once limited.
    const limited = await call('POST', '/api/admin/session', { body: { apiKey: gateway.adminKey } });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
  });

  it('limits key administration per admin, and leaves other admins and reads alone', async () => {
    const create = (key: string, name: string) => call('POST', '/api/admin/keys', { key, body: { name, roles: ['developer'], expiresInDays: 1 } });
    expect((await create(gateway.adminKey, 'first')).status).toBe(201);
    expect((await create(gateway.adminKey, 'second')).status).toBe(201);
    const third = await create(gateway.adminKey, 'third');
    expect(third.status).toBe(429);
    expect(third.body.error?.code).toBe('RATE_LIMITED');

    const listed = await call('GET', '/api/admin/keys', { key: gateway.adminKey });
    expect(listed.status).toBe(200);
    expect((listed.body['keys'] as { name: string }[]).map((key) => key.name)).not.toContain('third');

    const otherAdmin = await gateway.issueKey({ name: 'other-admin', roles: ['admin'], holder: 'person' });
    expect((await create(otherAdmin, 'by-other-admin')).status).toBe(201);
  });
});
