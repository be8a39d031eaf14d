import { type FormEvent, type ReactNode, useState } from 'react';
import { download } from '../../api/http';
import { exportBodySchema } from '../../api/requests';
import { ErrorMessage } from '../../components/feedback';
import { describeFilter } from './filter-form';

interface Exported {
  fileName: string;
  events: string;
  matching: string;
  verifierKey: string;
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * An evidence bundle, verifiable offline with the verifier alone (docs/auditor-guide.md), of the on-screen search: its
 * time range (whole UTC days from the pickers where the search sets none) and its other fields.
 */
export function ExportEvidence({ filter }: { filter: Record<string, string> }): ReactNode {
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [exported, setExported] = useState<Exported>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setExported(undefined);
    try {
      // Whole days in UTC: `to` is the last day included, so the exclusive bound is the next midnight.
      const end = new Date(`${to}T00:00:00Z`);
      end.setUTCDate(end.getUTCDate() + 1);
      const { from: searchFrom, to: searchTo, ...rest } = filter;
      const range = { from: searchFrom ?? `${from}T00:00:00Z`, to: searchTo ?? end.toISOString() };
      const body = exportBodySchema.parse({ ...range, ...(Object.keys(rest).length > 0 ? { filter: rest } : {}) });
      const { blob, headers } = await download('/api/audit/exports', body);
      const fileName = `attest-evidence-${body.from.slice(0, 10)}-${body.to.slice(0, 10)}.tar`;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = fileName;
      link.click();
      URL.revokeObjectURL(link.href);
      setExported({
        fileName,
        events: headers.get('x-attest-bundle-events') ?? '?',
        matching: headers.get('x-attest-bundle-matching-events') ?? '?',
        verifierKey: headers.get('x-attest-verifier-key') ?? '',
      });
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="export-heading" aria-busy={busy}>
      <h2 id="export-heading">Export evidence</h2>
      <p>
        Seals the log with a fresh signed checkpoint and downloads the events of the search&apos;s time range as a bundle anyone can verify offline. The
        export applies the current search (<span data-testid="export-filter">{describeFilter(filter)}</span>) and is recorded with it; the bundle keeps
        every event of the time range so that its hash chain verifies, and tells how many of them match.
      </p>
      <form onSubmit={(event) => void submit(event)}>
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
          {busy ? 'Exporting…' : 'Download bundle'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {exported ? (
        <div role="status">
          <p>
            Downloaded <code>{exported.fileName}</code> with {exported.events} events, {exported.matching} of them matching the search. Verify it on your own
            machine:
          </p>
          <pre>
            <code>{`npm run attest -- audit verify --bundle ${exported.fileName} --key '${exported.verifierKey}'`}</code>
          </pre>
        </div>
      ) : null}
    </section>
  );
}
