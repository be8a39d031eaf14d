import { ConfigError } from '@attest/config';
import { readFileSync } from 'node:fs';
import { samlCertificatePath } from '../../../test/test-saml-idp';
import { identityConfig } from '../identity.config';
import { readSamlCertificates, samlSettingsFrom } from './saml.config';

const CERT_PATH = samlCertificatePath('idp');
const PEM = readFileSync(CERT_PATH, 'utf8');
const ENABLED = {
  ATTEST_SAML_IDP_ENTRY_POINT: 'https://idp.example/sso',
  ATTEST_SAML_IDP_ISSUER: 'https://idp.example/metadata',
  ATTEST_SAML_IDP_CERT: CERT_PATH,
  ATTEST_PUBLIC_URL: 'https://attest.example',
};

function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('SAML configuration', () => {
  it('is off when no IdP variable is set', () => {
    expect(samlSettingsFrom(identityConfig.load({}))).toBeNull();
  });

  it('resolves the SP entity id and ACS URL from the public URL, and reads the certificate from a file', () => {
    expect(samlSettingsFrom(identityConfig.load(ENABLED))).toEqual({
      entryPoint: 'https://idp.example/sso',
      idpIssuer: 'https://idp.example/metadata',
      idpCertificates: [expect.stringContaining('-----BEGIN CERTIFICATE-----')],
      spEntityId: 'https://attest.example/auth/saml/metadata',
      acsUrl: 'https://attest.example/auth/saml/acs',
      groupsAttributes: ['http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', 'groups'],
      wantResponseSigned: false,
      clockSkewMs: 30_000,
    });
  });

  it('takes an explicit SP entity id, groups attributes, response signing and skew', () => {
    const settings = samlSettingsFrom(
      identityConfig.load({
        ...ENABLED,
        ATTEST_SAML_SP_ENTITY_ID: 'urn:attest:portal',
        ATTEST_SAML_GROUPS_ATTRIBUTE: 'memberOf, groups',
        ATTEST_SAML_WANT_RESPONSE_SIGNED: 'true',
        ATTEST_SAML_CLOCK_SKEW: '2m',
      }),
    );
    expect(settings).toMatchObject({ spEntityId: 'urn:attest:portal', groupsAttributes: ['memberOf', 'groups'], wantResponseSigned: true, clockSkewMs: 120_000 });
  });

  it('accepts PEM text, a bare base64 body (as IdP consoles show it) and several PEM blocks (rollover)', () => {
    const body = PEM.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    expect(readSamlCertificates(PEM)).toHaveLength(1);
    expect(readSamlCertificates(body)[0]?.replace(/\s+/g, '')).toBe(PEM.replace(/\s+/g, ''));
    expect(readSamlCertificates(`${PEM}\n${readFileSync(samlCertificatePath('other-idp'), 'utf8')}`)).toHaveLength(2);
  });

  it('names a half configuration at start', () => {
    const error = configError(() => samlSettingsFrom(identityConfig.load({ ATTEST_SAML_IDP_ENTRY_POINT: 'https://idp.example/sso' })));
    expect(error.problems).toEqual([
      expect.stringContaining('ATTEST_SAML_IDP_ISSUER is required when ATTEST_SAML_IDP_ENTRY_POINT is set'),
      expect.stringContaining('ATTEST_SAML_IDP_CERT is required when ATTEST_SAML_IDP_ENTRY_POINT is set'),
    ]);
  });

  it.each([
    [{ ATTEST_SAML_IDP_CERT: '/no/such/idp.pem' }, 'ATTEST_SAML_IDP_CERT="/no/such/idp.pem" is not allowed: expected PEM text, a base64 certificate, or the path'],
    [{ ATTEST_SAML_IDP_CERT: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'not an X.509 certificate'],
    [{ ATTEST_SAML_IDP_ENTRY_POINT: 'idp.example/sso' }, 'ATTEST_SAML_IDP_ENTRY_POINT="idp.example/sso" is not allowed'],
    [{ ATTEST_SAML_CLOCK_SKEW: '1h' }, 'ATTEST_SAML_CLOCK_SKEW="1h" is not allowed: expected a duration of at most 5m'],
    [{ ATTEST_SAML_WANT_RESPONSE_SIGNED: 'maybe' }, 'ATTEST_SAML_WANT_RESPONSE_SIGNED="maybe" is not allowed'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(configError(() => identityConfig.load({ ...ENABLED, ...env })).message).toContain(message);
  });
});
