import { readFileSync } from 'node:fs';
import { samlCertificatePath, SAML_TEST_IDP_ENTITY_ID, SAML_TEST_IDP_SSO_URL, TestSamlIdp, type SamlResponseOptions } from '../../../test/test-saml-idp';
import { SamlLoginError, SamlRejection } from './saml-rejection';
import { type SamlRequestStore, SamlServiceProvider } from './saml-service-provider';
import type { SamlSettings } from './saml.config';

const SETTINGS: SamlSettings = {
  entryPoint: SAML_TEST_IDP_SSO_URL,
  idpIssuer: SAML_TEST_IDP_ENTITY_ID,
  idpCertificates: [readFileSync(samlCertificatePath('idp'), 'utf8')],
  spEntityId: 'https://attest.test/auth/saml/metadata',
  acsUrl: 'https://attest.test/auth/saml/acs',
  groupsAttributes: ['groups'],
  wantResponseSigned: false,
  clockSkewMs: 30_000,
};

/** The request store as one browser sees it, in memory (the database one is exercised by the Nest specs). */
class MemoryRequestStore implements SamlRequestStore {
  readonly requests = new Map<string, string>();
  save(requestId: string, issuedAt: string): Promise<void> {
    this.requests.set(requestId, issuedAt);
    return Promise.resolve();
  }
  issuedAt(requestId: string): Promise<string | null> {
    return Promise.resolve(this.requests.get(requestId) ?? null);
  }
}

async function refusal(work: Promise<unknown>): Promise<SamlRejection> {
  try {
    await work;
  } catch (error) {
    if (error instanceof SamlLoginError) return error.reason;
    throw error;
  }
  throw new Error('accepted');
}

describe(SamlServiceProvider.name, () => {
  const idp = new TestSamlIdp();
  let sut: SamlServiceProvider;
  let store: MemoryRequestStore;
  let requestId: string;

  beforeEach(async () => {
    sut = new SamlServiceProvider(SETTINGS);
    store = new MemoryRequestStore();
    const received = await idp.receive(await sut.authorizeUrl(store, '/portal'), sut.metadata());
    requestId = received.id;
  });

  const respond = (overrides: Partial<SamlResponseOptions> = {}) =>
    idp.respond({ user: 'alice', inResponseTo: requestId, spMetadata: sut.metadata(), ...overrides });

  it('sends an AuthnRequest the IdP reads: this SP, its ACS URL, the return path as RelayState, the id kept', async () => {
    const url = await sut.authorizeUrl(store, '/portal/keys');
    const received = await idp.receive(url, sut.metadata());
    expect(received).toEqual({ id: expect.stringMatching(/^_/), issuer: SETTINGS.spEntityId, acsUrl: SETTINGS.acsUrl, relayState: '/portal/keys' });
    expect(store.requests.has(received.id)).toBe(true);
  });

  it('accepts a signed assertion and hands over issuer, NameID, attributes and the facts replay protection needs', async () => {
    const { profile, assertion, requestId: answered } = await sut.validate(await respond(), store);
    expect(answered).toBe(requestId);
    expect(profile).toMatchObject({ issuer: SAML_TEST_IDP_ENTITY_ID, nameID: 'a1f0c2d4-alice', sessionIndex: expect.stringMatching(/^_session-/) });
    expect(profile.attributes?.['http://schemas.microsoft.com/identity/claims/displayname']).toBe('Alice Admin');
    expect(assertion).toEqual({ id: expect.stringMatching(/^_/), usableUntil: expect.any(Date), recipients: [SETTINGS.acsUrl] });
    expect(assertion.usableUntil.getTime()).toBeGreaterThan(Date.now());
  });

  it('publishes metadata that asks for signed assertions at the ACS URL', () => {
    const metadata = sut.metadata();
    expect(metadata).toContain(`entityID="${SETTINGS.spEntityId}"`);
    expect(metadata).toContain('WantAssertionsSigned="true"');
    expect(metadata).toContain(`Location="${SETTINGS.acsUrl}"`);
  });

  it.each([
    ['an unsigned response', { sign: 'none' as const }, SamlRejection.SignatureInvalid],
    ['a signed response around an unsigned assertion', { sign: 'response' as const }, SamlRejection.SignatureInvalid],
    ['another audience', { audience: 'https://other-sp.test' }, SamlRejection.AudienceMismatch],
    ['another recipient', { recipient: 'https://evil.test/acs' }, SamlRejection.RecipientMismatch],
    ['another issuer', { issuer: 'https://other-idp.test' }, SamlRejection.IssuerMismatch],
    ['an expired assertion', { notOnOrAfter: new Date(Date.now() - 60_000) }, SamlRejection.AssertionExpired],
    ['an assertion valid only from tomorrow', { notBefore: new Date(Date.now() + 86_400_000) }, SamlRejection.AssertionNotYetValid],
    ['an unknown InResponseTo', { inResponseTo: '_never-issued' }, SamlRejection.InResponseToUnknown],
    ['an unsolicited response', { inResponseTo: null }, SamlRejection.InResponseToMissing],
  ])('refuses %s', async (_label, overrides, reason) => {
    expect(await refusal(sut.validate(await respond(overrides), store))).toBe(reason);
  });

  it('refuses an assertion signed with another key, even one naming the right issuer', async () => {
    const impostor = new TestSamlIdp('other-idp');
    const forged = await impostor.respond({ user: 'alice', inResponseTo: requestId, spMetadata: sut.metadata() });
    expect(await refusal(sut.validate(forged, store))).toBe(SamlRejection.SignatureInvalid);
  });

  it('accepts a response signed on both levels, and requires the response signature when configured', async () => {
    await expect(sut.validate(await respond({ sign: 'both' }), store)).resolves.toBeDefined();
    const strict = new SamlServiceProvider({ ...SETTINGS, wantResponseSigned: true });
    expect(await refusal(strict.validate(await respond(), store))).toBe(SamlRejection.SignatureInvalid);
    await expect(strict.validate(await respond({ sign: 'both' }), store)).resolves.toBeDefined();
  });

  it('trusts every configured certificate (IdP key rollover)', async () => {
    const rolling = new SamlServiceProvider({ ...SETTINGS, idpCertificates: [readFileSync(samlCertificatePath('other-idp'), 'utf8'), ...SETTINGS.idpCertificates] });
    await expect(rolling.validate(await respond(), store)).resolves.toBeDefined();
  });

  it('calls garbage malformed and leaks nothing of it', async () => {
    const error = await sut.validate(Buffer.from('<not-saml/>').toString('base64'), store).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SamlLoginError);
    expect((error as SamlLoginError).reason).toBe(SamlRejection.ResponseMalformed);
    expect((error as SamlLoginError).cause).toBeUndefined();
  });
});
