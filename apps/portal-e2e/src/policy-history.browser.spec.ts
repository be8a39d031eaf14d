import { PolicyBundle } from '@attest/policy';
import { PolicyActivationService, PolicyEngineProvider } from '@attest/policy/nest';
import { join } from 'node:path';
import { expectAccessible } from './support/axe';
import type { TestBrowser } from './support/browser';
import { signInWithKey } from './support/key-sign-in';
import { ensurePortalBuilt } from './support/portal-build';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const POLICIES = join(__dirname, '../../../policies');
const ADDED_POLICY = '\n@id("review.auditors-dry-run")\npermit (principal, action == Action::"evaluate_policy", resource is PolicyBundle)\nwhen { principal.roles.contains("auditor") };\n';

/** The Policies page's history: who activated which bundle when, and a line diff of an older bundle against the active one. */
describe('policy history with diffs in the browser', () => {
  let sut: PortalTestApp;
  let adminKey: string;
  let admin: TestBrowser;

  beforeAll(async () => {
    ensurePortalBuilt();
    sut = await startPortalTestApp();
    adminKey = await sut.issueKey({ name: 'policy-admin', roles: ['admin'], holder: 'person' });
    admin = await signInWithKey(sut.url, adminKey);
  });
  afterAll(async () => {
    await admin?.close();
    await sut?.close();
  });

  it('says what to do while no bundle has been activated', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByTestId('active-bundle').waitFor();
    await page.getByText('No bundle has been activated').waitFor();
    expect(await page.getByRole('button', { name: /^Compare/ }).count()).toBe(0);
    await expectAccessible(page, 'policies without history');
  });

  it('lists activations with who made them and shows a line added since an older bundle', async () => {
    const { page, screenshot } = admin;
    const me = (await (await fetch(`${sut.url}/auth/me`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as { id: string };
    const actor = { principalId: me.id, kind: 'user' as const, tenant: 'default', authMethod: 'api_key' };
    const folder = await PolicyBundle.fromDirectory(POLICIES);
    const changed = PolicyBundle.fromFiles({ ...folder.files, 'admin.cedar': `${folder.files['admin.cedar']}${ADDED_POLICY}` });
    const activation = sut.app.get(PolicyActivationService);
    await activation.activate(folder, { tenant: 'default', actor });
    await activation.activate(changed, { tenant: 'default', actor });
    await sut.app.get(PolicyEngineProvider).refresh();

    await page.reload();
    await page.getByTestId('active-bundle').filter({ hasText: changed.sha256 }).waitFor();
    const history = page.getByRole('table', { name: 'Policy bundles (newest activation first)' });
    const rows = history.getByRole('row');
    await rows.nth(2).waitFor();
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).textContent()).toContain(changed.sha256);
    expect(await rows.nth(1).textContent()).toContain('active now');
    expect(await rows.nth(2).textContent()).toContain(folder.sha256);
    expect(await rows.nth(2).textContent()).toContain('policy-admin');

    // From the keyboard: the compare button takes the focus with a visible ring, and Enter opens the diff.
    const compare = page.getByRole('button', { name: `Compare with active: ${folder.sha256.slice(0, 12)}` });
    await compare.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate<string | null | undefined>("document.activeElement?.getAttribute('aria-label')")).toBe(`Compare with active: ${folder.sha256.slice(0, 12)}`);
    expect(await page.evaluate<string>('(() => { const style = getComputedStyle(document.activeElement); return `${style.outlineStyle} ${style.outlineWidth}`; })()')).toBe('solid 3px');
    await page.keyboard.press('Enter');

    const summary = page.getByTestId('diff-summary');
    await summary.filter({ hasText: '4 lines added and 0 removed in 1 file' }).waitFor();
    const file = page.getByRole('table', { name: 'admin.cedar: 4 added, 0 removed' });
    const added = file.getByRole('row').filter({ hasText: '@id("review.auditors-dry-run")' });
    expect(await added.count()).toBe(1);
    expect(await added.getByRole('cell').nth(2).textContent()).toBe('added');
    expect(await added.locator('ins').textContent()).toBe('@id("review.auditors-dry-run")');
    // Unchanged lines far from the change are folded, and no other file is listed.
    expect(await file.getByRole('row').filter({ hasText: /unchanged lines/ }).count()).toBe(1);
    expect(await page.getByRole('table', { name: /attest\.cedarschema/ }).count()).toBe(0);
    await screenshot('policy-history');
    await expectAccessible(page, 'policy diff');
  });

  it("shows the API's message when a bundle cannot be loaded", async () => {
    const { page } = admin;
    const folder = await PolicyBundle.fromDirectory(POLICIES);
    await page.reload();
    await page.route(`**/api/admin/policies/${folder.sha256}`, (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { message: `no policy bundle ${folder.sha256} is stored for this tenant`, code: 'POLICY_BUNDLE_NOT_FOUND' } }) }),
    );
    await page.getByRole('button', { name: `Compare with active: ${folder.sha256.slice(0, 12)}` }).click();
    await page.getByRole('alert').filter({ hasText: `no policy bundle ${folder.sha256} is stored for this tenant` }).waitFor();
    await expectAccessible(page, 'policy diff error');
    await page.unroute(`**/api/admin/policies/${folder.sha256}`);
  });
});
