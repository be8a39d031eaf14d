import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { api } from '../../api/http';
import { testLoginResultSchema, testLoginStartSchema, type TestLoginResultView } from '../../api/schemas';
import { ErrorMessage, formatDate } from '../../components/feedback';
import { MappingOutcome } from './mapping-outcome';

/** Why the IdP's answer was not a login (the gateway sends `testLoginError=<code>` back). */
const FAILURES: Record<string, string> = {
  LOGIN_FAILED: 'The identity provider did not complete the sign-in (cancelled, refused, or the attempt expired). Start the test again.',
  IDP_UNAVAILABLE: 'The identity provider could not be reached. Check ATTEST_OIDC_ISSUER and the network, then start the test again.',
};

/**
 * "Test SSO login": the real sign-in with the configured IdP, which asks for credentials even when it has a session, so
 * you can sign in as a test user. Nobody is signed in to Attest by it: the ID token's claims and the roles they map to
 * come back here for 5 minutes, to your session only.
 */
export function SsoTestLogin({ resultId, failure }: { resultId: string | undefined; failure: string | undefined }): ReactNode {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<TestLoginResultView>();
  const [loading, setLoading] = useState(resultId !== undefined);
  // Focus the result once it is shown, so keyboard and screen reader users land on it after the round trip.
  const focusResult = useCallback((heading: HTMLHeadingElement | null) => heading?.focus(), []);

  useEffect(() => {
    if (!resultId) return;
    let current = true;
    api('GET', `/api/admin/role-mapping/test-login/${encodeURIComponent(resultId)}`, testLoginResultSchema).then(
      (value) => {
        if (!current) return;
        setResult(value);
        setLoading(false);
      },
      (reason: unknown) => {
        if (!current) return;
        setError(reason);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [resultId]);

  const start = async () => {
    setError(undefined);
    setStarting(true);
    try {
      const { authorizationUrl } = await api('POST', '/api/admin/role-mapping/test-login', testLoginStartSchema, {});
      window.location.assign(authorizationUrl);
    } catch (reason) {
      setError(reason);
      setStarting(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="test-login-heading">
      <h2 id="test-login-heading">Test SSO login</h2>
      <p>
        Signs in at your identity provider (it asks for credentials again, so you can use a test account) and shows the raw claims of the ID token and the
        roles the rules give them. Nobody is signed in to Attest by it; the result is kept for 5 minutes for your session only, and the test is recorded in
        the audit log (roles and matched rules, never the claims).
      </p>
      <p>
        Signed in to Attest through this identity provider? Signing in there as someone else may end your Attest session too (the provider reports the
        logout). To test other accounts, use a private window signed in with an API key.
      </p>
      <button type="button" onClick={() => void start()} disabled={starting}>
        {starting ? 'Opening your identity provider…' : 'Test SSO login'}
      </button>
      {failure ? (
        <p role="alert" className="error">
          {FAILURES[failure] ?? `The test login failed (${failure}). Start it again.`}
        </p>
      ) : null}
      <ErrorMessage error={error} />
      {loading ? <p role="status">Loading the test login result…</p> : null}
      {result ? (
        <>
          <p>
            Test login at {formatDate(result.createdAt)}; shown until {formatDate(result.expiresAt)}.
          </p>
          <MappingOutcome preview={result.preview} claims={result.claims} headingId="test-login-outcome" headingRef={focusResult} />
        </>
      ) : null}
    </section>
  );
}
