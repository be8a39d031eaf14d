import { parseVerifierKey, verifyBundle } from '@attest/audit';
import { findFreePort } from '@attest/db';
import { AuditCheckpointer } from '@attest/audit/nest';
import { ModelRegistryService } from '@attest/registry/nest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_AUDIENCE, TestIdp } from '../../../libs/identity/test/test-idp';
import { seedUsageHistory } from './support/audit-seed';
import { axeViolations, expectAccessible } from './support/axe';
import { launchBrowser, type TestBrowser } from './support/browser';
import { ensurePortalBuilt } from './support/portal-build';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const BUILTIN_GGUF = join(__dirname, '../../../models/builtin/stories260k-f32-v3.gguf');

/**
 * The built portal in Debian's Chromium against the admin API on a real PostgreSQL, signed in through the in-process
 * OpenID provider (authorization code + PKCE, HttpOnly session cookie). Every main page is checked with axe-core against
 * WCAG 2.0/2.1/2.2 A and AA; any violation fails the spec.
 */
describe('portal in the browser', () => {
  let idp: TestIdp;
  let sut: PortalTestApp;
  /** Alice (admin) signs in once; the specs below share her browser and session. */
  let admin: TestBrowser;
  let auditor: TestBrowser | undefined;

  beforeAll(async () => {
    ensurePortalBuilt();
    const port = await findFreePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await TestIdp.start(publicUrl);
    idp.users.set('carol', { name: 'Carol Auditor', groups: ['auditors'] });
    sut = await startPortalTestApp({
      port,
      // Two weeks of inference on past days, so the overview has something to chart.
      seed: (dataSource) => seedUsageHistory(dataSource),
      env: {
        ATTEST_OIDC_ISSUER: idp.issuer,
        ATTEST_OIDC_AUDIENCE: TEST_AUDIENCE,
        ATTEST_OIDC_CLIENT_ID: idp.portalClient.clientId,
        ATTEST_OIDC_CLIENT_SECRET: idp.portalClient.clientSecret,
        ATTEST_OIDC_ALLOW_INSECURE_HTTP: 'true',
        ATTEST_PUBLIC_URL: publicUrl,
        ATTEST_ROLE_MAPPING: JSON.stringify([
          { claim: 'groups', equals: 'attest/admins', roles: ['admin', 'model-approver'] },
          { claim: 'groups', equals: 'auditors', roles: ['auditor'] },
        ]),
      },
    });
    admin = await signInWithSso('alice');
  });
  afterAll(async () => {
    await admin?.close();
    await auditor?.close();
    await sut?.close();
    await idp?.close();
  });

  /** Runs `body` while another connection holds audit_retention: a verification or export job waits on it, in progress. */
  async function whileRetentionLocked(body: () => Promise<void>): Promise<void> {
    const client = new Client({ connectionString: sut.db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('LOCK TABLE audit_retention IN ACCESS EXCLUSIVE MODE');
      await body();
    } finally {
      await client.query('COMMIT');
      await client.end();
    }
  }

  async function signInWithSso(user: string): Promise<TestBrowser> {
    idp.nextUser = user;
    const browser = await launchBrowser();
    const { page } = browser;
    await page.goto(`${sut.url}/portal/`);
    await page.getByRole('heading', { name: 'Sign in to Attest' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor();
    await browser.screenshot('sign-in');
    await expectAccessible(page, 'sign-in');
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return browser;
  }

  it('lands an admin on the overview: charts with text alternatives and their numbers in tables', async () => {
    const { page, screenshot } = admin;
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const requests = page.getByRole('figure', { name: 'Requests per day' });
    await requests.getByRole('img', { name: /^Requests per day Requests per UTC day: \d+ in all, \d+ denied/ }).waitFor();
    for (const chart of ['Tokens per day', 'PII findings per day, by type', 'Latency per day (ms)', 'Requests by team', 'Requests by model']) {
      await page.getByRole('figure', { name: chart }).getByRole('img').waitFor();
    }
    expect(await page.getByRole('figure', { name: 'Requests by team' }).textContent()).toContain('claims');
    await screenshot('dashboard');

    await requests.getByText('Show the numbers: Requests per day').click();
    const table = requests.getByRole('table', { name: 'Requests per day' });
    // A header row and one row per day of the default period (14 UTC days, today included).
    expect(await table.getByRole('row').count()).toBe(15);
    await screenshot('dashboard-numbers');
    await expectAccessible(page, 'dashboard');
    // The check can fail: an unlabelled field is caught.
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<input id="axe-probe">'));
    expect((await axeViolations(page)).join('\n')).toMatch(/^label \(critical\): .*#axe-probe/m);
    await page.evaluate(() => document.getElementById('axe-probe')?.remove());

    await page.getByLabel('Period', { exact: true }).selectOption('7');
    await page.getByRole('figure', { name: 'Requests per day' }).getByText('Show the numbers: Requests per day').click();
    await page.getByRole('figure', { name: 'Requests per day' }).getByRole('table').getByRole('row').nth(7).waitFor();
    expect(await page.getByRole('figure', { name: 'Requests per day' }).getByRole('table').getByRole('row').count()).toBe(8);
  });

  it('signs an admin in with SSO, keeps only an HttpOnly cookie, creates a key shown once and revokes it', async () => {
    const { page, context, screenshot } = admin;
    const cookies = await context.cookies(sut.url);
    expect(cookies.map((cookie) => ({ name: cookie.name, httpOnly: cookie.httpOnly }))).toContainEqual({ name: '__Host-attest_session', httpOnly: true });
    expect(await page.evaluate<string>('document.cookie')).not.toContain('attest_session');

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('browser-made');
    await page.getByRole('button', { name: 'Create key' }).click();
    const newKey = await page.getByTestId('new-key').textContent();
    expect(newKey).toMatch(/^atk_/);
    const row = page.getByRole('row', { name: /browser-made/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('active');
    await screenshot('api-keys');
    await expectAccessible(page, 'api keys');

    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('new-key').count()).toBe(0);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke browser-made' }).click();
    await page.getByRole('status').filter({ hasText: 'revoked' }).waitFor();
    await row.filter({ hasText: 'revoked' }).waitFor();
    expect(await row.getByRole('button', { name: 'Revoke browser-made' }).count()).toBe(0);
    const me = await fetch(`${sut.url}/auth/me`, { headers: { authorization: `Bearer ${newKey}` } });
    expect(me.status).toBe(401);
  });

  it('shows models with their GGUF metadata, approves a version as the second person and promotes it', async () => {
    const { page, screenshot } = admin;
    await sut.app.get(ModelRegistryService).register(
      { name: 'stories-review', source: { kind: 'local_gguf', path: BUILTIN_GGUF }, card: 'Reviewed in the browser spec.' },
      { id: 'cli-operator', kind: 'system', tenant: 'default', roles: ['model-approver'], authMethod: 'cli' },
    );
    await page.getByRole('link', { name: 'Models' }).click();
    const versions = page.getByRole('table', { name: 'Model versions' });
    await versions.getByRole('rowheader', { name: 'stories-review@1' }).waitFor();
    await page.getByText('Details of stories-review@1').click();
    await page.getByText('Reviewed in the browser spec.').waitFor();
    expect(await versions.textContent()).toContain('llama');
    await screenshot('models');
    await expectAccessible(page, 'models');

    await page.getByRole('button', { name: 'Approve stories-review@1' }).click();
    await page.getByRole('status').filter({ hasText: 'stories-review@1 is now approved' }).waitFor();
    await page.getByRole('button', { name: 'Promote stories-review@1' }).click();
    await page.getByRole('status').filter({ hasText: 'stories-review@1 is now active' }).waitFor();
    // One-click rollback of a version: deprecate it, then bring it back.
    await page.getByRole('button', { name: 'Deprecate stories-review@1' }).click();
    await page.getByRole('status').filter({ hasText: 'stories-review@1 is now deprecated' }).waitFor();
    await page.getByRole('button', { name: 'Re-activate stories-review@1' }).click();
    await page.getByRole('status').filter({ hasText: 'stories-review@1 is now active' }).waitFor();
  });

  it('dry-runs a policy decision with the active bundle', async () => {
    const { page, screenshot } = admin;
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByTestId('active-bundle').waitFor();
    await page.getByLabel('Model or alias').fill('stories260k');
    await page.getByRole('button', { name: 'Decide' }).click();
    await page.getByRole('heading', { name: /^Decision: (allow|deny)$/ }).waitFor();
    await screenshot('policies');
    await expectAccessible(page, 'policies');
  });

  it('can be used from the keyboard: a skip link first, then the main navigation', async () => {
    const { page } = admin;
    await page.goto(`${sut.url}/portal/#/keys`);
    // A fresh document, so the focus starts at the top as it does for a user arriving at the page.
    await page.reload();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null | undefined>("document.activeElement?.getAttribute('href')")).toBe('#/overview');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null | undefined>("document.activeElement?.getAttribute('href')")).toBe('#/keys');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
  });

  it('refuses a state-changing call from the session without the anti-CSRF header', async () => {
    const { page } = admin;
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/admin/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'forged', roles: ['admin'] }) });
      return response.status;
    });
    expect(status).toBe(403);
  });

  it('shows an auditor no admin page and refuses an admin action', async () => {
    auditor = await signInWithSso('carol');
    const { page } = auditor;
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).toEqual(['Overview', 'Models', 'Policies', 'Audit log', 'Retention & legal holds']);
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/admin/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-attest-request': 'portal' },
        body: JSON.stringify({ name: 'by-auditor', roles: ['admin'] }),
      });
      return response.status;
    });
    expect(status).toBe(403);
  });

  it('lets the auditor verify the log, search events and open one with its integrity status', async () => {
    const { page, screenshot } = auditor ?? (auditor = await signInWithSso('carol'));
    const [row] = (await sut.db.dataSource.query(`SELECT id FROM audit_event WHERE action = 'api_key.revoked' ORDER BY seq DESC LIMIT 1`)) as { id: string }[];
    await sut.app.get(AuditCheckpointer).checkpoint();
    await page.getByRole('link', { name: 'Audit log' }).click();

    // Verification is a background job: held on a table lock, it shows its progress bar and words; then the result.
    await whileRetentionLocked(async () => {
      await page.getByRole('button', { name: 'Verify integrity' }).click();
      await page.getByRole('progressbar', { name: 'Verification progress' }).waitFor();
      await page.getByRole('status').filter({ hasText: /^Verified 0 of [\d,]+ events$/ }).waitFor();
      await screenshot('audit-verify-progress');
      await expectAccessible(page, 'verification in progress');
    });
    await page.getByRole('heading', { name: 'Result: intact' }).waitFor();
    expect(await page.getByRole('progressbar').count()).toBe(0);

    await page.getByLabel(/^Action/).fill('api_key.revoked');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const events = page.getByRole('table', { name: /^Audit events/ });
    // The filtered page has replaced the first one once no other action is listed.
    await events.getByRole('row').filter({ hasText: 'api_key.created' }).first().waitFor({ state: 'detached' });
    await events.getByRole('row').filter({ hasText: 'api_key.revoked' }).first().waitFor();
    await expectAccessible(page, 'audit list');
    await events.getByRole('button', { name: /^Open event \d+: api_key.revoked$/ }).first().click();
    await page.getByRole('heading', { name: 'api_key.revoked (success)' }).waitFor();
    expect(await page.getByText(row!.id).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('integrity').textContent()).toMatch(/^Verified: event \d+ is included/);
    await screenshot('audit');
    await expectAccessible(page, 'event detail');

    // Saved searches: save the applied search, clear it, apply it again, delete it.
    await page.getByLabel('Name for the current search').fill('Revoked keys');
    await page.getByRole('button', { name: 'Save current search' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved the search “Revoked keys”.' }).waitFor();
    const saved = page.getByRole('table', { name: 'Your saved searches' });
    await saved.getByRole('row', { name: /Revoked keys/ }).waitFor();
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.getByTestId('current-filter').filter({ hasText: 'all events' }).waitFor();
    expect(await page.getByLabel(/^Action/).inputValue()).toBe('');
    await saved.getByRole('button', { name: 'Apply Revoked keys' }).click();
    await page.getByTestId('current-filter').filter({ hasText: 'action api_key.revoked' }).waitFor();
    expect(await page.getByLabel(/^Action/).inputValue()).toBe('api_key.revoked');
    await screenshot('audit-saved-searches');
    await expectAccessible(page, 'saved searches');
    await saved.getByRole('button', { name: 'Delete Revoked keys' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted the saved search “Revoked keys”.' }).waitFor();
    await page.getByText('No saved searches yet.').waitFor();

    // The filters only the event bytes answer: a PII type on inference requests.
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.getByLabel(/^Action/).fill('inference.request');
    await page.getByLabel(/^PII type/).fill('EMAIL_ADDRESS');
    await page.getByLabel('Policy decision').selectOption('allow');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await events.getByRole('row').filter({ hasText: 'api_key.revoked' }).first().waitFor({ state: 'detached' });
    await events.getByRole('button', { name: /^Open event \d+: inference.request$/ }).first().click();
    await page.getByRole('heading', { name: 'inference.request (success)' }).waitFor();
    expect(await page.getByText(/EMAIL_ADDRESS: \d/).count()).toBeGreaterThan(0);

    // Export the applied search: a background job with its phases, recorded before the bundle is offered.
    const exportPanel = page.getByRole('region', { name: 'Export evidence' });
    await whileRetentionLocked(async () => {
      await exportPanel.getByRole('button', { name: 'Export evidence' }).click();
      await exportPanel.getByRole('progressbar', { name: 'Export progress' }).waitFor();
      await exportPanel.getByRole('status').filter({ hasText: /^Packing [\d,]+ events into the bundle$/ }).waitFor();
      await expectAccessible(page, 'export in progress');
    });
    await exportPanel.getByText(/^The bundle holds [\d,]+ events, [\d,]+ of them matching the search/).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), exportPanel.getByRole('button', { name: 'Download bundle' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^attest-evidence-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.tar$/);
    const bundle = readFileSync(await download.path());
    const verifierKey = sut.app.get(AuditCheckpointer).signer.verifierKey;
    expect(verifyBundle(bundle, { trustedKeys: [{ verifier: parseVerifierKey(verifierKey) }] })).toMatchObject({ ok: true });
    expect(await exportPanel.locator('pre code').textContent()).toBe(`npm run attest -- audit verify --bundle ${download.suggestedFilename()} --key '${verifierKey}'`);
    const exported = (await sut.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'audit.exported'`)) as { n: number }[];
    expect(exported[0]?.n).toBe(1);
    await screenshot('audit-export');
    await expectAccessible(page, 'export done');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/portal'));
    const cookies = await page.context().cookies(sut.url);
    expect(cookies.map((cookie) => cookie.name)).not.toContain('__Host-attest_session');
  });
});
