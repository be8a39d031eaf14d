import { type FormEvent, type ReactNode, useState } from 'react';
import { download } from '../../api/http';
import { exportBodySchema } from '../../api/requests';
import { exportJobSchema, type ExportJobView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { JobProgress, useAuditJob } from './audit-job';
import { describeFilter } from './filter-form';

interface Downloaded {
  fileName: string;
  verifierKey: string;
}

const today = () => new Date().toISOString().slice(0, 10);
const count = (value: number) => value.toLocaleString('en');
const PHASES = ['reading', 'sealing', 'packing', 'recording'] as const;

/** Where a running export stands, in words. */
function phaseText(job: ExportJobView | undefined): string {
  switch (job?.phase) {
    case undefined:
      return 'Starting the export…';
    case 'reading':
      return `Reading the time range: ${count(job.total)} events to export`;
    case 'sealing':
      return 'Sealing the log with a fresh signed checkpoint';
    case 'packing':
      return `Packing ${count(job.total)} events into the bundle`;
    case 'recording':
      return `Recording the export of ${count(job.done)} events in the audit log`;
  }
}

/**
 * An evidence bundle, verifiable offline with the verifier alone (docs/auditor-guide.md), of the on-screen search: its
 * time range (whole UTC days from the pickers where the search sets none) and its other fields. The gateway builds it in
 * a background job; the bundle is offered once the export is recorded.
 */
export function ExportEvidence({ filter }: { filter: Record<string, string> }): ReactNode {
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const { job, error, busy, start } = useAuditJob(exportJobSchema);
  const [downloaded, setDownloaded] = useState<Downloaded>();
  const [downloadError, setDownloadError] = useState<unknown>();
  const [fetching, setFetching] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDownloaded(undefined);
    setDownloadError(undefined);
    // Whole days in UTC: `to` is the last day included, so the exclusive bound is the next midnight.
    const end = new Date(`${to}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    const { from: searchFrom, to: searchTo, ...rest } = filter;
    const range = { from: searchFrom ?? `${from}T00:00:00Z`, to: searchTo ?? end.toISOString() };
    const parsed = exportBodySchema.safeParse({ ...range, ...(Object.keys(rest).length > 0 ? { filter: rest } : {}) });
    if (!parsed.success) {
      setDownloadError(new Error(parsed.error.issues[0]?.message ?? 'The time range is not valid.'));
      return;
    }
    void start('/api/audit/exports', parsed.data);
  };
  const fetchBundle = async (jobId: string) => {
    setFetching(true);
    setDownloadError(undefined);
    try {
      const { blob, headers } = await download(`/api/audit/jobs/${encodeURIComponent(jobId)}/bundle`);
      const fileName = /filename="([^"]+)"/.exec(headers.get('content-disposition') ?? '')?.[1] ?? 'attest-evidence.tar';
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = fileName;
      link.click();
      URL.revokeObjectURL(link.href);
      setDownloaded({ fileName, verifierKey: headers.get('x-attest-verifier-key') ?? '' });
    } catch (reason) {
      setDownloadError(reason);
    } finally {
      setFetching(false);
    }
  };
  const result = job?.state === 'done' ? job.result : undefined;
  return (
    <section className="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export evidence</h2>
      <p>
        Seals the log with a fresh signed checkpoint and packs the events of the search&apos;s time range into a bundle anyone can verify offline. The
        export applies the current search (<span data-testid="export-filter">{describeFilter(filter)}</span>) and is recorded with it; the bundle keeps
        every event of the time range so that its hash chain verifies, and tells how many of them match.
      </p>
      <form onSubmit={submit}>
        {filter['from'] ? null : (
          <label>
            First day <input type="date" name="from" value={from} onChange={(event) => setFrom(event.target.value)} required />
          </label>
        )}
        {filter['to'] ? null : (
          <label>
            Last day <input type="date" name="to" value={to} onChange={(event) => setTo(event.target.value)} required />
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Exporting…' : 'Export evidence'}
        </button>
      </form>
      {busy ? (
        <JobProgress label="Export progress" value={job?.phase ? PHASES.indexOf(job.phase) : 0} max={job?.phase ? PHASES.length : undefined} text={phaseText(job)} />
      ) : null}
      <ErrorMessage error={error ?? downloadError} />
      {job && result ? (
        <div role="status">
          <p>
            The bundle holds {count(result.events)} events, {count(result.matching)} of them matching the search ({count(result.bytes)} bytes); the export
            is recorded in the audit log. It is kept for 15 minutes.
          </p>
          <button type="button" onClick={() => void fetchBundle(job.id)} disabled={fetching}>
            {fetching ? 'Downloading…' : 'Download bundle'}
          </button>
          {downloaded ? (
            <>
              <p>
                Downloaded <code>{downloaded.fileName}</code>. Verify it on your own machine:
              </p>
              <pre>
                <code>{`npm run attest -- audit verify --bundle ${downloaded.fileName} --key '${downloaded.verifierKey}'`}</code>
              </pre>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
