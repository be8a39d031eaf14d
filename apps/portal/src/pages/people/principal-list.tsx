import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { api } from '../../api/http';
import { principalPageSchema, type PrincipalPageView, type PrincipalView } from '../../api/schemas';
import { ErrorMessage, formatDate } from '../../components/feedback';

const PAGE_SIZE = 25;

const SOURCES: Record<string, string> = {
  oidc: 'OpenID Connect',
  saml: 'SAML',
  scim: 'SCIM (not signed in yet)',
  local: 'API key holder',
  api_key: 'API key service',
  other: 'other',
};

function Identity({ principal }: { principal: PrincipalView }): ReactNode {
  return (
    <>
      {SOURCES[principal.source] ?? principal.source}
      {principal.issuer ? (
        <>
          <br />
          issuer <code>{principal.issuer}</code>
        </>
      ) : null}
      <br />
      subject <code>{principal.subject}</code>
    </>
  );
}

/**
 * Every principal of the tenant, by name, 25 at a time: "Next page" follows the server's keyset cursor (never an
 * offset), "Previous page" goes back along the cursors already seen.
 */
export function PrincipalList(): ReactNode {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<PrincipalPageView>();
  const [error, setError] = useState<unknown>();
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let current = true;
    setError(undefined);
    setPage(undefined);
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), ...(query ? { q: query } : {}), ...(cursor ? { cursor } : {}) });
    api('GET', `/api/admin/principals?${params.toString()}`, principalPageSchema).then(
      (value) => current && setPage(value),
      (reason: unknown) => current && setError(reason),
    );
    return () => {
      current = false;
    };
  }, [query, cursor]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery(draft.trim());
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="principals-heading">
      <h2 id="principals-heading">People and services</h2>
      <p>
        People appear after their first sign-in (OpenID Connect or SAML) or when your identity provider provisions them by SCIM; services when an API key
        is issued. Roles are as last mapped. Change people in your identity provider: this list is read-only.
      </p>
      <form className="inline-form" role="search" aria-label="People" onSubmit={search}>
        <label htmlFor="principal-search">Search by name, subject or SCIM user name</label>
        <input id="principal-search" type="search" spellCheck={false} value={draft} onChange={(event) => setDraft(event.target.value)} />
        <button type="submit">Search</button>{' '}
        {query ? (
          <button
            type="button"
            onClick={() => {
              setDraft('');
              setQuery('');
              setCursors([undefined]);
            }}
          >
            Show everyone
          </button>
        ) : null}
      </form>
      <ErrorMessage error={error} />
      {!page && !error ? <p role="status">Loading people…</p> : null}
      {page && page.principals.length > 0 ? (
        <table>
          <caption>
            {query ? `Principals matching “${query}”` : 'Principals of this tenant'}, page {cursors.length}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Identity</th>
              <th scope="col">Status</th>
              <th scope="col">Roles</th>
              <th scope="col">Groups</th>
              <th scope="col">Active keys</th>
              <th scope="col">Last seen</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page.principals.map((principal) => (
              <tr key={principal.id}>
                <th scope="row">{principal.displayName}</th>
                <td>{principal.kind === 'service' ? 'service' : 'person'}</td>
                <td>
                  <Identity principal={principal} />
                </td>
                <td>{principal.status}</td>
                <td>{principal.roles.join(', ') || 'none'}</td>
                <td>
                  {principal.groups.join(', ') || '—'}
                  {principal.scimUserName ? (
                    <>
                      <br />
                      SCIM user <code>{principal.scimUserName}</code>
                      {principal.scimGroups.length > 0 ? ` in ${principal.scimGroups.join(', ')}` : ''}
                    </>
                  ) : null}
                </td>
                <td>{principal.activeKeys}</td>
                <td>{formatDate(principal.lastSeenAt)}</td>
                <td>{formatDate(principal.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {page && page.principals.length === 0 ? (
        <p>
          {query
            ? `Nobody matches “${query}”. Check the spelling, or search by part of the subject.`
            : 'Nobody yet. Sign in with single sign-on, provision users by SCIM, or issue an API key.'}
        </p>
      ) : null}
      <p>
        {cursors.length > 1 ? (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        ) : null}{' '}
        {page?.nextCursor ? (
          <button type="button" onClick={() => setCursors([...cursors, page.nextCursor ?? undefined])}>
            Next page
          </button>
        ) : null}
      </p>
    </section>
  );
}
