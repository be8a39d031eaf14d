import { type ReactNode, useState } from 'react';
import { api } from '../../api/http';
import { retentionRunSchema, type RetentionRunView } from '../../api/retention-schemas';
import { ErrorMessage } from '../../components/feedback';

function RunResult({ run }: { run: RetentionRunView }): ReactNode {
  const events = run.dropped.reduce((sum, month) => sum + month.events, 0);
  const last = run.dropped[run.dropped.length - 1];
  return (
    <div role="status" data-testid="retention-run">
      <h3>{run.dropped.length === 0 ? 'Nothing was due: no month was dropped.' : `Dropped ${run.dropped.length} month${run.dropped.length === 1 ? '' : 's'} (${events.toLocaleString('en')} events).`}</h3>
      {run.dropped.length > 0 ? (
        <ul>
          {run.dropped.map((month) => (
            <li key={month.partition}>
              <code>{month.partition}</code>: {month.events.toLocaleString('en')} events
              {month.eventSeq === null ? '' : `, recorded as event ${month.eventSeq}`}
            </li>
          ))}
        </ul>
      ) : null}
      {last ? <p>The log is now retained from position {last.retainedFrom.toLocaleString('en')}.</p> : null}
      {run.stoppedAt ? (
        <p>
          Stopped at <code>{run.stoppedAt.partition}</code>: {run.stoppedAt.reason}.
        </p>
      ) : null}
    </div>
  );
}

/** Runs retention at once (it also runs on a schedule): drops what is due, oldest first, each drop on record. */
export function ApplyRetention({ due, onApplied }: { due: number; onApplied: () => void }): ReactNode {
  const [run, setRun] = useState<RetentionRunView>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const apply = async () => {
    if (due > 0 && !window.confirm(`Drop the ${due} month${due === 1 ? '' : 's'} whose retention has ended? Their events leave the database for good.`)) return;
    setBusy(true);
    setError(undefined);
    setRun(undefined);
    try {
      setRun(await api('POST', '/api/audit/retention/apply', retentionRunSchema));
      onApplied();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="apply-heading" aria-busy={busy}>
      <h2 id="apply-heading">Apply retention now</h2>
      <p>
        Drops every month whose retention period has ended, oldest first, and stops at the first month a legal hold keeps. Each drop is first recorded in the log and
        sealed by a signed checkpoint, so the log still verifies. The gateway also runs this on a schedule.
      </p>
      <button type="button" onClick={() => void apply()} disabled={busy}>
        {busy ? 'Applying retention…' : 'Apply retention now'}
      </button>
      <ErrorMessage error={error} />
      {run ? <RunResult run={run} /> : null}
    </section>
  );
}
