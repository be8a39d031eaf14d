import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api/http';
import { eventDetailSchema, type EventDetailView, verifyReportSchema, type VerifyReportView } from '../api/schemas';
import { ErrorMessage } from '../components/feedback';

function VerifyLog(): ReactNode {
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

function IntegrityLine({ detail }: { detail: EventDetailView }): ReactNode {
  const { integrity } = detail;
  switch (integrity.status) {
    case 'verified':
      return (
        <p className="status" data-testid="integrity">
          Verified: event {integrity.seq} is included in the signed checkpoint of {integrity.treeSize} events.
        </p>
      );
    case 'pending':
      return <p data-testid="integrity">Pending: {integrity.reason}</p>;
    case 'failed':
      return (
        <p className="error" data-testid="integrity">
          Integrity check FAILED: {integrity.reason}
        </p>
      );
  }
}

function EventLookup(): ReactNode {
  const [id, setId] = useState('');
  const [detail, setDetail] = useState<EventDetailView>();
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDetail(undefined);
    try {
      setDetail(await api('GET', `/api/audit/events/${encodeURIComponent(id.trim())}`, eventDetailSchema));
    } catch (reason) {
      setError(reason);
    }
  };
  const shown = detail?.event;
  return (
    <form className="panel" onSubmit={(event) => void submit(event)}>
      <h2>Look up an event</h2>
      <label htmlFor="event-id">Event id (UUID)</label>
      <input id="event-id" required spellCheck={false} value={id} onChange={(event) => setId(event.target.value)} />
      <button type="submit">Show event</button>
      <ErrorMessage error={error} />
      {detail && shown ? (
        <section aria-live="polite" aria-labelledby="event-heading">
          <h3 id="event-heading">
            {shown.action} ({shown.outcome})
          </h3>
          <IntegrityLine detail={detail} />
          <dl className="facts">
            <dt>Time (UTC)</dt>
            <dd>{shown.ts}</dd>
            <dt>Position</dt>
            <dd>{shown.seq}</dd>
            <dt>Actor</dt>
            <dd>
              {shown.actor.principalId} ({shown.actor.kind}, {shown.actor.authMethod})
            </dd>
            <dt>Tenant</dt>
            <dd>{shown.tenant}</dd>
            <dt>Resource</dt>
            <dd>{shown.resource ? `${shown.resource.type} ${shown.resource.name ?? shown.resource.id ?? ''}` : '—'}</dd>
            <dt>Request id</dt>
            <dd>{shown.requestId ?? '—'}</dd>
            <dt>Policy decision</dt>
            <dd>{shown.policy ? `${shown.policy.decision} (${shown.policy.policyIds.join(', ') || 'no policy'})` : '—'}</dd>
            <dt>PII found</dt>
            <dd>{shown.pii ? Object.entries(shown.pii).map(([type, count]) => `${type}: ${count}`).join(', ') : '—'}</dd>
          </dl>
          <details>
            <summary>The event as signed (canonical JSON)</summary>
            <pre className="card">{JSON.stringify(shown, null, 2)}</pre>
          </details>
        </section>
      ) : null}
    </form>
  );
}

/** Read-only: auditors look and verify, never change; each look is itself recorded in the log. */
export function AuditPage(): ReactNode {
  return (
    <>
      <p>Every view and verification here is recorded in the audit log under your name.</p>
      <EventLookup />
      <VerifyLog />
    </>
  );
}
