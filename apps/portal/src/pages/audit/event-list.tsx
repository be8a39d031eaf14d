import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { api } from '../../api/http';
import { eventPageSchema, type EventPageView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';

interface Filter {
  action: string;
  outcome: string;
  actor: string;
  requestId: string;
  /** `YYYY-MM-DDTHH:MM` from the datetime-local inputs, read as UTC. */
  from: string;
  to: string;
}

const EMPTY_FILTER: Filter = { action: '', outcome: '', actor: '', requestId: '', from: '', to: '' };

function queryOf(filter: Filter, before: number | undefined): string {
  const params = new URLSearchParams({ limit: '50' });
  if (filter.action.trim()) params.set('action', filter.action.trim());
  if (filter.outcome) params.set('outcome', filter.outcome);
  if (filter.actor.trim()) params.set('actor', filter.actor.trim());
  if (filter.requestId.trim()) params.set('requestId', filter.requestId.trim());
  if (filter.from) params.set('from', `${filter.from}:00Z`);
  if (filter.to) params.set('to', `${filter.to}:00Z`);
  if (before !== undefined) params.set('before', String(before));
  return params.toString();
}

/**
 * Newest events first, 50 at a time. "Older events" follows the server's keyset cursor (the log position), so paging
 * stays as fast deep in the log as at its head; a filter that matches rarely gives short pages, never a stuck one.
 */
export function EventList({ onOpen }: { onOpen: (id: string) => void }): ReactNode {
  const [draft, setDraft] = useState<Filter>(EMPTY_FILTER);
  const [filter, setFilter] = useState<Filter>(draft);
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<EventPageView>();
  const [error, setError] = useState<unknown>();
  const before = cursors[cursors.length - 1];

  useEffect(() => {
    let current = true;
    setError(undefined);
    setPage(undefined);
    api('GET', `/api/audit/events?${queryOf(filter, before)}`, eventPageSchema).then(
      (value) => current && setPage(value),
      (reason: unknown) => current && setError(reason),
    );
    return () => {
      current = false;
    };
  }, [filter, before]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      <form className="inline-form" onSubmit={search}>
        <label htmlFor="filter-action">Action (e.g. api_key.created, or api_key. for all key events)</label>
        <input id="filter-action" value={draft.action} onChange={(event) => setDraft({ ...draft, action: event.target.value })} />
        <label htmlFor="filter-outcome">Outcome</label>
        <select id="filter-outcome" value={draft.outcome} onChange={(event) => setDraft({ ...draft, outcome: event.target.value })}>
          <option value="">any</option>
          <option value="success">success</option>
          <option value="denied">denied</option>
          <option value="failure">failure</option>
          <option value="aborted">aborted</option>
        </select>
        <label htmlFor="filter-actor">Actor (principal id)</label>
        <input id="filter-actor" value={draft.actor} onChange={(event) => setDraft({ ...draft, actor: event.target.value })} />
        <label htmlFor="filter-request">Request id</label>
        <input id="filter-request" value={draft.requestId} onChange={(event) => setDraft({ ...draft, requestId: event.target.value })} />
        <label htmlFor="filter-from">From (UTC)</label>
        <input id="filter-from" type="datetime-local" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
        <label htmlFor="filter-to">Until (UTC, exclusive)</label>
        <input id="filter-to" type="datetime-local" value={draft.to} onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={error} />
      {!page && !error ? <p>Loading events…</p> : null}
      {page && page.events.length > 0 ? (
        <table>
          <caption>Audit events, newest first (times in UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Actor</th>
              <th scope="col">Resource</th>
              <th scope="col">Request id</th>
            </tr>
          </thead>
          <tbody>
            {page.events.map((event) => (
              <tr key={event.id}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => onOpen(event.id)} aria-label={`Open event ${event.seq}: ${event.action}`}>
                    {event.seq}
                  </button>
                </th>
                <td>{event.ts.slice(0, 19).replace('T', ' ')}</td>
                <td>{event.action}</td>
                <td>{event.outcome}</td>
                <td>
                  <code>{event.actorId}</code>
                </td>
                <td>{event.resource ?? '—'}</td>
                <td>{event.requestId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page && page.events.length === 0 ? <p>No events match on this page of the log. Change the filter, or look at older events.</p> : null}
      <p>
        {cursors.length > 1 ? (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer events
          </button>
        ) : null}{' '}
        {page?.nextBefore !== null && page?.nextBefore !== undefined ? (
          <button type="button" onClick={() => setCursors([...cursors, page.nextBefore ?? undefined])}>
            Older events
          </button>
        ) : null}
      </p>
    </section>
  );
}
