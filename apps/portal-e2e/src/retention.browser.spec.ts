import { DataSubjectKeys } from '@attest/audit/nest';
import { expectAccessible } from './support/axe';
import type { TestBrowser } from './support/browser';
import { signInWithKey } from './support/key-sign-in';
import { ensurePortalBuilt } from './support/portal-build';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

/**
 * Retention, legal holds and data subject erasure in the built portal (Debian's Chromium) against the real gateway and
 * PostgreSQL: an admin places and releases a hold and erases a subject; an auditor sees the same page with no form.
 */
describe('retention, legal holds and erasure in the browser', () => {
  let sut: PortalTestApp;
  let adminKey: string;
  let admin: TestBrowser;
  let auditor: TestBrowser | undefined;

  async function auditedActions(prefix: string): Promise<{ action: string; details: Record<string, unknown> }[]> {
    return sut.db.dataSource.query(
      `SELECT action, convert_from(canonical, 'UTF8')::jsonb -> 'details' AS details FROM audit_event WHERE starts_with(action, $1) ORDER BY seq`,
      [prefix],
    );
  }

  beforeAll(async () => {
    ensurePortalBuilt();
    sut = await startPortalTestApp();
    adminKey = await sut.issueKey({ name: 'retention-admin', roles: ['admin'], holder: 'person' });
    admin = await signInWithKey(sut.url, adminKey);
  });
  afterAll(async () => {
    await admin?.close();
    await auditor?.close();
    await sut?.close();
  });

  it('lets an admin place a legal hold over UTC days, see it in force, and release it with a reason', async () => {
    const { page, screenshot } = admin;
    await page.getByRole('link', { name: 'Retention & legal holds' }).click();
    await page.getByRole('heading', { name: 'Retention & legal holds', level: 1 }).waitFor();
    const partitions = page.getByRole('table', { name: 'Monthly partitions of the audit log (oldest first)' });
    await partitions.getByRole('row').filter({ hasText: 'Open: the month has not ended' }).first().waitFor();
    expect(await partitions.getByRole('row').filter({ hasText: 'Catch-all' }).count()).toBe(1);
    await page.getByText('No legal hold is in force').waitFor();
    await expectAccessible(page, 'retention without holds');

    await page.getByLabel('Reason (the matter or case the evidence is kept for)').fill('Matter 2026-117');
    await page.getByLabel('First day covered (UTC, optional)').fill('2026-01-01');
    await page.getByLabel('Last day covered (UTC, optional)').fill('2026-03-31');
    await page.getByRole('button', { name: 'Place legal hold' }).click();
    await page.getByRole('status').filter({ hasText: 'Legal hold “Matter 2026-117” placed' }).waitFor();
    const inForce = page.getByRole('table', { name: 'Legal holds in force' });
    await inForce.getByRole('row', { name: /Matter 2026-117/ }).filter({ hasText: 'from 2026-01-01 through 2026-03-31 (UTC)' }).waitFor();
    // The form's days became UTC instants, the last day's end exclusive.
    const [stored] = (await sut.db.dataSource.query(`SELECT covers_from, covers_to FROM audit_legal_hold WHERE reason = 'Matter 2026-117'`)) as { covers_from: Date; covers_to: Date }[];
    expect([stored?.covers_from.toISOString(), stored?.covers_to.toISOString()]).toEqual(['2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(await page.getByRole('table', { name: 'Monthly partitions of the audit log (oldest first)' }).textContent()).not.toContain('Matter 2026-117');
    await screenshot('retention');
    await expectAccessible(page, 'retention with a hold');

    // A reversed range is caught before anything is sent.
    await page.getByLabel('Reason (the matter or case the evidence is kept for)').fill('Reversed');
    await page.getByLabel('First day covered (UTC, optional)').fill('2026-05-02');
    await page.getByLabel('Last day covered (UTC, optional)').fill('2026-05-01');
    await page.getByRole('button', { name: 'Place legal hold' }).click();
    await page.getByRole('alert').filter({ hasText: 'The last day covered is before the first day' }).waitFor();
    await page.getByLabel('Reason (the matter or case the evidence is kept for)').fill('');
    await page.getByLabel('First day covered (UTC, optional)').fill('');
    await page.getByLabel('Last day covered (UTC, optional)').fill('');

    await page.getByRole('button', { name: 'Release Matter 2026-117' }).click();
    const reason = page.getByLabel('Reason for releasing “Matter 2026-117”');
    // Opening the release form puts the focus in its one field.
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe(await reason.getAttribute('id'));
    await reason.fill('Matter closed');
    await screenshot('retention-release');
    await expectAccessible(page, 'retention release form');
    await page.getByRole('button', { name: 'Release hold' }).click();
    await page.getByRole('status').filter({ hasText: 'Legal hold “Matter 2026-117” released.' }).waitFor();
    await page.getByRole('table', { name: 'Released legal holds' }).getByRole('row', { name: /Matter 2026-117/ }).filter({ hasText: 'Matter closed' }).waitFor();
    await page.getByText('No legal hold is in force').waitFor();

    const holdId = String((await auditedActions('audit.legal_hold'))[0]?.details['holdId']);
    expect(await auditedActions('audit.legal_hold')).toEqual([
      { action: 'audit.legal_hold_set', details: { holdId, coversFrom: '2026-01-01T00:00:00.000Z', coversTo: '2026-04-01T00:00:00.000Z', reason: 'Matter 2026-117' } },
      { action: 'audit.legal_hold_released', details: { holdId, reason: 'Matter closed' } },
    ]);
  });

  it("shows the API's message when a release fails: the hold was released meanwhile", async () => {
    const { page } = admin;
    await page.getByLabel('Reason (the matter or case the evidence is kept for)').fill('Matter 2026-200');
    await page.getByRole('button', { name: 'Place legal hold' }).click();
    await page.getByRole('table', { name: 'Legal holds in force' }).getByRole('row', { name: /Matter 2026-200/ }).filter({ hasText: 'from the start of the log onwards' }).waitFor();
    await page.getByRole('button', { name: 'Release Matter 2026-200' }).click();
    await page.getByLabel('Reason for releasing “Matter 2026-200”').fill('Closed in the UI');

    const [hold] = (await sut.db.dataSource.query(`SELECT id FROM audit_legal_hold WHERE reason = 'Matter 2026-200'`)) as { id: string }[];
    const elsewhere = await fetch(`${sut.url}/api/audit/legal-holds/${hold?.id}/release`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Closed by a script' }),
    });
    expect(elsewhere.status).toBe(200);
    await page.getByRole('button', { name: 'Release hold' }).click();
    await page.getByRole('alert').filter({ hasText: `legal hold ${hold?.id} was released on` }).waitFor();
    await expectAccessible(page, 'retention release error');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('applies retention now and shows what the run dropped', async () => {
    const { page, screenshot } = admin;
    await page.getByRole('button', { name: 'Apply retention now' }).click();
    const result = page.getByTestId('retention-run');
    await result.filter({ hasText: 'Nothing was due: no month was dropped.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Apply retention now' }).isEnabled()).toBe(true);
    await screenshot('retention-applied');
    await expectAccessible(page, 'retention run result');
  });

  it('erases a data subject after the id is typed a second time, and says how many keys went', async () => {
    const { page, screenshot } = admin;
    // Raw content sealed for a patient, as a capturing tenant's request would leave it.
    await sut.app.get(DataSubjectKeys).seal('default', 'patient-42', { prompt: 'Jane Roe reports chest pain.' });
    await page.getByRole('link', { name: 'Data subjects' }).click();
    await page.getByRole('heading', { name: 'Data subjects', level: 1 }).waitFor();
    await page.getByText('Erasure works by crypto-shredding').waitFor();
    await expectAccessible(page, 'data subjects');

    await page.getByLabel('Data subject id').fill('patient-42');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Confirm the erasure of “patient-42”' }).waitFor();
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('erase-confirm');
    await page.getByLabel('Type the data subject id again to confirm').fill('patient-24');
    await page.getByRole('button', { name: 'Erase permanently' }).click();
    await page.getByRole('alert').filter({ hasText: 'differs from “patient-42”' }).waitFor();
    await screenshot('data-subjects-confirm');
    await expectAccessible(page, 'erasure confirmation');
    expect(await auditedActions('data_subject.')).toEqual([]);

    await page.getByLabel('Type the data subject id again to confirm').fill('patient-42');
    await page.getByRole('button', { name: 'Erase permanently' }).click();
    await page.getByRole('status').filter({ hasText: 'Erased 1 key of “patient-42”' }).waitFor();
    await screenshot('data-subjects-erased');

    // Again: nothing is left to erase, and the page says so rather than claiming an erasure.
    await page.getByLabel('Data subject id').fill('patient-42');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Type the data subject id again to confirm').fill('patient-42');
    await page.getByRole('button', { name: 'Erase permanently' }).click();
    await page.getByRole('status').filter({ hasText: 'No live key was found for “patient-42”' }).waitFor();

    const erasures = await auditedActions('data_subject.erased');
    expect(erasures.map((event) => event.details['erasedKeys'])).toEqual([1, 0]);
    expect(JSON.stringify(erasures)).not.toContain('patient-42');
  });

  it('shows an auditor retention and holds with no form, and the API refuses the auditor a hold', async () => {
    const auditorKey = await sut.issueKey({ name: 'retention-auditor', roles: ['auditor'], holder: 'person' });
    auditor = await signInWithKey(sut.url, auditorKey);
    const { page, screenshot } = auditor;
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).toContain('Retention & legal holds');
    expect(links).not.toContain('Data subjects');

    await page.getByRole('link', { name: 'Retention & legal holds' }).click();
    await page.getByText('only an administrator can change them').waitFor();
    await page.getByRole('table', { name: 'Released legal holds' }).getByRole('row', { name: /Matter 2026-117/ }).waitFor();
    await page.getByText('If evidence must be kept beyond the retention period, ask an administrator').waitFor();
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.locator('main button').count()).toBe(0);
    await screenshot('retention-auditor');
    await expectAccessible(page, 'retention for an auditor');

    const refused = await page.evaluate(async () => {
      const response = await fetch('/api/audit/legal-holds', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-attest-request': 'portal' },
        body: JSON.stringify({ reason: 'by an auditor' }),
      });
      return response.status;
    });
    expect(refused).toBe(403);
    // The hash route of an admin-only page falls back to the auditor's first page.
    await page.goto(`${sut.url}/portal/#/data-subjects`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });
});
