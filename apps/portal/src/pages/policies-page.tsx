import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api/http';
import { type DryRunBody } from '../api/requests';
import { decisionSchema, type DecisionView, policyBundlesSchema, ROLES } from '../api/schemas';
import { ErrorMessage, splitList } from '../components/feedback';
import { useLoad } from '../components/use-load';
import { PolicyHistory } from './policies/policy-history';

function DryRunForm(): ReactNode {
  const [action, setAction] = useState('chat');
  const [model, setModel] = useState('');
  const [roles, setRoles] = useState<string[]>(['developer']);
  const [groups, setGroups] = useState('');
  const [piiTypes, setPiiTypes] = useState('');
  const [classification, setClassification] = useState('');
  const [decision, setDecision] = useState<DecisionView>();
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDecision(undefined);
    const body: DryRunBody = { action, model: model.trim(), roles, groups: splitList(groups), piiTypes: splitList(piiTypes) };
    if (classification.trim()) body.dataClassification = classification.trim();
    try {
      setDecision(await api('POST', '/api/admin/policies/evaluate', decisionSchema, body));
    } catch (reason) {
      setError(reason);
    }
  };
  const toggle = (role: string) => setRoles((current) => (current.includes(role) ? current.filter((r) => r !== role) : [...current, role]));

  return (
    <form className="panel" onSubmit={(event) => void submit(event)}>
      <h2>Dry run a request</h2>
      <p>Decides a made-up request with the active bundle. Nothing is served or stored.</p>
      <label htmlFor="dry-action">Action</label>
      <select id="dry-action" value={action} onChange={(event) => setAction(event.target.value)}>
        <option value="chat">chat</option>
        <option value="completion">completion</option>
        <option value="embedding">embedding</option>
      </select>
      <label htmlFor="dry-model">Model or alias</label>
      <input id="dry-model" required value={model} onChange={(event) => setModel(event.target.value)} />
      <fieldset>
        <legend>Caller roles</legend>
        {ROLES.map((role) => (
          <label key={role} className="inline">
            <input type="checkbox" checked={roles.includes(role)} onChange={() => toggle(role)} /> {role}
          </label>
        ))}
      </fieldset>
      <label htmlFor="dry-groups">Caller groups (comma-separated)</label>
      <input id="dry-groups" value={groups} onChange={(event) => setGroups(event.target.value)} />
      <label htmlFor="dry-pii">PII types in the prompt (comma-separated, e.g. PERSON, EMAIL_ADDRESS)</label>
      <input id="dry-pii" value={piiTypes} onChange={(event) => setPiiTypes(event.target.value)} />
      <label htmlFor="dry-class">Declared data classification (optional)</label>
      <input id="dry-class" value={classification} onChange={(event) => setClassification(event.target.value)} />
      <button type="submit">Decide</button>
      <ErrorMessage error={error} />
      {decision ? (
        <section aria-live="polite" className={`decision ${decision.decision}`}>
          <h3>
            Decision: <strong>{decision.decision}</strong>
          </h3>
          <dl className="facts">
            <dt>Policies</dt>
            <dd>{decision.policyIds.join(', ') || 'none matched'}</dd>
            <dt>Reasons</dt>
            <dd>
              <ul>
                {decision.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </dd>
            <dt>Obligations</dt>
            <dd>
              <pre>{JSON.stringify(decision.obligations, null, 2)}</pre>
            </dd>
            {decision.errors.length > 0 ? (
              <>
                <dt>Errors</dt>
                <dd>{decision.errors.join('; ')}</dd>
              </>
            ) : null}
          </dl>
        </section>
      ) : null}
    </form>
  );
}

export function PoliciesPage(): ReactNode {
  const bundles = useLoad(() => api('GET', '/api/admin/policies', policyBundlesSchema));
  return (
    <>
      <ErrorMessage error={bundles.error} />
      {bundles.loading && !bundles.data ? <p aria-live="polite">Loading the policy bundles…</p> : null}
      {bundles.data ? (
        <p>
          Active bundle: <code data-testid="active-bundle">{bundles.data.activeSha256}</code>
        </p>
      ) : null}
      {bundles.data ? <PolicyHistory view={bundles.data} /> : null}
      <DryRunForm />
    </>
  );
}
