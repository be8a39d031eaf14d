import { ScimError, ScimErrorCode } from './scim-errors';
import { applyPatch, parsePatchPath, parsePatchRequest } from './scim-patch';
import { groupStateFrom, patchGroupState } from './scim-group';
import { patchUserState, userStateFrom } from './scim-user';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

function codeOf(work: () => unknown): ScimErrorCode | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof ScimError) return error.code;
    throw error;
  }
  return undefined;
}

describe(parsePatchPath.name, () => {
  it.each([
    ['active', { attribute: 'active' }],
    ['name.familyName', { attribute: 'name', subAttribute: 'familyName' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName', { attribute: 'userName' }],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attribute: 'department' }],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', { attribute: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' }],
  ])('reads %s', (text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  it('reads a filtered path with a sub-attribute', () => {
    expect(parsePatchPath('emails[type eq "work"].value')).toMatchObject({ attribute: 'emails', subAttribute: 'value', filter: { kind: 'compare', attribute: 'type' } });
  });

  it.each(['emails[type eq', 'a b', '9lives', 'members[value zz "x"]', ''])('refuses %j with invalidPath', (text) => {
    expect(codeOf(() => parsePatchPath(text))).toBe(ScimErrorCode.InvalidPath);
  });
});

describe(parsePatchRequest.name, () => {
  it('takes op names in any case (Entra writes "Replace")', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).toEqual([{ op: 'replace', path: { attribute: 'active' }, value: 'False' }]);
  });

  it.each([
    [{}, 'no Operations'],
    [{ Operations: [] }, 'empty Operations'],
    [{ Operations: [{ op: 'move', path: 'a', value: 1 }] }, 'unknown op'],
    [{ Operations: [{ op: 'add', path: 'a' }] }, 'add without value'],
    [{ schemas: ['urn:wrong'], Operations: [{ op: 'remove', path: 'a' }] }, 'wrong schema'],
    ['Operations', 'not an object'],
  ])('refuses %j with invalidSyntax (%s)', (body, _reason) => {
    expect(codeOf(() => parsePatchRequest(body))).toBe(ScimErrorCode.InvalidSyntax);
  });
});

describe('user PATCH dialects', () => {
  const user = userStateFrom({
    userName: 'bjensen@example.com',
    externalId: '00u1',
    active: true,
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [{ type: 'work', value: 'bjensen@example.com', primary: true }],
  });

  it('deactivates with Okta’s path-less replace, ignoring the id Okta echoes', () => {
    const next = patchUserState(user, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: 'ignored', active: false } }] });
    expect(next).toEqual({ ...user, active: false });
  });

  it.each([['False', false], ['false', false], ['True', true], [false, false]])('reads Entra’s active %j', (value, active) => {
    expect(patchUserState(user, { Operations: [{ op: 'Replace', path: 'active', value }] }).active).toBe(active);
  });

  it('replaces a sub-attribute and a filtered multi-valued value (Entra), creating the element when none matches', () => {
    const next = patchUserState(user, {
      Operations: [
        { op: 'Replace', path: 'name.familyName', value: 'Smith' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'b@new.example' },
        { op: 'Add', path: 'emails[type eq "home"].value', value: 'b@home.example' },
        { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'R&D' },
      ],
    });
    expect(next.profile).toEqual({
      name: { givenName: 'Barbara', familyName: 'Smith' },
      emails: [
        { type: 'work', value: 'b@new.example', primary: true },
        { type: 'home', value: 'b@home.example' },
      ],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
    });
  });

  it('merges a complex replace and removes by filter', () => {
    const merged = patchUserState(user, { Operations: [{ op: 'replace', value: { name: { givenName: 'Babs' } } }] });
    expect(merged.profile['name']).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
    const removed = patchUserState(user, { Operations: [{ op: 'remove', path: 'emails[type eq "work"]' }] });
    expect(removed.profile['emails']).toEqual([]);
  });

  it('refuses a remove without path (noTarget) and a patch that leaves no userName (invalidValue)', () => {
    expect(codeOf(() => patchUserState(user, { Operations: [{ op: 'remove' }] }))).toBe(ScimErrorCode.NoTarget);
    expect(codeOf(() => patchUserState(user, { Operations: [{ op: 'remove', path: 'userName' }] }))).toBe(ScimErrorCode.InvalidValue);
    expect(codeOf(() => patchUserState(user, { Operations: [{ op: 'replace', path: 'active', value: 'Maybe' }] }))).toBe(ScimErrorCode.InvalidValue);
  });

  it('leaves the document it was given untouched', () => {
    const document = { userName: 'a', emails: [{ type: 'work', value: 'x' }] };
    applyPatch(document, parsePatchRequest({ Operations: [{ op: 'remove', path: 'emails[type eq "work"]' }] }), new Set());
    expect(document.emails).toHaveLength(1);
  });
});

describe('group PATCH dialects', () => {
  const group = groupStateFrom({ displayName: 'Engineering', members: [{ value: U1 }] });

  it('adds (deduplicated) and removes members Okta’s way', () => {
    const added = patchGroupState(group, { Operations: [{ op: 'add', path: 'members', value: [{ value: U1 }, { value: U2, display: 'b' }] }] });
    expect(added.memberIds).toEqual([U1, U2]);
    const removed = patchGroupState(added, { Operations: [{ op: 'remove', path: `members[value eq "${U1}"]` }] });
    expect(removed.memberIds).toEqual([U2]);
  });

  it('adds and removes members Entra’s way, by value, and removes them all with a bare path', () => {
    const added = patchGroupState(group, { Operations: [{ name: 'addMember', op: 'Add', path: 'members', value: [{ $ref: null, value: U2 }] }] });
    expect(added.memberIds).toEqual([U1, U2]);
    const removed = patchGroupState(added, { Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: U1.toUpperCase() }] }] });
    expect(removed.memberIds).toEqual([U2]);
    expect(patchGroupState(added, { Operations: [{ op: 'Remove', path: 'members' }] }).memberIds).toEqual([]);
  });

  it('renames both ways: Okta’s path-less replace with id, Entra’s path', () => {
    expect(patchGroupState(group, { Operations: [{ op: 'replace', value: { id: 'x', displayName: 'Platform' } }] }).displayName).toBe('Platform');
    expect(patchGroupState(group, { Operations: [{ op: 'Replace', path: 'displayName', value: 'Ops' }] }).displayName).toBe('Ops');
  });

  it('refuses members that are not user ids', () => {
    expect(codeOf(() => patchGroupState(group, { Operations: [{ op: 'add', path: 'members', value: [{ value: 'not-a-uuid' }] }] }))).toBe(ScimErrorCode.InvalidValue);
    expect(codeOf(() => groupStateFrom({ displayName: 'g', members: [{ value: U1, type: 'Group' }] }))).toBe(ScimErrorCode.InvalidValue);
  });
});
