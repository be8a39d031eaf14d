import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../../api/http';
import { saveSearchBodySchema } from '../../api/requests';
import { emptySchema, savedSearchListSchema, savedSearchSchema } from '../../api/schemas';
import { ErrorMessage, formatDate, StatusMessage } from '../../components/feedback';
import { useLoad } from '../../components/use-load';
import { describeFilter } from './filter-form';

/**
 * The auditor's own saved searches: save the applied filter under a name, apply one, delete one. Only their owner sees
 * them; saving and deleting are recorded in the audit log, and applying one is a search like any other.
 */
export function SavedSearches({ filter, onApply }: { filter: Record<string, string>; onApply: (filter: Record<string, string>) => void }): ReactNode {
  const searches = useLoad(() => api('GET', '/api/audit/saved-searches', savedSearchListSchema));
  const [name, setName] = useState('');
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await work());
      searches.reload();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const saved = await api('POST', '/api/audit/saved-searches', savedSearchSchema, saveSearchBodySchema.parse({ name, filter }));
      setName('');
      return `Saved the search “${saved.name}”.`;
    });
  };
  const remove = (searchName: string) =>
    void act(async () => {
      await api('DELETE', `/api/audit/saved-searches/${encodeURIComponent(searchName)}`, emptySchema);
      return `Deleted the saved search “${searchName}”.`;
    });

  const list = searches.data?.searches ?? [];
  return (
    <section className="panel" aria-labelledby="saved-heading" aria-busy={busy || searches.loading}>
      <h2 id="saved-heading">Saved searches</h2>
      <form onSubmit={save}>
        <p>
          Current search: <span data-testid="current-filter">{describeFilter(filter)}</span>
        </p>
        <label htmlFor="saved-name">Name for the current search</label>
        <input id="saved-name" required maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit" disabled={busy}>
          Save current search
        </button>
      </form>
      <StatusMessage text={status} />
      <ErrorMessage error={error ?? searches.error} />
      {searches.data && list.length === 0 ? <p>No saved searches yet. Search the events above, then save the search here under a name to run it again later.</p> : null}
      {list.length > 0 ? (
        <table>
          <caption>Your saved searches</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Filter</th>
              <th scope="col">Saved</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((search) => (
              <tr key={search.name}>
                <th scope="row">{search.name}</th>
                <td>{describeFilter(search.filter)}</td>
                <td>{formatDate(search.updatedAt)}</td>
                <td>
                  <button type="button" onClick={() => onApply(search.filter)} aria-label={`Apply ${search.name}`}>
                    Apply
                  </button>{' '}
                  <button type="button" className="danger" disabled={busy} onClick={() => remove(search.name)} aria-label={`Delete ${search.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
