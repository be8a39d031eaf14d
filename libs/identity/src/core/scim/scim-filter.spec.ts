import fc from 'fast-check';
import { ScimError, ScimErrorCode } from './scim-errors';
import { matchesScimFilter, parseScimFilter } from './scim-filter';

describe(parseScimFilter.name, () => {
  it.each([
    ['userName eq "bjensen@example.com"', { kind: 'compare', attribute: 'userName', op: 'eq', value: 'bjensen@example.com' }],
    ['externalId eq "00ujl29u0le5T6Aj10h7"', { kind: 'compare', attribute: 'externalId', op: 'eq', value: '00ujl29u0le5T6Aj10h7' }],
    ['displayName eq "Test SCIMv2"', { kind: 'compare', attribute: 'displayName', op: 'eq', value: 'Test SCIMv2' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName EQ "a"', { kind: 'compare', attribute: 'userName', op: 'eq', value: 'a' }],
    ['active eq false', { kind: 'compare', attribute: 'active', op: 'eq', value: false }],
    ['title pr', { kind: 'present', attribute: 'title' }],
    ['userName eq "say \\"hi\\""', { kind: 'compare', attribute: 'userName', op: 'eq', value: 'say "hi"' }],
  ])('reads %s', (text, expected) => {
    expect(parseScimFilter(text)).toEqual(expected);
  });

  it('binds "and" tighter than "or", and honours parentheses', () => {
    const a = { kind: 'compare', attribute: 'a', op: 'eq', value: '1' };
    const b = { kind: 'compare', attribute: 'b', op: 'eq', value: '2' };
    const c = { kind: 'compare', attribute: 'c', op: 'eq', value: '3' };
    expect(parseScimFilter('a eq "1" or b eq "2" and c eq "3"')).toEqual({ kind: 'or', left: a, right: { kind: 'and', left: b, right: c } });
    expect(parseScimFilter('(a eq "1" or b eq "2") and c eq "3"')).toEqual({ kind: 'and', left: { kind: 'or', left: a, right: b }, right: c });
  });

  it('reads a value path such as Entra’s membership check', () => {
    expect(parseScimFilter('id eq "g1" and members[value eq "u1"]')).toEqual({
      kind: 'and',
      left: { kind: 'compare', attribute: 'id', op: 'eq', value: 'g1' },
      right: { kind: 'valuePath', attribute: 'members', filter: { kind: 'compare', attribute: 'value', op: 'eq', value: 'u1' } },
    });
  });

  it.each([
    ['', 'empty'],
    ['userName eq', 'ends before its value'],
    ['userName eq bjensen', 'quoted strings'],
    ['userName gt "a"', '"gt" operator is not supported'],
    ['not (userName eq "a")', '"not" operator'],
    ['userName eq "a" junk', 'text after its end'],
    ['userName eq "unterminated', 'unterminated'],
    ['(userName eq "a"', 'missing ")"'],
    ['userName like "a"', 'not a filter operator'],
    ['"x" eq "y"', 'attribute name'],
    [`${'('.repeat(40)}a eq "1"${')'.repeat(40)}`, 'nested too deeply'],
    ['a eq "1" and '.repeat(200) + 'a eq "1"', 'longer than'],
  ])('refuses %j with invalidFilter (%s)', (text, message) => {
    const error = (() => {
      try {
        parseScimFilter(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).code).toBe(ScimErrorCode.InvalidFilter);
    expect((error as ScimError).message).toContain(message);
  });

  it('never fails with anything but invalidFilter, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseScimFilter(text);
        } catch (error) {
          return error instanceof ScimError && error.code === ScimErrorCode.InvalidFilter;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

describe(matchesScimFilter.name, () => {
  const email = { type: 'Work', value: 'Bjensen@Example.com', primary: true };

  it('compares strings case-insensitively and any value of a multi-valued attribute', () => {
    expect(matchesScimFilter(email, parseScimFilter('type eq "work"'))).toBe(true);
    expect(matchesScimFilter(email, parseScimFilter('value sw "bjensen" and value ew ".COM"'))).toBe(true);
    expect(matchesScimFilter(email, parseScimFilter('value co "example" and primary eq true'))).toBe(true);
    expect(matchesScimFilter(email, parseScimFilter('type ne "work" or display pr'))).toBe(false);
    expect(matchesScimFilter({ emails: [email, { type: 'home', value: 'x' }] }, parseScimFilter('emails[type eq "home"]'))).toBe(true);
    expect(matchesScimFilter({ name: { familyName: 'Jensen' } }, parseScimFilter('name.familyName eq "jensen"'))).toBe(true);
  });
});
