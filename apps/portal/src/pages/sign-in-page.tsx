import { type ReactNode } from 'react';
import { api } from '../api/http';
import { signInMethodsSchema } from '../api/schemas';
import { ErrorMessage } from '../components/feedback';
import { useLoad } from '../components/use-load';

/** Sign-in goes through the enterprise identity provider; the browser ends up holding only an HttpOnly session cookie. */
export function SignInPage(): ReactNode {
  const methods = useLoad(() => api('GET', '/api/admin/sign-in', signInMethodsSchema));
  return (
    <main className="page narrow">
      <h1>Sign in to Attest</h1>
      <ErrorMessage error={methods.error} />
      {methods.data?.sso ? (
        <p>
          <a className="button" href="/auth/login?returnTo=%2Fportal%2F">
            Sign in with single sign-on
          </a>
        </p>
      ) : null}
      {methods.data && !methods.data.sso ? (
        <p>
          Single sign-on is not configured on this gateway. An operator sets ATTEST_OIDC_ISSUER, ATTEST_OIDC_CLIENT_ID and
          ATTEST_OIDC_CLIENT_SECRET (see docs/portal.md), then reloads this page.
        </p>
      ) : null}
    </main>
  );
}
