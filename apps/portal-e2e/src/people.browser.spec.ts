import { findFreePort } from '@attest/db';
import { TEST_AUDIENCE, TestIdp } from '../../../libs/identity/test/test-idp';
import { expectAccessible } from './support/axe';
import { launchBrowser, type TestBrowser } from './support/browser';
import { ensurePortalBuilt } from './support/portal-build';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

const SCIM_TOKEN = 'scim-token-browser-0123456789abcdef012345678';

/**
 * The people page in Debian's Chromium: an admin signed in by SSO sees the principals that keys and SCIM made, the
 * SCIM groups, the role-mapping rules, previews a mapping and runs the SSO test login against the in-process IdP.
 */
describe('people page in the browser', () => {
  let idp: TestIdp;
  let sut: PortalTestApp;
  let admin: TestBrowser;

  beforeAll(async () => {
    ensurePortalBuilt();
    const port = await findFreePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await TestIdp.start(publicUrl);
    sut = await startPortalTestApp({
      port,
      env: {
        ATTEST_OIDC_ISSUER: idp.issuer,
        ATTEST_OIDC_AUDIENCE: TEST_AUDIENCE,
        ATTEST_OIDC_CLIENT_ID: idp.portalClient.clientId,
        ATTEST_OIDC_CLIENT_SECRET: idp.portalClient.clientSecret,
        ATTEST_OIDC_ALLOW_INSECURE_HTTP: 'true',
        ATTEST_PUBLIC_URL: publicUrl,
        ATTEST_SCIM_TOKEN: SCIM_TOKEN,
        ATTEST_ROLE_MAPPING: JSON.stringify([
          { claim: 'groups', equals: 'attest/admins', roles: ['admin'] },
          { claim: 'groups', equals: 'developers', roles: ['developer'] },
          { claim: 'groups', equals: 'attest-auditors', roles: ['auditor'] },
        ]),
      },
    });
    await sut.issueKey({ name: 'ci-runner', roles: ['developer'] });
    const scim = (path: string, body: unknown) =>
      fetch(`${sut.url}/scim/v2${path}`, { method: 'POST', headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) }).then(
        async (response) => (await response.json()) as { id: string },
      );
    const dora = await scim('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'dora@acme.example', externalId: 'dora-1', displayName: 'Dora Provisioned', active: true });
    await scim('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'attest-auditors', members: [{ value: dora.id }] });

    // Alice signs in by SSO once (her principal then has an issuer); the admin's browser signs in with an admin key,
    // as on a zero-configuration start when SSO is being set up. Its IdP holds no session for the browser, so the test
    // login below signs in as another user without the IdP ending anyone's session (see docs/portal.md).
    await signInBySso('alice', publicUrl);
    const adminKey = await sut.issueKey({ name: 'setup-admin', roles: ['admin'], holder: 'person' });
    admin = await launchBrowser();
    await admin.page.goto(`${sut.url}/portal/`);
    await admin.page.getByLabel('API key').fill(adminKey);
    await admin.page.getByRole('button', { name: 'Sign in with an API key' }).click();
    await admin.page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  /** The OIDC login driven over HTTP, as a browser would (code + PKCE): it creates the user's principal. */
  async function signInBySso(user: string, publicUrl: string): Promise<void> {
    idp.nextUser = user;
    idp.newBrowser();
    const start = await fetch(`${sut.url}/auth/login`, { redirect: 'manual' });
    const loginCookie = start.headers.getSetCookie().find((line) => line.startsWith('__Host-attest_login='))?.split(';')[0] ?? '';
    const callbackUrl = await idp.browse(start.headers.get('location')!, `${publicUrl}/auth/callback`);
    expect((await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: loginCookie } })).status).toBe(302);
  }

  afterAll(async () => {
    await admin?.close();
    await sut?.close();
    await idp?.close();
  });

  it('lists people and services that sign-in, keys and SCIM made, and finds one by name', async () => {
    const { page, screenshot } = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: /^Principals of this tenant, page 1$/ });
    for (const name of ['Alice Admin', 'ci-runner', 'Dora Provisioned', 'setup-admin']) await table.getByRole('rowheader', { name }).waitFor();
    expect(await table.getByRole('row', { name: /Dora Provisioned/ }).textContent()).toContain('SCIM user dora@acme.example in attest-auditors');
    expect(await table.getByRole('row', { name: /Alice Admin/ }).textContent()).toContain(`issuer ${idp.issuer}`);
    await screenshot('people');
    await expectAccessible(page, 'people');

    await page.getByLabel('Search by name, subject or SCIM user name').fill('dora');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const found = page.getByRole('table', { name: /^Principals matching “dora”/ });
    await found.getByRole('rowheader', { name: 'Dora Provisioned' }).waitFor();
    expect(await found.getByRole('row').count()).toBe(2);
    await page.getByLabel('Search by name, subject or SCIM user name').fill('nobody-like-this');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('Nobody matches “nobody-like-this”.', { exact: false }).waitFor();
  });

  it('moves between tabs with the arrow keys and shows the SCIM groups with their members', async () => {
    const { page, screenshot } = admin;
    await page.getByRole('tab', { name: 'People' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Groups' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Groups');
    const groups = page.getByRole('table', { name: 'Groups provisioned by SCIM' });
    expect(await groups.getByRole('row', { name: /attest-auditors/ }).textContent()).toContain('1 (1 active)');
    await screenshot('people-groups');
    await expectAccessible(page, 'people groups');
  });

  it('shows the rules as read-only configuration and previews the roles pasted claims get', async () => {
    const { page, screenshot } = admin;
    await page.keyboard.press('End');
    await page.getByRole('table', { name: 'Role-mapping rules, in the order they are configured' }).getByRole('rowheader', { name: '#3' }).waitFor();
    await page.getByText('The rules are configuration and cannot be edited here.').waitFor();
    expect(await page.getByTestId('idp-features').textContent()).toContain('SCIM provisioningconfigured');

    await page.getByLabel('Claims (JSON)').fill('{"iss": "https://idp.example", "sub": "u-7", "groups": ["/attest/admins"]}');
    await page.getByRole('button', { name: 'Preview roles' }).click();
    await page.getByRole('heading', { name: 'Sign-in: allowed' }).waitFor();
    expect(await page.getByTestId('mapped-roles').textContent()).toBe('admin');
    await page.getByText('Rule #1: groups contains attest/admins → admin').waitFor();
    await screenshot('people-role-mapping');
    await expectAccessible(page, 'people role mapping');

    await page.getByLabel('Claims (JSON)').fill('{"iss": "https://idp.example", "sub": "u-8", "groups": ["marketing"]}');
    await page.getByRole('button', { name: 'Preview roles' }).click();
    await page.getByRole('heading', { name: 'Sign-in: refused' }).waitFor();
    await page.getByText('No rule: sign-in refused').waitFor();
    await page.getByLabel('Claims (JSON)').fill('{not json');
    await page.getByRole('button', { name: 'Preview roles' }).click();
    await page.getByRole('alert').filter({ hasText: 'This is not valid JSON' }).waitFor();
  });

  it('runs the SSO test login as another user: raw claims and roles, and nobody is signed in by it', async () => {
    const { page, screenshot } = admin;
    idp.nextUser = 'bob';
    await page.getByRole('button', { name: 'Test SSO login' }).click();
    // Off to the IdP and back: the page before it shows no outcome (the last preview was invalid JSON).
    await page.getByRole('heading', { name: 'Sign-in: allowed' }).waitFor();
    // The result id has left the address bar.
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/people');
    expect(await page.getByTestId('mapped-roles').textContent()).toBe('developer');
    const claims = JSON.parse((await page.getByTestId('raw-claims').textContent()) ?? '{}') as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: idp.issuer, sub: 'bob', name: 'Bob Developer', groups: ['developers'] });
    expect(await page.evaluate<string | null | undefined>('document.activeElement?.id')).toBe('test-login-outcome');
    await screenshot('people-test-login');
    await expectAccessible(page, 'people test login');

    const me = (await page.evaluate(() => fetch('/auth/me').then((response) => response.json()))) as { displayName: string; roles: string[] };
    expect(me).toMatchObject({ displayName: 'setup-admin', roles: ['admin'] });
    expect((await sut.db.dataSource.query(`SELECT id FROM principal WHERE display_name = 'Bob Developer'`)) as unknown[]).toEqual([]);
  });
});
