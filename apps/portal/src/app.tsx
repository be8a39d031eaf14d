import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api/http';
import { type PortalPrincipal, principalSchema } from './api/schemas';
import { ErrorMessage } from './components/feedback';
import { ApiKeysPage } from './pages/api-keys-page';
import { AuditPage } from './pages/audit-page';
import { DashboardPage } from './pages/dashboard-page';
import { DataSubjectsPage } from './pages/data-subjects-page';
import { ModelsPage } from './pages/models-page';
import { PeoplePage } from './pages/people/people-page';
import { PoliciesPage } from './pages/policies-page';
import { RetentionPage } from './pages/retention-page';
import { SignInPage } from './pages/sign-in-page';

interface PageDefinition {
  path: string;
  title: string;
  roles: string[];
  render: (principal: PortalPrincipal) => ReactNode;
}

const PAGES: PageDefinition[] = [
  { path: 'overview', title: 'Overview', roles: ['admin', 'auditor'], render: () => <DashboardPage /> },
  { path: 'keys', title: 'API keys', roles: ['admin'], render: () => <ApiKeysPage /> },
  { path: 'models', title: 'Models', roles: ['admin', 'model-approver', 'auditor'], render: (principal) => <ModelsPage principal={principal} /> },
  { path: 'policies', title: 'Policies', roles: ['admin', 'policy-author', 'auditor'], render: () => <PoliciesPage /> },
  { path: 'audit', title: 'Audit log', roles: ['auditor', 'admin'], render: () => <AuditPage /> },
  { path: 'people', title: 'People', roles: ['admin'], render: () => <PeoplePage /> },
  { path: 'retention', title: 'Retention & legal holds', roles: ['admin', 'auditor'], render: (principal) => <RetentionPage principal={principal} /> },
  { path: 'data-subjects', title: 'Data subjects', roles: ['admin'], render: () => <DataSubjectsPage /> },
];

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

/** Hash routes (`#/keys`): the gateway serves one index.html and needs no fallback route per page. */
function useHashPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

type SessionState = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'signed-in'; principal: PortalPrincipal } | { kind: 'error'; error: unknown };

export function App(): ReactNode {
  const [session, setSession] = useState<SessionState>({ kind: 'loading' });
  const path = useHashPath();

  const refresh = useCallback(() => {
    api('GET', '/auth/me', principalSchema).then(
      (principal) => setSession({ kind: 'signed-in', principal }),
      (error: unknown) => setSession(error instanceof ApiError && error.status === 401 ? { kind: 'signed-out' } : { kind: 'error', error }),
    );
  }, []);
  useEffect(refresh, [refresh]);

  if (session.kind === 'loading') return <p className="page">Loading…</p>;
  if (session.kind === 'error') {
    return (
      <main className="page">
        <h1>Attest</h1>
        <ErrorMessage error={session.error} />
        <button type="button" onClick={refresh}>
          Try again
        </button>
      </main>
    );
  }
  if (session.kind === 'signed-out') return <SignInPage onSignedIn={refresh} />;

  const { principal } = session;
  const allowed = PAGES.filter((page) => page.roles.some((role) => principal.roles.includes(role)));
  const page = allowed.find((candidate) => candidate.path === path) ?? allowed[0];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Attest</span>
        <nav aria-label="Main">
          <ul>
            {allowed.map((candidate) => (
              <li key={candidate.path}>
                <a href={`#/${candidate.path}`} aria-current={candidate === page ? 'page' : undefined}>
                  {candidate.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {principal.displayName} ({principal.roles.join(', ')})
        </span>
        <form method="post" action="/auth/logout">
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {page ? (
          <>
            <h1>{page.title}</h1>
            {page.render(principal)}
          </>
        ) : (
          <p>Your roles ({principal.roles.join(', ') || 'none'}) open no page of this portal. Ask an administrator for a role.</p>
        )}
      </main>
    </>
  );
}
