import { type ReactNode } from 'react';
import { type MappingPreviewView, type MatchedRuleView } from '../../api/schemas';

/** Rules are numbered from 1 on screen; the API counts from 0 (its position in ATTEST_ROLE_MAPPING). */
export function ruleLabel(rule: Pick<MatchedRuleView, 'index'>): string {
  return `#${rule.index + 1}`;
}

function listOrNone(values: string[], none: string): string {
  return values.length > 0 ? values.join(', ') : none;
}

/**
 * What a sign-in with some claims gets: the verdict, the roles, the rules that matched and why a refusal happens.
 * `claims`, when given, are shown raw (the SSO test login's ID token claims).
 */
export function MappingOutcome({ preview, claims, headingId, headingRef }: {
  preview: MappingPreviewView;
  claims?: Record<string, unknown>;
  headingId: string;
  headingRef?: (element: HTMLHeadingElement | null) => void;
}): ReactNode {
  const allowed = preview.outcome === 'signed_in';
  return (
    <section aria-labelledby={headingId} className={`decision ${allowed ? 'allow' : 'deny'}`}>
      <h3 id={headingId} ref={headingRef} tabIndex={-1}>
        Sign-in: <strong>{allowed ? 'allowed' : 'refused'}</strong>
      </h3>
      <dl className="facts">
        <dt>Roles</dt>
        <dd data-testid="mapped-roles">{listOrNone(preview.roles, 'none')}</dd>
        <dt>Matched rules</dt>
        <dd>
          {preview.matchedRules.length > 0 ? (
            <ul className="plain-list">
              {preview.matchedRules.map((rule) => (
                <li key={rule.index}>
                  Rule {ruleLabel(rule)}: <code>{rule.claim}</code> contains <code>{rule.equals}</code> → {rule.roles.join(', ')}
                </li>
              ))}
            </ul>
          ) : (
            'No rule: sign-in refused'
          )}
        </dd>
        <dt>Read as</dt>
        <dd>{preview.kind === 'service' ? 'a service (client-credentials token: no sub, or sub equal to the client id)' : 'a person'}</dd>
        <dt>Groups the rules saw</dt>
        <dd>{listOrNone(preview.groups, 'none')}</dd>
        {preview.provisionedGroups.length > 0 ? (
          <>
            <dt>Of which from SCIM</dt>
            <dd>{preview.provisionedGroups.join(', ')}</dd>
          </>
        ) : null}
        {preview.groupsOverage ? (
          <>
            <dt>Groups overage</dt>
            <dd>
              Entra ID left the groups out (too many) and points at Microsoft Graph instead. Map Entra app roles (the <code>roles</code> claim) rather
              than groups.
            </dd>
          </>
        ) : null}
        {preview.refusal ? (
          <>
            <dt>Why refused</dt>
            <dd>
              {preview.refusal.message} (<code>{preview.refusal.code}</code>)
            </dd>
          </>
        ) : null}
      </dl>
      {claims ? (
        <>
          <h4>Raw claims of the ID token</h4>
          <div className="card" role="region" aria-label="Raw claims of the ID token" tabIndex={0}>
            <pre data-testid="raw-claims">{JSON.stringify(claims, null, 2)}</pre>
          </div>
        </>
      ) : null}
    </section>
  );
}
