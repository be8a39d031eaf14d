import { presentedCredential, readCookie, SESSION_COOKIE_NAME } from './credentials';

describe(presentedCredential.name, () => {
  it.each([
    [{ authorization: 'Bearer atk_abc' }, { kind: 'api_key', value: 'atk_abc' }],
    [{ authorization: 'bearer eyJ.x.y' }, { kind: 'bearer_token', value: 'eyJ.x.y' }],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, { kind: 'bearer_token', value: '' }],
    [{ authorization: 'Bearer a b' }, { kind: 'bearer_token', value: '' }],
    [{ cookie: `theme=dark; ${SESSION_COOKIE_NAME}=s3cr3t` }, { kind: 'session', value: 's3cr3t' }],
    [{ authorization: 'Bearer atk_abc', cookie: `${SESSION_COOKIE_NAME}=s` }, { kind: 'api_key', value: 'atk_abc' }],
    [{}, { kind: 'none' }],
  ])('reads %j as %j', (headers, expected) => {
    expect(presentedCredential(headers)).toEqual(expected);
  });

  it('reads one cookie and ignores look-alikes', () => {
    expect(readCookie('a=1; ab=2', 'ab')).toBe('2');
    expect(readCookie('xa=1', 'a')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });
});
