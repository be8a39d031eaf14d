import { ConfigError } from '@attest/config';
import { identityConfig } from './identity.config';

describe('identityConfig', () => {
  it('defaults to 90-day keys that must expire and no IdP', () => {
    const config = identityConfig.load({});
    expect(config).toMatchObject({ keyDefaultTtlMs: 90 * 86_400_000, allowNonExpiringKeys: false, roleMapping: [], oidcAlgorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] });
    expect(config.oidcIssuer).toBeUndefined();
  });

  it.each([
    [{ ATTEST_API_KEY_DEFAULT_TTL: '90 days' }, 'ATTEST_API_KEY_DEFAULT_TTL="90 days" is not allowed'],
    [{ ATTEST_OIDC_ALGORITHMS: 'RS256,none' }, 'ATTEST_OIDC_ALGORITHMS="RS256,none" is not allowed'],
    [{ ATTEST_OIDC_ALGORITHMS: 'HS256' }, 'ATTEST_OIDC_ALGORITHMS="HS256" is not allowed'],
    [{ ATTEST_ROLE_MAPPING: '[{"equals":"x","roles":["root"]}]' }, 'ATTEST_ROLE_MAPPING='],
    [{ ATTEST_BOOTSTRAP_API_KEY: 'hunter2' }, 'ATTEST_BOOTSTRAP_API_KEY=<redacted> is not allowed'],
  ])('names the variable for %j', (env, message) => {
    const error = (() => {
      try {
        identityConfig.load(env);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('parses role-mapping rules, defaulting the claim to groups', () => {
    const config = identityConfig.load({ ATTEST_ROLE_MAPPING: '[{"equals":"attest-admins","roles":["admin"]}]' });
    expect(config.roleMapping).toEqual([{ claim: 'groups', equals: 'attest-admins', roles: ['admin'] }]);
  });
});
