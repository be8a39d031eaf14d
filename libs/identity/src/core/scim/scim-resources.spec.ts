import { ScimErrorCode } from './scim-errors';
import { groupChange, groupStateFrom, toGroupResource } from './scim-group';
import { parseListQuery } from './scim-list';
import { claimsWithGroups, regroup } from './scim-roles';
import { bearerTokenOf, scimTokenMatches } from './scim-token';
import { changedUserFields, toUserResource, userDisplayName, userStateFrom } from './scim-user';

const BASE = 'https://attest.example/scim/v2';
const U1 = '11111111-1111-4111-8111-111111111111';

describe(userStateFrom.name, () => {
  it('keeps the IdP’s attributes, never the password, and reads keys case-insensitively', () => {
    const state = userStateFrom({ UserName: ' a@example.com ', Active: 'False', password: 'secret', meta: {}, groups: [], title: 'Eng' });
    expect(state).toEqual({ userName: 'a@example.com', externalId: null, displayName: null, active: false, profile: { title: 'Eng' } });
  });

  it('keeps the current activity when a PUT leaves `active` out', () => {
    expect(userStateFrom({ userName: 'a' }, false).active).toBe(false);
    expect(userStateFrom({ userName: 'a' }).active).toBe(true);
  });

  it.each([[{}], [{ userName: '' }], [{ userName: 'a', externalId: 7 }], [{ userName: 'a', active: 'yes' }]])('refuses %j with invalidValue', (body) => {
    expect(() => userStateFrom(body)).toThrow(expect.objectContaining({ code: ScimErrorCode.InvalidValue }));
  });

  it('names a principal by displayName, then name.formatted, then userName', () => {
    expect(userDisplayName(userStateFrom({ userName: 'u', displayName: 'D' }))).toBe('D');
    expect(userDisplayName(userStateFrom({ userName: 'u', name: { formatted: 'F L' } }))).toBe('F L');
    expect(userDisplayName(userStateFrom({ userName: 'u' }))).toBe('u');
  });
});

describe(changedUserFields.name, () => {
  it('names changed attributes, ignoring the key order jsonb gives back', () => {
    const before = userStateFrom({ userName: 'a', emails: [{ value: 'x', type: 'work' }], name: { givenName: 'A' } });
    const after = userStateFrom({ userName: 'a', emails: [{ type: 'work', value: 'x' }], name: { givenName: 'B' }, active: false });
    expect(changedUserFields(before, after)).toEqual(['active', 'name']);
  });
});

describe('resources', () => {
  const created = new Date('2026-01-01T00:00:00Z');

  it('renders a User with meta, its groups and the enterprise schema when it has the extension', () => {
    const state = userStateFrom({ userName: 'a', externalId: 'e1', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' } });
    const resource = toUserResource({ id: U1, state, groups: [{ id: 'g1', displayName: 'devs' }], created, lastModified: created }, BASE);
    expect(resource).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      id: U1,
      userName: 'a',
      externalId: 'e1',
      active: true,
      groups: [{ value: 'g1', display: 'devs', $ref: `${BASE}/Groups/g1` }],
      meta: { resourceType: 'User', location: `${BASE}/Users/${U1}`, created: '2026-01-01T00:00:00.000Z' },
    });
    expect(toUserResource({ id: U1, state, groups: [], created, lastModified: created }, BASE, new Set(['groups']))).not.toHaveProperty('groups');
  });

  it('renders a Group, leaving members out on request (Entra’s excludedAttributes=members)', () => {
    const record = { id: 'g1', state: groupStateFrom({ displayName: 'devs', members: [{ value: U1 }] }), members: [{ id: U1, display: 'a' }], created, lastModified: created };
    expect(toGroupResource(record, BASE)).toMatchObject({ displayName: 'devs', members: [{ value: U1, display: 'a', type: 'User' }] });
    expect(toGroupResource(record, BASE, new Set(['members']))).not.toHaveProperty('members');
  });

  it('tells group changes by attribute and member id', () => {
    const before = groupStateFrom({ displayName: 'a', members: [{ value: U1 }] });
    expect(groupChange(before, groupStateFrom({ displayName: 'b', members: [] }))).toEqual({ fields: ['displayName', 'members'], added: [], removed: [U1] });
  });
});

describe(parseListQuery.name, () => {
  it('defaults to the first 100, clamps count and startIndex, and reads excludedAttributes', () => {
    expect(parseListQuery({})).toMatchObject({ filter: null, startIndex: 1, count: 100 });
    expect(parseListQuery({ startIndex: '0', count: '5000', excludedAttributes: 'members, urn:ietf:params:scim:schemas:core:2.0:Group:externalId' })).toMatchObject({
      startIndex: 1,
      count: 200,
      excluded: new Set(['members', 'externalid']),
    });
    expect(parseListQuery({ count: '-3' }).count).toBe(0);
  });

  it('refuses a count that is not a number and more than one filter', () => {
    expect(() => parseListQuery({ count: 'ten' })).toThrow(expect.objectContaining({ code: ScimErrorCode.InvalidValue }));
    expect(() => parseListQuery({ filter: ['a eq "1"', 'b eq "2"'] })).toThrow(expect.objectContaining({ code: ScimErrorCode.InvalidFilter }));
  });
});

describe('groups and roles', () => {
  const rules = [
    { claim: 'groups', equals: 'devs', roles: ['developer' as const] },
    { claim: 'roles', equals: 'Attest.Admin', roles: ['admin' as const] },
  ];

  it('adds provisioned groups to a sign-in’s groups claim, nested claims included', () => {
    expect(claimsWithGroups({ sub: 'u', groups: ['/a'] }, ['devs'], 'groups')).toEqual({ sub: 'u', groups: ['a', 'devs'] });
    expect(claimsWithGroups({ realm_access: { roles: ['x'] } }, ['devs'], 'realm_access.roles')).toEqual({ realm_access: { roles: ['x', 'devs'] } });
    const claims = { groups: ['a'] };
    expect(claimsWithGroups(claims, [], 'groups')).toBe(claims);
  });

  it('re-maps roles from groups and keeps roles other claims granted', () => {
    expect(regroup({ groups: [], roles: ['admin'] }, [], ['devs'], rules, 'groups')).toEqual({ groups: ['devs'], roles: ['admin', 'developer'] });
    expect(regroup({ groups: ['devs', 'other'], roles: ['admin', 'developer'] }, ['devs'], [], rules, 'groups')).toEqual({ groups: ['other'], roles: ['admin'] });
  });
});

describe('SCIM token', () => {
  it('reads a Bearer token in any case of the scheme, and nothing else', () => {
    expect(bearerTokenOf('bearer abc')).toBe('abc');
    expect(bearerTokenOf('Basic abc')).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });

  it('matches only the configured token, whatever the lengths', () => {
    const configured = 'x'.repeat(40);
    expect(scimTokenMatches(configured, configured)).toBe(true);
    expect(scimTokenMatches('x'.repeat(39), configured)).toBe(false);
    expect(scimTokenMatches(`${configured}y`, configured)).toBe(false);
    expect(scimTokenMatches(undefined, configured)).toBe(false);
  });
});
