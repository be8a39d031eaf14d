import { type ReactNode } from 'react';
import { verifyJobSchema } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { JobProgress, useAuditJob } from './audit-job';

const count = (value: number) => value.toLocaleString('en');

/** Whole-log verification as a background job: progress while it runs, then the report. */
export function VerifyLog(): ReactNode {
  const { job, error, busy, start } = useAuditJob(verifyJobSchema);
  const report = job?.result;
  return (
    <section className="panel" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify the whole log</h2>
      <p>Recomputes every event’s hash and the hash chain, and checks every signed checkpoint against the gateway’s signing key.</p>
      <button type="button" onClick={() => void start('/api/audit/verify')} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify integrity'}
      </button>
      {busy ? (
        <JobProgress
          label="Verification progress"
          value={job?.done ?? 0}
          max={job && job.total > 0 ? job.total : undefined}
          text={job && job.total > 0 ? `Verified ${count(job.done)} of ${count(job.total)} events` : 'Starting the verification…'}
        />
      ) : null}
      <ErrorMessage error={error} />
      {report ? (
        <div role="status" className={`decision ${report.ok ? 'allow' : 'deny'}`}>
          <h3>
            Result: <strong>{report.ok ? 'intact' : 'TAMPERING DETECTED'}</strong>
          </h3>
          <dl className="facts">
            <dt>Events</dt>
            <dd>{count(report.size)}</dd>
            <dt>Sealed by signed checkpoints</dt>
            <dd>{count(report.sealedSize)}</dd>
            <dt>Not yet sealed</dt>
            <dd>{count(report.unsealed)}</dd>
            <dt>Checkpoints verified</dt>
            <dd>{report.checkpointsVerified}</dd>
            <dt>Requests without a response event</dt>
            <dd>{report.incompleteRequests.count}</dd>
            {report.failure ? (
              <>
                <dt>First problem</dt>
                <dd>
                  <code>{report.failure.code}</code> {report.failure.message}
                </dd>
              </>
            ) : null}
          </dl>
        </div>
      ) : null}
    </section>
  );
}
