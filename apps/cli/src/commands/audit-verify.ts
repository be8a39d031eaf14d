import { readFileSync } from 'node:fs';
import { parseCosignerKey, verifyBundleAsync, type VerifyReport } from '@attest/audit';
import { AuditError, AuditErrorCode, AuditEvidenceService, CheckpointFileSink } from '@attest/audit/nest';
import { bundleOrigin, envWith, loadAuditSettings, readNotes, type TrustOptions, trustedKeys, withDatabase } from './audit-cli-support';

export interface VerifyOptions extends TrustOptions {
  databaseUrl?: string;
  bundle?: string;
  lastSeen?: string;
  json?: boolean;
  witness?: string[];
  quorum?: string;
  minRetentionMonths?: string;
}

const progress = (done: number, total: number): void => {
  process.stderr.write(`verified ${done.toLocaleString('en')} of ${total.toLocaleString('en')} events\n`);
};

/** Runs the verifier; returns the exit code (0 intact, 1 not). */
export async function runAuditVerify(options: VerifyOptions): Promise<number> {
  const settings = loadAuditSettings(envWith(options.databaseUrl));
  const witnesses = (options.witness ?? []).map(parseCosignerKey);
  const quorum = options.quorum === undefined ? (witnesses.length > 0 ? 1 : 0) : Number(options.quorum);
  const minRetentionMonths = options.minRetentionMonths === undefined ? undefined : Number(options.minRetentionMonths);
  if (minRetentionMonths !== undefined && (!Number.isSafeInteger(minRetentionMonths) || minRetentionMonths < 0)) {
    throw new AuditError(AuditErrorCode.EventInvalid, `--min-retention-months ${options.minRetentionMonths} is not a number of months`);
  }
  const started = performance.now();
  let report: VerifyReport;
  if (options.bundle) {
    const archive = readFileSync(options.bundle);
    const lastSeen = options.lastSeen ? await readNotes(options.lastSeen) : [];
    report = await verifyBundleAsync(archive, { trustedKeys: trustedKeys(options, settings, bundleOrigin(archive)), lastSeen, onProgress: progress, witnesses, quorum, minRetentionMonths });
  } else {
    report = await withDatabase(options.databaseUrl, async ({ dataSource }) => {
      const service = new AuditEvidenceService(dataSource);
      const { origin } = await service.head();
      const lastSeen = options.lastSeen ? await readNotes(options.lastSeen) : await new CheckpointFileSink(settings.sinkFile).readAll();
      return service.verify({ trustedKeys: trustedKeys(options, settings, origin), lastSeen: lastSeen.filter((note) => note.startsWith(`${origin}\n`)), onProgress: progress, witnesses, quorum, minRetentionMonths });
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(report.eventsChecked / Math.max(seconds, 1e-6));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...report, seconds, eventsPerSecond: rate }, null, 2)}\n`);
  } else if (report.ok) {
    process.stdout.write(
      `intact: ${report.size} events (${report.eventsChecked} checked), ${report.sealedSize} sealed by ${report.checkpointsVerified} checkpoint(s)` +
        `${report.unsealed ? `, ${report.unsealed} not yet sealed` : ''}; ${report.lastSeenVerified} outside checkpoint(s) agree` +
        `; ${report.incompleteRequests.count} incomplete request(s)` +
        `${report.retainedFrom ? `; retained from ${report.retainedFrom} after ${report.retentionDrops} recorded retention drop(s)` : ''}; ${rate.toLocaleString('en')} events/s\n`,
    );
  } else {
    const failure = report.failure;
    const where = failure?.seq !== undefined ? ` at event ${failure.seq}${failure.eventId ? ` (${failure.eventId})` : ''}` : '';
    process.stdout.write(`NOT INTACT${where}: [${failure?.code}] ${failure?.message}\n`);
    if (failure?.expected !== undefined) process.stdout.write(`  expected: ${failure.expected}\n  actual:   ${failure.actual}\n`);
  }
  return report.ok ? 0 : 1;
}
