import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { api } from '../../api/http';
import { auditFilterSchema } from '../../api/requests';
import { eventPageSchema, type EventPageView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { type FilterForm, filterOf, formOf } from './filter-form';

function queryOf(filter: Record<string, string>, before: number | undefined): string {
  const params = new URLSearchParams({ limit: '50', ...filter });
  if (before !== undefined) params.set('before', String(before));
  return params.toString();
}

interface TextField {
  field: keyof FilterForm;
  label: string;
  type?: 'datetime-local';
  inputMode?: 'numeric';
}

const TEXT_FIELDS: TextField[] = [
  { field: 'action', label: 'Action (e.g. api_key.created, or api_key. for all key events)' },
  { field: 'actor', label: 'Actor (principal id)' },
  { field: 'team', label: 'Team (identity group)' },
  { field: 'model', label: 'Model' },
  { field: 'modelVersion', label: 'Model version', inputMode: 'numeric' },
  { field: 'policyId', label: 'Policy id (e.g. admin.people-only)' },
  { field: 'piiType', label: 'PII type (e.g. EMAIL_ADDRESS)' },
  { field: 'requestId', label: 'Request id' },
  { field: 'from', label: 'From (UTC)', type: 'datetime-local' },
  { field: 'to', label: 'Until (UTC, exclusive)', type: 'datetime-local' },
];

/**
 * Newest events first, 50 at a time. "Older events" follows the server's keyset cursor (the log position), so paging
 * stays as fast deep in the log as at its head; a filter that matches rarely gives short pages, never a stuck one.
 * `filter` is the applied search (the API's fields); a new search or a saved one replaces it through `onSearch`.
 */
export function EventList({ filter, onSearch, onOpen }: { filter: Record<string, string>; onSearch: (filter: Record<string, string>) => void; onOpen: (id: string) => void }): ReactNode {
  const [draft, setDraft] = useState<FilterForm>(() => formOf(filter));
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<EventPageView>();
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState<string>();
  const before = cursors[cursors.length - 1];

  useEffect(() => {
    setDraft(formOf(filter));
    setCursors([undefined]);
  }, [filter]);

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
    const parsed = auditFilterSchema.safeParse(filterOf(draft));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setInvalid(`${issue?.path.join('.') ?? 'filter'}: ${issue?.message ?? 'not a valid filter'}`);
      return;
    }
    setInvalid(undefined);
    onSearch(filterOf(draft));
    setCursors([undefined]);
  };
  const update = (field: keyof FilterForm, value: string) => setDraft({ ...draft, [field]: value });

  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      <form className="filter-form" onSubmit={search} aria-describedby="filter-help">
        <p id="filter-help">Every field narrows the search; leave a field empty to ignore it. Times are UTC.</p>
        <div className="filter-grid">
          {TEXT_FIELDS.map(({ field, label, type, inputMode }) => (
            <div key={field}>
              <label htmlFor={`filter-${field}`}>{label}</label>
              <input
                id={`filter-${field}`}
                type={type ?? 'text'}
                spellCheck={false}
                {...(inputMode ? { inputMode } : {})}
                value={draft[field]}
                onChange={(event) => update(field, event.target.value)}
              />
            </div>
          ))}
          <div>
            <label htmlFor="filter-outcome">Outcome</label>
            <select id="filter-outcome" value={draft.outcome} onChange={(event) => update('outcome', event.target.value)}>
              <option value="">any</option>
              <option value="success">success</option>
              <option value="denied">denied</option>
              <option value="failure">failure</option>
              <option value="aborted">aborted</option>
            </select>
          </div>
          <div>
            <label htmlFor="filter-decision">Policy decision</label>
            <select id="filter-decision" value={draft.decision} onChange={(event) => update('decision', event.target.value)}>
              <option value="">any</option>
              <option value="allow">allow</option>
              <option value="deny">deny</option>
            </select>
          </div>
        </div>
        {invalid ? (
          <p role="alert" className="error">
            Check the filter: {invalid}
          </p>
        ) : null}
        <button type="submit">Search</button>{' '}
        <button type="button" onClick={() => onSearch({})}>
          Clear filter
        </button>
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
