import { type FormEvent, type ReactNode, useState } from 'react';
import { download } from '../../api/http';
import { exportBodySchema } from '../../api/requests';
import { ErrorMessage } from '../../components/feedback';

interface Exported {
  fileName: string;
  events: string;
  verifierKey: string;
}

const today = () => new Date().toISOString().slice(0, 10);

/** An evidence bundle of whole UTC days, verifiable offline with the verifier alone (docs/auditor-guide.md). */
export function ExportEvidence(): ReactNode {
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
      const body = exportBodySchema.parse({ from: `${from}T00:00:00Z`, to: end.toISOString() });
      const { blob, headers } = await download('/api/audit/exports', body);
      const fileName = `attest-evidence-${from}-${to}.tar`;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = fileName;
      link.click();
      URL.revokeObjectURL(link.href);
      setExported({ fileName, events: headers.get('x-attest-bundle-events') ?? '?', verifierKey: headers.get('x-attest-verifier-key') ?? '' });
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="export-heading" aria-busy={busy}>
      <h2 id="export-heading">Export evidence</h2>
      <p>Seals the log with a fresh signed checkpoint and downloads the events of the chosen days (UTC) as a bundle anyone can verify offline.</p>
      <form onSubmit={(event) => void submit(event)}>
        <label>
          First day <input type="date" name="from" value={from} onChange={(event) => setFrom(event.target.value)} required />
        </label>
        <label>
          Last day <input type="date" name="to" value={to} onChange={(event) => setTo(event.target.value)} required />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Exporting…' : 'Download bundle'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {exported ? (
        <div role="status">
          <p>
            Downloaded <code>{exported.fileName}</code> with {exported.events} events. Verify it on your own machine:
          </p>
          <pre>
            <code>{`npm run attest -- audit verify --bundle ${exported.fileName} --key '${exported.verifierKey}'`}</code>
          </pre>
        </div>
      ) : null}
    </section>
  );
}
