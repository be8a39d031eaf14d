import { type FormEvent, type ReactNode, useState } from 'react';
import { api, ApiError } from '../api/http';
import { apiKeySignInBodySchema } from '../api/requests';
import { principalSchema, signInMethodsSchema } from '../api/schemas';
import { ErrorMessage } from '../components/feedback';
import { useLoad } from '../components/use-load';

/** A refused key reads as a refused key here, not as "your session has ended". */
function signInError(error: unknown): unknown {
  if (error instanceof ApiError && error.status === 401) return new Error('This API key was not accepted: check it, or ask an admin for a key that is active.');
  return error;
}

/**
 * Sign-in with the enterprise identity provider or, always (the zero-configuration start has no IdP), with an API key.
 * Either way the browser ends up holding only an HttpOnly session cookie: the key goes to the gateway once and is
 * forgotten, never stored by the page.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: () => void }): ReactNode {
  const methods = useLoad(() => api('GET', '/api/admin/sign-in', signInMethodsSchema));
  const [apiKey, setApiKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/api/admin/session', principalSchema, apiKeySignInBodySchema.parse({ apiKey: apiKey.trim() }));
      setApiKey('');
      onSignedIn();
    } catch (caught) {
      setError(signInError(caught));
      setBusy(false);
    }
  }

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
      {methods.data?.saml ? (
        <p>
          <a className="button" href="/auth/saml/login?returnTo=%2Fportal%2F">
            Sign in with SAML
          </a>
        </p>
      ) : null}
      <form className="panel" onSubmit={(event) => void submit(event)}>
        <label htmlFor="sign-in-api-key">API key</label>
        <input
          id="sign-in-api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          aria-describedby="sign-in-api-key-help"
        />
        <p id="sign-in-api-key-help">
          The bootstrap admin key printed at the first start, or any key with a portal role. The browser keeps only a
          session cookie, never the key.
        </p>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          Sign in with an API key
        </button>
      </form>
      {methods.data && !methods.data.sso && !methods.data.saml ? (
        <p>
          Single sign-on is not configured on this gateway. An operator sets ATTEST_OIDC_ISSUER, ATTEST_OIDC_CLIENT_ID and
          ATTEST_OIDC_CLIENT_SECRET, or ATTEST_SAML_IDP_ENTRY_POINT, ATTEST_SAML_IDP_ISSUER and ATTEST_SAML_IDP_CERT (see
          docs/portal.md), to offer it.
        </p>
      ) : null}
    </main>
  );
}
