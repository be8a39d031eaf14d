import { type FormEvent, Fragment, type ReactNode, useState } from 'react';
import { api } from '../api/http';
import { aliasSchema, type AliasView, modelsSchema, type PortalPrincipal, versionSchema, type VersionView } from '../api/schemas';
import { ErrorMessage, formatDate, splitList, StatusMessage } from '../components/feedback';
import { useLoad } from '../components/use-load';

function label(version: Pick<VersionView, 'model' | 'version'>): string {
  return `${version.model}@${version.version}`;
}

function formatCount(value: number | undefined): string {
  return value === undefined ? '—' : value.toLocaleString('en');
}

function GgufDetails({ version }: { version: VersionView }): ReactNode {
  const gguf = version.gguf;
  return (
    <details>
      <summary>Details of {label(version)}</summary>
      <dl className="facts">
        <dt>SHA-256</dt>
        <dd>
          <code>{version.sha256 ?? 'remote endpoint'}</code>
        </dd>
        <dt>Licence</dt>
        <dd>{version.licence ?? gguf?.licence ?? 'not stated'}</dd>
        {gguf ? (
          <>
            <dt>Architecture</dt>
            <dd>{gguf.architecture}</dd>
            <dt>Parameters</dt>
            <dd>{formatCount(gguf.parameterCount)}</dd>
            <dt>Quantisation</dt>
            <dd>{gguf.quantisation.name}</dd>
            <dt>Context length</dt>
            <dd>{formatCount(gguf.contextLength)}</dd>
            <dt>Embedding length</dt>
            <dd>{formatCount(gguf.embeddingLength)}</dd>
            <dt>Layers</dt>
            <dd>{formatCount(gguf.blockCount)}</dd>
            <dt>Vocabulary</dt>
            <dd>{formatCount(gguf.vocabularySize)}</dd>
            <dt>File size</dt>
            <dd>{formatCount(gguf.fileSize)} bytes</dd>
          </>
        ) : null}
        <dt>Registered by</dt>
        <dd>{version.registeredBy}</dd>
        <dt>Approved</dt>
        <dd>{version.approvedBy ? `${version.approvedBy}, ${formatDate(version.approvedAt)}` : 'not yet'}</dd>
      </dl>
      {version.card ? <pre className="card">{version.card}</pre> : <p>No model card.</p>}
    </details>
  );
}

/** `name@3:90, name@4:10` → targets; the registry checks the rest. */
function parseTargets(text: string): { model: string; version: number; weight: number }[] {
  return splitList(text).map((part) => {
    const match = /^(.+)@(\d+)(?::(\d+))?$/.exec(part);
    if (!match?.[1] || !match[2]) throw new Error(`“${part}” is not MODEL@VERSION or MODEL@VERSION:WEIGHT.`);
    return { model: match[1], version: Number(match[2]), weight: match[3] ? Number(match[3]) : 1 };
  });
}

function AliasForm({ onSaved }: { onSaved: (alias: AliasView) => void }): ReactNode {
  const [name, setName] = useState('');
  const [targets, setTargets] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const body = { targets: parseTargets(targets), ...(reason.trim() ? { reason: reason.trim() } : {}) };
      onSaved(await api('PUT', `/api/admin/models/aliases/${encodeURIComponent(name.trim())}`, aliasSchema, body));
    } catch (reason) {
      setError(reason);
    }
  };
  return (
    <form className="panel" onSubmit={(event) => void submit(event)}>
      <h2>Point an alias</h2>
      <label htmlFor="alias-name">Alias</label>
      <input id="alias-name" required value={name} onChange={(event) => setName(event.target.value)} />
      <label htmlFor="alias-targets">Targets (MODEL@VERSION:WEIGHT, comma-separated; e.g. a 90/10 canary)</label>
      <input id="alias-targets" required value={targets} onChange={(event) => setTargets(event.target.value)} placeholder="llama@3:90, llama@4:10" />
      <label htmlFor="alias-reason">Reason</label>
      <input id="alias-reason" value={reason} onChange={(event) => setReason(event.target.value)} />
      <button type="submit">Save alias</button>
      <ErrorMessage error={error} />
    </form>
  );
}

