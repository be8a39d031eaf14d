import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api/http';
import { type CreateKeyBody } from '../api/requests';
import { apiKeyListSchema, apiKeySchema, type ApiKeyView, issuedKeySchema, type IssuedKeyView, ROLES } from '../api/schemas';
import { ErrorMessage, formatDate, splitList, StatusMessage } from '../components/feedback';
import { useLoad } from '../components/use-load';

/** The clear key, shown once right after create or rotate; it exists nowhere else. */
function NewKeyNotice({ issued, onDone }: { issued: IssuedKeyView; onDone: () => void }): ReactNode {
  const [copied, setCopied] = useState(false);
  return (
    <section className="notice" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">New key for “{issued.record.name}”: copy it now</h2>
      <p>This is the only time the key is shown. Store it in your secret manager.</p>
      <p>
        <code className="secret" data-testid="new-key">
          {issued.key}
        </code>
      </p>
      <button type="button" onClick={() => void navigator.clipboard.writeText(issued.key).then(() => setCopied(true))}>
        Copy key
      </button>{' '}
      <button type="button" onClick={onDone}>
        I have stored it
      </button>
      <StatusMessage text={copied ? 'Copied to the clipboard.' : undefined} />
    </section>
  );
}

function CreateKeyForm({ onIssued }: { onIssued: (issued: IssuedKeyView) => void }): ReactNode {
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<string[]>(['developer']);
  const [models, setModels] = useState('');
  const [days, setDays] = useState('');
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const body: CreateKeyBody = { name: name.trim(), roles };
    const modelList = splitList(models);
    if (modelList.length > 0) body.models = modelList;
    if (days.trim() !== '') body.expiresInDays = Number(days);
    try {
      onIssued(await api('POST', '/api/admin/keys', issuedKeySchema, body));
      setName('');
      setModels('');
      setDays('');
    } catch (reason) {
      setError(reason);
    }
  };

  const toggle = (role: string) => setRoles((current) => (current.includes(role) ? current.filter((r) => r !== role) : [...current, role]));

  return (
    <form className="panel" onSubmit={(event) => void submit(event)}>
      <h2>Create a key</h2>
      <label htmlFor="key-name">Name</label>
      <input id="key-name" required maxLength={64} value={name} onChange={(event) => setName(event.target.value)} />
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role} className="inline">
            <input type="checkbox" checked={roles.includes(role)} onChange={() => toggle(role)} /> {role}
          </label>
        ))}
      </fieldset>
      <label htmlFor="key-models">Models (comma-separated; empty for all)</label>
      <input id="key-models" value={models} onChange={(event) => setModels(event.target.value)} placeholder="stories260k, llama*" />
      <label htmlFor="key-days">Expires in days (empty for the default)</label>
      <input id="key-days" type="number" min={1} value={days} onChange={(event) => setDays(event.target.value)} />
      <button type="submit">Create key</button>
      <ErrorMessage error={error} />
    </form>
  );
}

export function ApiKeysPage(): ReactNode {
  const keys = useLoad(async () => (await api('GET', '/api/admin/keys', apiKeyListSchema)).keys);
  const [issued, setIssued] = useState<IssuedKeyView>();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<unknown>();

  const revoke = async (key: ApiKeyView) => {
    if (!window.confirm(`Revoke “${key.name}” (${key.maskedKey})? Clients using it are refused at once.`)) return;
    setError(undefined);
    try {
      await api('POST', `/api/admin/keys/${encodeURIComponent(key.id)}/revoke`, apiKeySchema, {});
      setStatus(`Key “${key.name}” revoked.`);
      keys.reload();
    } catch (reason) {
      setError(reason);
    }
  };

  const rotate = async (key: ApiKeyView) => {
    setError(undefined);
    try {
      const rotated = await api('POST', `/api/admin/keys/${encodeURIComponent(key.id)}/rotate`, issuedKeySchema, {});
      setIssued(rotated);
      setStatus(`Key “${key.name}” rotated; the old key keeps working for the overlap period.`);
      keys.reload();
    } catch (reason) {
      setError(reason);
    }
  };

  return (
    <>
      {issued ? <NewKeyNotice issued={issued} onDone={() => setIssued(undefined)} /> : null}
      <StatusMessage text={status} />
      <ErrorMessage error={error ?? keys.error} />
      <table>
        <caption>API keys of this tenant</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Roles</th>
            <th scope="col">Models</th>
            <th scope="col">Status</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(keys.data ?? []).map((key) => (
            <tr key={key.id}>
              <th scope="row">{key.name}</th>
              <td>
                <code>{key.maskedKey}</code>
              </td>
              <td>{key.roles.join(', ')}</td>
              <td>{key.modelScopes?.join(', ') ?? 'all'}</td>
              <td>{key.status}</td>
              <td>{formatDate(key.expiresAt)}</td>
              <td>{formatDate(key.lastUsedAt)}</td>
              <td>
                {key.status === 'active' ? (
                  <>
                    <button type="button" onClick={() => void rotate(key)} aria-label={`Rotate ${key.name}`}>
                      Rotate
                    </button>{' '}
                    <button type="button" className="danger" onClick={() => void revoke(key)} aria-label={`Revoke ${key.name}`}>
                      Revoke
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.data?.length === 0 ? <p>No keys yet. Create one below.</p> : null}
      <CreateKeyForm
        onIssued={(value) => {
          setIssued(value);
          setStatus(`Key “${value.record.name}” created.`);
          keys.reload();
        }}
      />
    </>
  );
}
