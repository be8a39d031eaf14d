import { type ReactNode } from 'react';
import { api } from '../../api/http';
import { roleMappingSchema, type RoleMappingView } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { useLoad } from '../../components/use-load';
import { MappingPreviewForm } from './mapping-preview-form';
import { ruleLabel } from './mapping-outcome';
import { SsoTestLogin } from './sso-test-login';

const EXAMPLE_RULES = '[{"claim":"groups","equals":"attest-admins","roles":["admin"]}]';

function onOff(on: boolean): string {
  return on ? 'configured' : 'off';
}

function Providers({ mapping }: { mapping: RoleMappingView }): ReactNode {
  const { features } = mapping;
  return (
    <dl className="facts" data-testid="idp-features">
      <dt>OpenID Connect sign-in</dt>
      <dd>
        {onOff(features.oidcLogin)}
        {mapping.oidcIssuer ? (
          <>
            {' '}
            (issuer <code>{mapping.oidcIssuer}</code>)
          </>
        ) : null}
      </dd>
      <dt>IdP access tokens for the API</dt>
      <dd>{onOff(features.oidcBearerTokens)}</dd>
      <dt>SAML 2.0 sign-in</dt>
      <dd>{onOff(features.saml)}</dd>
      <dt>SCIM provisioning</dt>
      <dd>{onOff(features.scim)}</dd>
      <dt>Groups claim</dt>
      <dd>
        <code>{mapping.groupsClaim}</code>; SAML attributes{' '}
        {mapping.samlGroupsAttributes.map((name, index) => (
          <span key={name}>
            {index > 0 ? ', ' : ''}
            <code>{name}</code>
          </span>
        ))}
      </dd>
      <dt>SCIM link claim</dt>
      <dd>
        <code>{mapping.scimLinkClaim}</code>
      </dd>
    </dl>
  );
}

function RulesTable({ mapping }: { mapping: RoleMappingView }): ReactNode {
  if (mapping.rules.length === 0) {
    return (
      <p>
        <strong>No rules are configured: every single sign-on is refused.</strong> Set <code>{mapping.configuredBy}</code>, for example{' '}
        <code>{EXAMPLE_RULES}</code>.
      </p>
    );
  }
  return (
    <table>
      <caption>Role-mapping rules, in the order they are configured</caption>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">When the claim</th>
          <th scope="col">contains</th>
          <th scope="col">grant the roles</th>
        </tr>
      </thead>
      <tbody>
        {mapping.rules.map((rule) => (
          <tr key={rule.index}>
            <th scope="row">{ruleLabel(rule)}</th>
            <td>
              <code>{rule.claim}</code>
            </td>
            <td>
              <code>{rule.equals}</code>
            </td>
            <td>{rule.roles.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The rules (configuration, read-only here), the IdP features, a preview for pasted claims, and the SSO test login. */
export function RoleMappingPanel({ testLoginId, testLoginError }: { testLoginId: string | undefined; testLoginError: string | undefined }): ReactNode {
  const mapping = useLoad(() => api('GET', '/api/admin/role-mapping', roleMappingSchema));
  const data = mapping.data;
  return (
    <section aria-labelledby="mapping-heading">
      <h2 id="mapping-heading">Role mapping</h2>
      <ErrorMessage error={mapping.error} />
      {mapping.loading && !data ? <p role="status">Loading the role mapping…</p> : null}
      {data ? (
        <>
          <p>
            Sign-ins get their roles from these rules: every rule whose claim contains the value adds its roles, and a sign-in no rule matches is refused.
            Group paths match with or without Keycloak&apos;s leading <code>/</code>.
          </p>
          <p className="notice-plain">
            The rules are configuration and cannot be edited here. To change them, set <code>{data.configuredBy}</code> (a JSON list such as{' '}
            <code>{EXAMPLE_RULES}</code>) in the gateway&apos;s environment, the same on every replica, and restart it. Roles change at each person&apos;s
            next sign-in (SCIM group changes apply at once).
          </p>
          <RulesTable mapping={data} />
          <h3>Identity providers</h3>
          <Providers mapping={data} />
          <MappingPreviewForm mapping={data} />
          {data.testLogin ? <SsoTestLogin resultId={testLoginId} failure={testLoginError} /> : null}
        </>
      ) : null}
    </section>
  );
}
