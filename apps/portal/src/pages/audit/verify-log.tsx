import { type ReactNode, useState } from 'react';
import { api } from '../../api/http';
import { verifyReportSchema, type VerifyReportView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';

export function VerifyLog(): ReactNode {
  const [report, setReport] = useState<VerifyReportView>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    try {
      setReport(await api('POST', '/api/audit/verify', verifyReportSchema));
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="verify-heading" aria-busy={busy}>
      <h2 id="verify-heading">Verify the whole log</h2>
      <p>Recomputes every event’s hash and the hash chain, and checks every signed checkpoint against the gateway’s signing key.</p>
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify integrity'}
      </button>
      <ErrorMessage error={error} />
      {report ? (
        <div role="status" className={`decision ${report.ok ? 'allow' : 'deny'}`}>
          <h3>
            Result: <strong>{report.ok ? 'intact' : 'TAMPERING DETECTED'}</strong>
          </h3>
          <dl className="facts">
            <dt>Events</dt>
            <dd>{report.size.toLocaleString('en')}</dd>
            <dt>Sealed by signed checkpoints</dt>
            <dd>{report.sealedSize.toLocaleString('en')}</dd>
            <dt>Not yet sealed</dt>
            <dd>{report.unsealed.toLocaleString('en')}</dd>
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