export function ModelsPage({ principal }: { principal: PortalPrincipal }): ReactNode {
  const models = useLoad(() => api('GET', '/api/admin/models', modelsSchema));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<unknown>();
  const isApprover = principal.roles.includes('model-approver');
  const isAdmin = principal.roles.includes('admin');

  const act = async (verb: 'approve' | 'promote' | 'deprecate', version: VersionView) => {
    setError(undefined);
    try {
      const updated = await api('POST', `/api/admin/models/${encodeURIComponent(label(version))}/${verb}`, versionSchema, {});
      setStatus(`${label(updated)} is now ${updated.status}.`);
      models.reload();
    } catch (reason) {
      setError(reason);
    }
  };

  const rollback = async (alias: AliasView) => {
    setError(undefined);
    try {
      const updated = await api('POST', `/api/admin/models/aliases/${encodeURIComponent(alias.name)}/rollback`, aliasSchema, {});
      setStatus(`Alias ${updated.name} rolled back (revision ${updated.revision}).`);
      models.reload();
    } catch (reason) {
      setError(reason);
    }
  };

  return (
    <>
      <StatusMessage text={status} />
      <ErrorMessage error={error ?? models.error} />
      <table>
        <caption>Model versions</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Architecture</th>
            <th scope="col">Parameters</th>
            <th scope="col">Quantisation</th>
            <th scope="col">Registered</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(models.data?.versions ?? []).map((version) => (
            <Fragment key={version.id}>
              <tr className="has-details">
                <th scope="row">{label(version)}</th>
                <td>{version.status}</td>
                <td>{version.gguf?.architecture ?? 'remote'}</td>
                <td>{formatCount(version.gguf?.parameterCount)}</td>
                <td>{version.gguf?.quantisation.name ?? '—'}</td>
                <td>
                  {formatDate(version.createdAt)} by {version.registeredBy}
                </td>
                <td>
                  {version.status === 'draft' && isApprover ? (
                    <button type="button" onClick={() => void act('approve', version)} aria-label={`Approve ${label(version)}`}>
                      Approve
                    </button>
                  ) : null}
                  {version.status === 'approved' && isAdmin ? (
                    <button type="button" onClick={() => void act('promote', version)} aria-label={`Promote ${label(version)}`}>
                      Promote
                    </button>
                  ) : null}
                  {version.status === 'active' && isAdmin ? (
                    <button type="button" onClick={() => void act('deprecate', version)} aria-label={`Deprecate ${label(version)}`}>
                      Deprecate
                    </button>
                  ) : null}
                  {version.status === 'deprecated' && isAdmin ? (
                    <button type="button" onClick={() => void act('promote', version)} aria-label={`Re-activate ${label(version)}`}>
                      Re-activate
                    </button>
                  ) : null}
                </td>
              </tr>
              <tr>
                <td colSpan={7}>
                  <GgufDetails version={version} />
                </td>
              </tr>
            </Fragment>
          ))}
        </tbody>
      </table>
      {models.data?.versions.length === 0 ? <p>No model is registered. Register one with `attest models register`.</p> : null}
      {(models.data?.aliases.length ?? 0) > 0 ? (
        <table>
          <caption>Aliases</caption>
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Routes to</th>
              <th scope="col">Revision</th>
              <th scope="col">Changed</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(models.data?.aliases ?? []).map((alias) => (
              <tr key={alias.name}>
                <th scope="row">{alias.name}</th>
                <td>{alias.targets.map((target) => `${target.model}@${target.version} (weight ${target.weight})`).join(', ')}</td>
                <td>{alias.revision}</td>
                <td>{formatDate(alias.updatedAt)}</td>
                <td>
                  {isAdmin && alias.revision > 1 ? (
                    <button type="button" onClick={() => void rollback(alias)} aria-label={`Roll back ${alias.name}`}>
                      Roll back
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {models.data?.aliases.length === 0 ? <p>No aliases yet.</p> : null}
      {isAdmin ? (
        <AliasForm
          onSaved={(alias) => {
            setStatus(`Alias ${alias.name} saved (revision ${alias.revision}).`);
            models.reload();
          }}
        />
      ) : null}
    </>
  );
}
