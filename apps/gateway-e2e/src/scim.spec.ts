import { generateApiKey, hashApiKey } from '@attest/identity';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';
import { entra, okta, scimClient, type ScimAnswer } from './support/scim-idp-requests';

const SCIM_TOKEN = 'scim-token-0123456789abcdef0123456789abcdef';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

interface AuditDoc {
  action: string;
  actor: { principalId: string; kind: string; authMethod: string };
  resource?: { type: string; id?: string };
  details?: Record<string, unknown>;
}

/** SCIM 2.0 at /scim/v2 driven with the requests Okta and Entra ID send, against the whole gateway on PostgreSQL. */
describe('SCIM provisioning (/scim/v2)', () => {
  let gateway: E2eGateway;
  let scim: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    gateway = await startE2eGateway({
      ATTEST_SCIM_TOKEN: SCIM_TOKEN,
      ATTEST_ROLE_MAPPING: JSON.stringify([{ claim: 'groups', equals: 'attest-developers', roles: ['developer'] }]),
    });
    scim = scimClient(gateway.url, SCIM_TOKEN);
  });
  afterAll(() => gateway.close());

  async function events(action: string): Promise<AuditDoc[]> {
    const rows: { doc: AuditDoc }[] = await gateway.db.dataSource.query(
      `SELECT convert_from(canonical, 'UTF8')::jsonb AS doc FROM audit_event WHERE action = $1 ORDER BY seq`,
      [action],
    );
    return rows.map((row) => row.doc);
  }

  async function principalOf(scimUserId: string): Promise<{ id: string; disabled_at: Date | null; groups: string[]; roles: string[] }> {
    const [row] = await gateway.db.dataSource.query(
      `SELECT p.id, p.disabled_at, p.groups, p.roles FROM scim_user u JOIN principal p ON p.id = u.principal_id WHERE u.id = $1`,
      [scimUserId],
    );
    return row;
  }

  /** A key the provisioned user holds, stored as `attest keys create` stores one (hash only). */
  async function keyHeldBy(principalId: string): Promise<string> {
    const { key, lookupId } = generateApiKey();
    await gateway.db.dataSource.query(
      `INSERT INTO api_key (tenant_id, principal_id, name, prefix, secret_hash, roles, expires_at) VALUES ('default', $1, 'laptop', $2, $3, '{developer}', now() + interval '1 day')`,
      [principalId, lookupId, hashApiKey(key)],
    );
    return key;
  }

  const listModels = (key: string) => fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });

  function expectScimError(answer: ScimAnswer, status: number, scimType?: string): void {
    expect(answer.status).toBe(status);
    expect(answer.contentType).toContain('application/scim+json');
    expect(answer.body).toMatchObject({ schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}) });
    expect(typeof answer.body['detail']).toBe('string');
  }

  it('answers the discovery documents an IdP reads when the connection is set up', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.contentType).toContain('application/scim+json');
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    expect((await scim('GET', '/ResourceTypes')).body).toMatchObject({ totalResults: 2 });
    expect((await scim('GET', '/Schemas')).body['Resources']).toHaveLength(2);
  });

  it('refuses a missing or wrong token with 401 in the SCIM error shape, and records the wrong one', async () => {
    expectScimError(await scimClient(gateway.url, undefined)('GET', '/Users'), 401);
    const wrong = await scimClient(gateway.url, 'not-the-token')('GET', '/Users');
    expectScimError(wrong, 401);
    const failures = await events('authentication.failed');
    expect(failures.at(-1)?.actor).toMatchObject({ principalId: 'scim', kind: 'service', authMethod: 'scim_token' });
  });

  it('creates an Okta user, finds it by userName, refuses a duplicate, and audits ids and field names only', async () => {
    const created = await scim('POST', '/Users', okta.createUser('test.user@okta.local', '00ujl29u0le5T6Aj10h7'));
    expect(created.status).toBe(201);
    const id = String(created.body['id']);
    expect(created.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(created.body).toMatchObject({ userName: 'test.user@okta.local', externalId: '00ujl29u0le5T6Aj10h7', active: true, name: { givenName: 'Test' } });
    expect(created.body).not.toHaveProperty('password');

    // userName is caseExact=false: Okta's lookup matches whatever case the IdP stored.
    const found = await scim('GET', `/Users?${okta.userNameFilter('Test.User@OKTA.local')}`);
    expect(found.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id }] });
    expect((await scim('GET', `/Users?${okta.userNameFilter('nobody@okta.local')}`)).body).toMatchObject({ totalResults: 0, Resources: [] });

    expectScimError(await scim('POST', '/Users', okta.createUser('TEST.user@okta.local', 'another-id')), 409, 'uniqueness');

    const replaced = await scim('PUT', `/Users/${id}`, okta.replaceUser(id, 'test.user@okta.local', '00ujl29u0le5T6Aj10h7', 'Renamed'));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ displayName: 'Renamed User', name: { givenName: 'Renamed' }, active: true });

    const [createdEvent] = (await events('scim.user_created')).filter((event) => event.resource?.id === id);
    expect(createdEvent).toMatchObject({ actor: { principalId: 'scim', kind: 'service', authMethod: 'scim_token' }, resource: { type: 'scim_user', id } });
    const updated = (await events('scim.user_updated')).filter((event) => event.resource?.id === id);
    expect(updated.at(-1)?.details).toMatchObject({ fields: ['displayName', 'name'] });
    const recorded = JSON.stringify([createdEvent, ...updated]);
    for (const personal of ['okta.local', 'Test User', 'Renamed']) expect(recorded).not.toContain(personal);
  });

  it('deactivates in Okta’s dialect: the user’s key stops working on the next request, and both acts are recorded', async () => {
    const { body } = await scim('POST', '/Users', okta.createUser('leaver@okta.local', '00uleaver'));
    const id = String(body['id']);
    const principal = await principalOf(id);
    const key = await keyHeldBy(principal.id);
    expect((await listModels(key)).status).toBe(200);

    const deactivated = await scim('PATCH', `/Users/${id}`, okta.deactivateUser());
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id, active: false });

    const refused = await listModels(key);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('KEY_REVOKED');
    expect((await principalOf(id)).disabled_at).not.toBeNull();
    expect((await events('principal.deactivated')).filter((event) => event.resource?.id === principal.id)).toHaveLength(1);
    expect((await events('scim.user_deactivated')).find((event) => event.resource?.id === id)?.details).toMatchObject({ principalId: principal.id, revokedKeys: 1 });
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('active eq false')}`)).body['Resources']).toEqual([expect.objectContaining({ id })]);
  });

  it('takes Entra’s user, its multi-valued PATCH, and deactivation with the string "False"; "True" reactivates', async () => {
    const created = await scim('POST', '/Users', entra.createUser('Test_User_ab6490ee', '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'));
    expect(created.status).toBe(201);
    const id = String(created.body['id']);
    expect((await scim('GET', `/Users?${entra.userNameFilter('Test_User_ab6490ee')}`)).body).toMatchObject({ totalResults: 1 });

    const patched = await scim('PATCH', `/Users/${id}`, entra.updateMultiValued());
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: { familyName: 'updatedFamilyName', givenName: 'givenName' }, emails: [{ type: 'work', value: 'updatedEmail@microsoft.com', primary: true }] });
    expect((await scim('PATCH', `/Users/${id}`, entra.updateUserName('renamed@testuser.com'))).body).toMatchObject({ userName: 'renamed@testuser.com' });

    const key = await keyHeldBy((await principalOf(id)).id);
    const disabled = await scim('PATCH', `/Users/${id}`, entra.setActive('False'));
    expect(disabled.body).toMatchObject({ active: false });
    expect((await listModels(key)).status).toBe(401);

    expect((await scim('PATCH', `/Users/${id}`, entra.setActive('True'))).body).toMatchObject({ active: true });
    expect((await principalOf(id)).disabled_at).toBeNull();
    expect((await events('scim.user_reactivated')).some((event) => event.resource?.id === id)).toBe(true);
    // Revoked keys stay revoked: reactivation lets the user sign in again, it does not revive credentials.
    expect((await listModels(key)).status).toBe(401);

    expect((await scim('PATCH', `/Users/${id}`, entra.disableUser())).body).toMatchObject({ active: false });
  });

  it('manages an Okta group: members in and out change the members’ groups and mapped roles, rename follows', async () => {
    const user = await scim('POST', '/Users', okta.createUser('member@okta.local', '00umember'));
    const userId = String(user.body['id']);
    const group = await scim('POST', '/Groups', okta.createGroup('attest-developers'));
    expect(group.status).toBe(201);
    const groupId = String(group.body['id']);

    const added = await scim('PATCH', `/Groups/${groupId}`, okta.addMember(userId, 'member@okta.local'));
    expect(added.body['members']).toEqual([expect.objectContaining({ value: userId })]);
    expect(await principalOf(userId)).toMatchObject({ groups: ['attest-developers'], roles: ['developer'] });
    expect((await scim('GET', `/Users/${userId}`)).body['groups']).toEqual([expect.objectContaining({ value: groupId, display: 'attest-developers' })]);

    const renamed = await scim('PATCH', `/Groups/${groupId}`, okta.renameGroup(groupId, 'attest-devs'));
    expect(renamed.body).toMatchObject({ id: groupId, displayName: 'attest-devs' });
    expect(await principalOf(userId)).toMatchObject({ groups: ['attest-devs'], roles: [] });
    await scim('PATCH', `/Groups/${groupId}`, okta.renameGroup(groupId, 'attest-developers'));

    const removed = await scim('PATCH', `/Groups/${groupId}`, okta.removeMember(userId));
    expect(removed.body['members']).toEqual([]);
    expect(await principalOf(userId)).toMatchObject({ groups: [], roles: [] });
    const updates = (await events('scim.group_updated')).filter((event) => event.resource?.id === groupId);
    expect(updates.map((event) => event.details)).toEqual([
      { fields: ['members'], membersAdded: [userId], membersRemoved: [] },
      { fields: ['displayName'], membersAdded: [], membersRemoved: [] },
      { fields: ['displayName'], membersAdded: [], membersRemoved: [] },
      { fields: ['members'], membersAdded: [], membersRemoved: [userId] },
    ]);
  });

  it('manages an Entra group: filter without members, Add and Remove members by value, rename', async () => {
    const user = await scim('POST', '/Users', entra.createUser('entra_member', 'b3c1a7e2-0000-4000-8000-000000000001'));
    const userId = String(user.body['id']);
    const created = await scim('POST', '/Groups', entra.createGroup('Engineering', '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159'));
    const groupId = String(created.body['id']);

    const found = await scim('GET', `/Groups?${entra.groupFilter('engineering')}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: groupId, displayName: 'Engineering' }] });
    expect((found.body['Resources'] as Record<string, unknown>[])[0]).not.toHaveProperty('members');

    expect((await scim('PATCH', `/Groups/${groupId}`, entra.addMember(userId))).body['members']).toEqual([expect.objectContaining({ value: userId })]);
    const byMember = await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${userId}"]`)}`);
    expect(byMember.body).toMatchObject({ totalResults: 1 });
    expect((await principalOf(userId)).groups).toEqual(['Engineering']);

    expect((await scim('PATCH', `/Groups/${groupId}`, entra.removeMember(userId))).body['members']).toEqual([]);
    expect((await scim('PATCH', `/Groups/${groupId}`, entra.renameGroup('Platform'))).body).toMatchObject({ displayName: 'Platform' });
    expectScimError(await scim('POST', '/Groups', entra.createGroup('PLATFORM', 'other')), 409, 'uniqueness');

    expect((await scim('DELETE', `/Groups/${groupId}`)).status).toBe(204);
    expectScimError(await scim('GET', `/Groups/${groupId}`), 404);
    expect((await events('scim.group_deleted')).some((event) => event.resource?.id === groupId)).toBe(true);
  });

  it('DELETE deactivates, drops the user from its groups and from SCIM; the userName can be provisioned again', async () => {
    const user = await scim('POST', '/Users', okta.createUser('gone@okta.local', '00ugone'));
    const id = String(user.body['id']);
    const group = await scim('POST', '/Groups', { ...okta.createGroup('attest-gone'), members: [{ value: id }] });
    const key = await keyHeldBy((await principalOf(id)).id);

    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await listModels(key)).status).toBe(401);
    expectScimError(await scim('GET', `/Users/${id}`), 404);
    expect((await scim('GET', `/Groups/${String(group.body['id'])}`)).body['members']).toEqual([]);
    expect((await events('scim.user_deleted')).some((event) => event.resource?.id === id)).toBe(true);

    const again = await scim('POST', '/Users', okta.createUser('gone@okta.local', '00ugone'));
    expect(again.status).toBe(201);
    expect(again.body['id']).not.toBe(id);
    expect(again.body).toMatchObject({ active: true });
  });

  it('answers malformed requests with 400 and the matching scimType, unknown ids with 404', async () => {
    expectScimError(await scim('POST', '/Users', undefined, { rawBody: '{"userName": ' }), 400, 'invalidSyntax');
    expectScimError(await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true }), 400, 'invalidValue');
    expectScimError(await scim('POST', '/Users', ['not', 'an', 'object']), 400, 'invalidSyntax');
    const { body } = await scim('POST', '/Users', okta.createUser('shape@okta.local', '00ushape'), { contentType: 'application/json' });
    const id = String(body['id']);
    expectScimError(await scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'frobnicate', path: 'active', value: false }] }), 400, 'invalidSyntax');
    expectScimError(await scim('PATCH', `/Users/${id}`, { Operations: 'replace' }), 400, 'invalidSyntax');
    expectScimError(await scim('PATCH', `/Users/${id}`, entra.setActive('Maybe' as 'True')), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'remove', path: 'userName' }] }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }), 400, 'invalidPath');
    expectScimError(await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await scim('GET', `/Users?filter=${encodeURIComponent('password eq "x"')}`), 400, 'invalidFilter');
    expectScimError(await scim('GET', '/Users/00000000-0000-4000-8000-000000000000'), 404);
    expectScimError(await scim('GET', '/Users/not-a-uuid'), 404);
    expectScimError(await scim('PATCH', '/Users/00000000-0000-4000-8000-000000000000', okta.deactivateUser()), 404);
    const group = await scim('POST', '/Groups', okta.createGroup('attest-errors'));
    expectScimError(await scim('PATCH', `/Groups/${String(group.body['id'])}`, okta.addMember('00000000-0000-4000-8000-000000000000', 'ghost')), 400, 'invalidValue');
    expectScimError(await scim('GET', '/NoSuchResource'), 404);
  });

  it('pages a list with startIndex and count', async () => {
    const all = await scim('GET', '/Users?count=0');
    const total = Number(all.body['totalResults']);
    expect(total).toBeGreaterThanOrEqual(3);
    expect(all.body['Resources']).toEqual([]);
    const page = await scim('GET', '/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: total, startIndex: 2, itemsPerPage: 2 });
  });
});
