import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../../api/http';
import { previewRoleMappingBodySchema } from '../../api/requests';
import { mappingPreviewSchema, type MappingPreviewView, type RoleMappingView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { MappingOutcome } from './mapping-outcome';

/** Claims that exercise the first group rule, so an admin sees the shape the preview expects. */
function exampleClaims(mapping: RoleMappingView): string {
  const groupRule = mapping.rules.find((rule) => rule.claim === mapping.groupsClaim);
  return JSON.stringify({ iss: mapping.oidcIssuer ?? 'https://idp.example.com', sub: 'test-user-1', name: 'Test User', [mapping.groupsClaim]: [groupRule?.equals ?? 'attest-developers'] }, null, 2);
}

/** Parses the pasted JSON here first, so a typo is named before anything is sent. */
function parseClaims(text: string): { claims: Record<string, unknown> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `This is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = previewRoleMappingBodySchema.safeParse({ claims: value });
  return parsed.success ? { claims: parsed.data.claims } : { problem: 'Paste one JSON object of claims, such as the payload of an ID token.' };
}

/** Pasted claims → the roles the rules give and which rule matched; the server runs the sign-in's own mapping. */
export function MappingPreviewForm({ mapping }: { mapping: RoleMappingView }): ReactNode {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<MappingPreviewView>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setPreview(undefined);
    const parsed = parseClaims(text);
    if ('problem' in parsed) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      setPreview(await api('POST', '/api/admin/role-mapping/preview', mappingPreviewSchema, parsed));
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(event) => void submit(event)} aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview the mapping</h2>
      <p id="claims-help">
        Paste the claims of an ID token or access token (its decoded payload) to see the roles the rules give. The sign-in&apos;s own mapping runs on them;
        nothing is stored. Groups provisioned by SCIM are added at a real sign-in, not here.
      </p>
      <label htmlFor="preview-claims">Claims (JSON)</label>
      <textarea
        id="preview-claims"
        className="claims-input"
        rows={10}
        spellCheck={false}
        required
        aria-describedby="claims-help"
        aria-invalid={problem ? true : undefined}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Previewing…' : 'Preview roles'}
      </button>{' '}
      <button type="button" onClick={() => setText(exampleClaims(mapping))}>
        Insert an example
      </button>
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
      <ErrorMessage error={error} />
      <div aria-live="polite">{preview ? <MappingOutcome preview={preview} headingId="preview-outcome" /> : null}</div>
    </form>
  );
}
