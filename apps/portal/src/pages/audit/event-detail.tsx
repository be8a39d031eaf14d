import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { api } from '../../api/http';
import { eventDetailSchema, type EventDetailView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';

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

/** Paste an event id (from a response header, a ticket, a bundle) to open it. */
export function EventLookup({ onOpen }: { onOpen: (id: string) => void }): ReactNode {
  const [id, setId] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onOpen(id.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor="event-id">Event id (UUID)</label>
      <input id="event-id" required spellCheck={false} value={id} onChange={(event) => setId(event.target.value)} />
      <button type="submit">Show event</button>
    </form>
  );
}

/** One event as signed, with its integrity status; loads whenever `id` changes. */
export function EventDetailPanel({ id }: { id: string }): ReactNode {
  const [detail, setDetail] = useState<EventDetailView>();
  const [error, setError] = useState<unknown>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Keyboard and screen-reader users land on what they opened.
    heading.current?.focus();
    let current = true;
    setDetail(undefined);
    setError(undefined);
    api('GET', `/api/audit/events/${encodeURIComponent(id)}`, eventDetailSchema).then(
      (value) => current && setDetail(value),
      (reason: unknown) => current && setError(reason),
    );
    return () => {
      current = false;
    };
  }, [id]);
  const shown = detail?.event;
  return (
    <section className="panel" aria-live="polite" aria-labelledby="event-heading">
      <h2 id="event-heading" ref={heading} tabIndex={-1}>{shown ? `${shown.action} (${shown.outcome})` : 'Event'}</h2>
      <ErrorMessage error={error} />
      {!detail && !error ? <p>Loading the event and checking its proof…</p> : null}
      {detail && shown ? (
        <>
          <IntegrityLine detail={detail} />
          <dl className="facts">
            <dt>Event id</dt>
            <dd>
              <code>{shown.id}</code>
            </dd>
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
        </>
      ) : null}
    </section>
  );
}
