import { type ReactNode } from 'react';
import { api } from '../../api/http';
import { groupsSchema } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { useLoad } from '../../components/use-load';

function rolesText(roles: string[]): string {
  return roles.length > 0 ? roles.join(', ') : 'none (no rule names this group)';
}

/** SCIM-provisioned groups with member counts, and the group names principals carry, each with the roles it maps to. */
export function GroupList(): ReactNode {
  const groups = useLoad(() => api('GET', '/api/admin/groups', groupsSchema));
  const data = groups.data;
  return (
    <section aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <ErrorMessage error={groups.error} />
      {groups.loading && !data ? <p role="status">Loading groups…</p> : null}
      {data && !data.scimConfigured ? (
        <p>
          SCIM provisioning is off. To have your identity provider push users and groups, set <code>ATTEST_SCIM_TOKEN</code> (at least 32 characters) and
          point its SCIM app at <code>/scim/v2</code> with that token.
        </p>
      ) : null}
      {data && data.scimGroups.length > 0 ? (
        <table>
          <caption>Groups provisioned by SCIM</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">External id</th>
              <th scope="col">Members (active)</th>
              <th scope="col">Roles from the mapping</th>
            </tr>
          </thead>
          <tbody>
            {data.scimGroups.map((group) => (
              <tr key={group.id}>
                <th scope="row">{group.displayName}</th>
                <td>{group.externalId ? <code>{group.externalId}</code> : '—'}</td>
                <td>
                  {group.members} ({group.activeMembers} active)
                </td>
                <td>{rolesText(group.roles)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data && data.scimConfigured && data.scimGroups.length === 0 ? <p>No groups provisioned yet: assign groups to the Attest app in your identity provider.</p> : null}
      {data && data.seenGroups.length > 0 ? (
        <table>
          <caption>Groups on principals (from sign-ins and SCIM)</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Principals</th>
              <th scope="col">Roles from the mapping</th>
            </tr>
          </thead>
          <tbody>
            {data.seenGroups.map((group) => (
              <tr key={group.name}>
                <th scope="row">{group.name}</th>
                <td>{group.principals}</td>
                <td>{rolesText(group.roles)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data && data.seenGroups.length === 0 ? <p>No principal carries a group yet: groups arrive with sign-ins and SCIM provisioning.</p> : null}
      {data?.truncated ? <p>Only the first 1,000 groups of each list are shown.</p> : null}
    </section>
  );
}
