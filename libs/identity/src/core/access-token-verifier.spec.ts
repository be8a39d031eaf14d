import { importEsm } from '@attest/util';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { generateKeyPairSync } from 'node:crypto';
import { TEST_AUDIENCE, TestIdp } from '../../test/test-idp';
import { AccessTokenVerifier, type AccessTokenVerifierOptions } from './access-token-verifier';
import { IdentityError, IdentityErrorCode } from './identity.errors';

describe(AccessTokenVerifier.name, () => {
  let idp: TestIdp;
  let jose: typeof Jose;

  beforeAll(async () => {
    jose = await importEsm<typeof Jose>('jose');
    idp = await TestIdp.start();
  });
  afterAll(() => idp.close());

  const verifier = (overrides: Partial<AccessTokenVerifierOptions> = {}) =>
    new AccessTokenVerifier({ issuer: idp.issuer, audience: TEST_AUDIENCE, algorithms: ['RS256'], clockToleranceMs: 0, ...overrides });

  /** A token signed with the IdP's own key: what an attacker who stole nothing cannot make, used to test claim checks. */
  async function craft(claims: Record<string, unknown>, options: { key?: Jose.CryptoKey | Uint8Array; alg?: string; kid?: string } = {}): Promise<string> {
    const jwk = idp.signingKey();
    const key = options.key ?? (await jose.importJWK(jwk as Jose.JWK, 'RS256'));
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: idp.issuer, aud: TEST_AUDIENCE, sub: 'alice', iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? String(jwk['kid']), typ: 'at+jwt' })
      .sign(key);
  }

  async function codeOf(promise: Promise<unknown>): Promise<IdentityErrorCode> {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    if (!(error instanceof IdentityError)) throw new Error(`expected an IdentityError, got ${String(error)}`);
    return error.code;
  }

  it('accepts a client-credentials access token issued by the IdP', async () => {
    const claims = await verifier().verify(await idp.clientCredentialsToken());
    expect(claims).toMatchObject({ iss: idp.issuer, aud: TEST_AUDIENCE, client_id: 'batch' });
  });

  it('refuses a token for another audience or issuer', async () => {
    const token = await idp.clientCredentialsToken();
    expect(await codeOf(verifier({ audience: 'someone-else' }).verify(token))).toBe(IdentityErrorCode.Unauthenticated);
    expect(await codeOf(verifier().verify(await craft({ iss: 'https://evil.example' })))).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(await codeOf(verifier().verify(await craft({ iat: past - 60, exp: past })))).toBe(IdentityErrorCode.TokenExpired);
  });

  it('refuses alg none, an unsigned token and an HMAC token keyed with public material', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsecured = new jose.UnsecuredJWT({ iss: idp.issuer, aud: TEST_AUDIENCE, sub: 'alice', iat: now, exp: now + 300 }).encode();
    expect(await codeOf(verifier().verify(unsecured))).toBe(IdentityErrorCode.Unauthenticated);
    const signed = await craft({});
    expect(await codeOf(verifier().verify(signed.split('.').slice(0, 2).join('.') + '.'))).toBe(IdentityErrorCode.Unauthenticated);
    const hmac = await craft({}, { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(idp.signingKey()['n'])) });
    expect(await codeOf(verifier({ algorithms: ['RS256', 'ES256'] }).verify(hmac))).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('refuses a token signed by another key under the IdP’s kid, and a tampered one', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await codeOf(verifier().verify(await craft({}, { key: privateKey as unknown as Jose.CryptoKey })))).toBe(IdentityErrorCode.Unauthenticated);
    const [header, , signature] = (await craft({})).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ iss: idp.issuer, aud: TEST_AUDIENCE, sub: 'root', exp: 4e9, iat: 1 })).toString('base64url');
    expect(await codeOf(verifier().verify(`${header}.${forgedPayload}.${signature}`))).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('refuses a token whose typ is not at+jwt when RFC 9068 tokens are required', async () => {
    const sut = verifier({ requireAccessTokenType: true });
    await expect(sut.verify(await idp.clientCredentialsToken())).resolves.toMatchObject({ client_id: 'batch' });
    const jwk = idp.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const idTokenLike = await new jose.SignJWT({ iss: idp.issuer, aud: TEST_AUDIENCE, sub: 'alice', iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'RS256', kid: String(jwk['kid']), typ: 'JWT' })
      .sign(await jose.importJWK(jwk as Jose.JWK, 'RS256'));
    expect(await codeOf(sut.verify(idTokenLike))).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('refuses an algorithm outside the allow-list', async () => {
    expect(await codeOf(verifier({ algorithms: ['ES256'] }).verify(await idp.clientCredentialsToken()))).toBe(IdentityErrorCode.Unauthenticated);
  });

  it('follows an IdP key rotation by refetching the JWKS for an unknown kid', async () => {
    const sut = verifier({ jwksCooldownMs: 0 });
    await sut.verify(await idp.clientCredentialsToken());
    idp.rotateSigningKey();
    const rotated = await idp.clientCredentialsToken();
    expect(jose.decodeProtectedHeader(rotated).kid).toBe(idp.signingKey()['kid']);
    await expect(sut.verify(rotated)).resolves.toMatchObject({ client_id: 'batch' });
  });

  it('answers IDP_UNAVAILABLE when the IdP cannot be reached', async () => {
    const sut = verifier({ issuer: 'http://127.0.0.1:9', jwksUri: undefined });
    expect(await codeOf(sut.verify(await craft({})))).toBe(IdentityErrorCode.IdpUnavailable);
  });
});
