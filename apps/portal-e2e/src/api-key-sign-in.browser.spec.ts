import { expectAccessible } from './support/axe';
import { launchBrowser, type TestBrowser } from './support/browser';
import { ensurePortalBuilt } from './support/portal-build';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

/**
 * The zero-configuration start: no identity provider, so an admin signs in to the built portal with an API key (the
 * bootstrap admin key in real life). The key goes to the gateway once; the browser keeps only the HttpOnly session cookie.
 */
describe('portal sign-in with an API key (no SSO configured)', () => {
  let sut: PortalTestApp;
  let browser: TestBrowser | undefined;

  beforeAll(async () => {
    ensurePortalBuilt();
    sut = await startPortalTestApp();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.close();
  });

  it('signs an admin in with a key through the form and keeps neither the key nor a readable session in the page', async () => {
    const adminKey = await sut.issueKey({ name: 'bootstrap-like-admin', roles: ['admin'], holder: 'person' });
    browser = await launchBrowser();
    const { page, context } = browser;

    await page.goto(`${sut.url}/portal/`);
    await page.getByRole('heading', { name: 'Sign in to Attest' }).waitFor();
    await page.getByText('Single sign-on is not configured').waitFor();
    expect(await page.getByRole('link', { name: 'Sign in with single sign-on' }).count()).toBe(0);
    await page.getByLabel('API key').fill(adminKey);
    await browser.screenshot('sign-in-api-key');
    await page.getByRole('button', { name: 'Sign in with an API key' }).click();

    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByRole('row', { name: /bootstrap-like-admin/ }).waitFor();

    const cookies = await context.cookies(sut.url);
    expect(cookies.map((cookie) => ({ name: cookie.name, httpOnly: cookie.httpOnly }))).toContainEqual({ name: '__Host-attest_session', httpOnly: true });
    expect(cookies.map((cookie) => cookie.value).join(' ')).not.toContain(adminKey);
    expect(await page.evaluate<string>('document.cookie')).not.toContain('attest_session');
    const stored = await page.evaluate<string>(
      `JSON.stringify([localStorage, sessionStorage].map((storage) => Object.keys(storage).map((name) => [name, storage.getItem(name)])))`,
    );
    expect(stored).not.toContain(adminKey);
    expect(stored).not.toContain(adminKey.slice(0, 16));
    expect(await page.getByLabel('API key').count()).toBe(0);

    const [created] = (await sut.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8') AS body FROM audit_event WHERE action = 'session.created' ORDER BY seq DESC LIMIT 1`,
    )) as { body: string }[];
    expect(created?.body).toContain('"method":"api_key"');
  });

  it('shows a fresh gateway\'s overview empty with what to do, and a failed load with a way to retry', async () => {
    const { page, screenshot } = browser!;
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'No requests in the last 14 days' }).waitFor();
    expect(await page.getByTestId('overview-empty').textContent()).toContain('Create a key on the API keys page');
    await screenshot('dashboard-empty');
    await expectAccessible(page, 'empty overview');

    await page.route('**/api/admin/dashboard**', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { message: 'The audit log is unavailable.', code: 'audit_unavailable' } }) }),
    );
    await page.getByLabel('Period', { exact: true }).selectOption('30');
    await page.getByRole('alert').filter({ hasText: 'The audit log is unavailable.' }).waitFor();
    await screenshot('dashboard-error');
    await expectAccessible(page, 'overview error');
    await page.unroute('**/api/admin/dashboard**');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'No requests in the last 30 days' }).waitFor();
  });

  it('answers 400 naming the field when the key is missing, and 401 for a wrong key', async () => {
    const post = (body: unknown) =>
      fetch(`${sut.url}/api/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-attest-request': 'portal' }, body: JSON.stringify(body) });
    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^apiKey: /);
    const wrong = await post({ apiKey: 'atk_000000000000_0000000000000000000000000000000000000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const crossSite = await fetch(`${sut.url}/api/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"apiKey":"x"}' });
    expect(crossSite.status).toBe(403);
  });
});
