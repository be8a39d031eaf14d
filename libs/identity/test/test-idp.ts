import { importEsm } from '@attest/util';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The few parts of oidc-provider (which ships no types) these tests touch. */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: GrantClass;
  proxy?: boolean;
}
interface InteractionDetails {
  grantId?: string;
  params: Record<string, string | undefined>;
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface GrantClass {
  new (init: { accountId: string; clientId: string }): GrantInstance;
  find(id: string): Promise<GrantInstance | undefined>;
}
type JoseLike = Pick<typeof Jose, 'SignJWT' | 'importJWK'>;
type ProviderConstructor = new (issuer: string, configuration: object) => OidcProvider;

export const TEST_AUDIENCE = 'attest';
export const TEST_RESOURCE = 'https://attest.test/api';

export interface TestUser {
  name: string;
  groups: string[];
}

export interface TestIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  backchannelLogoutUri: string;
}

/** oidc-provider warns about Node 20 and its in-memory adapter on every start: known and irrelevant to a test IdP. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return await work();
  } finally {
    warn.mockRestore();
  }
}

function rsaSigningKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/**
 * A real OpenID provider (npm oidc-provider) on 127.0.0.1, in-process. Interactions log in `nextUser` without a form,
 * so tests drive the real authorization-code + PKCE flow, token endpoint and logout.
 */
export class TestIdp {
  nextUser = 'alice';
  readonly users = new Map<string, TestUser>([
    ['alice', { name: 'Alice Admin', groups: ['/attest/admins'] }],
    ['bob', { name: 'Bob Developer', groups: ['developers'] }],
    ['eve', { name: 'Eve Outsider', groups: ['marketing'] }],
  ]);
  readonly batchClient = { clientId: 'batch', clientSecret: 'batch-secret-0123456789' };
  private provider!: OidcProvider;
  private readonly browserCookies = new Map<string, string>();
  private keys: Record<string, unknown>[] = [rsaSigningKey()];
  private Provider!: ProviderConstructor;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly portalClient: TestIdpClient,
  ) {}

  static async start(publicUrl = 'https://attest.test'): Promise<TestIdp> {
    const portal = {
      redirectUri: `${publicUrl}/auth/callback`,
      postLogoutRedirectUri: `${publicUrl}/`,
      backchannelLogoutUri: `${publicUrl}/auth/backchannel-logout`,
    };
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const idp = new TestIdp(server, issuer, { clientId: 'portal', clientSecret: 'portal-secret-0123456789', ...portal });
    idp.Provider = await quietly(async () => (await importEsm<{ default: ProviderConstructor }>('oidc-provider')).default);
    idp.provider = await quietly(async () => idp.build());
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith('/interaction/')) void idp.autoLogin(req, res);
      else idp.provider.callback()(req, res);
    });
    return idp;
  }

  /** Forgets the IdP's cookies, like a fresh browser: the next login interacts again instead of reusing a session. */
  newBrowser(): void {
    this.browserCookies.clear();
  }

  /** Publishes a new signing key (first, so new tokens use it) and keeps the old one, as IdPs rotate. */
  rotateSigningKey(): void {
    this.keys = [rsaSigningKey(), ...this.keys];
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      this.provider = this.build();
    } finally {
      warn.mockRestore();
    }
  }

  /** The current signing key's private JWK, for crafting tokens the IdP would never issue. */
  signingKey(): Record<string, unknown> {
    return this.keys[0]!;
  }

  /**
   * Plays the browser between a redirect to the IdP and the redirect back to `returnPrefix`: follows redirects, keeps
   * the IdP's cookies, and returns the URL the IdP finally sends the browser to.
   */
  async browse(url: string, returnPrefix: string): Promise<string> {
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      if (next.startsWith(returnPrefix)) return next;
      const response = await fetch(next, { redirect: 'manual', headers: { cookie: [...this.browserCookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const index = pair.indexOf('=');
        this.browserCookies.set(pair.slice(0, index), pair.slice(index + 1));
      }
      const location = response.headers.get('location');
      if (!location) throw new Error(`IdP answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`);
      next = new URL(location, next).href;
    }
    throw new Error('too many redirects');
  }

  /** Signs a back-channel logout token as the IdP would (OpenID Connect Back-Channel Logout 1.0 §2.4). */
  async logoutToken(claims: { sub?: string; sid?: string }, jose: JoseLike): Promise<string> {
    const jwk = this.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({
      iss: this.issuer,
      aud: this.portalClient.clientId,
      iat: now,
      exp: now + 120,
      jti: randomUUID(),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: String(jwk['kid']), typ: 'logout+jwt' })
      .sign(await jose.importJWK(jwk as Jose.JWK, 'RS256'));
  }

  async clientCredentialsToken(client = this.batchClient): Promise<string> {
    const response = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: TEST_RESOURCE, scope: 'api' }).toString(),
    });
    const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token endpoint: ${body.error}: ${body.error_description}`);
    return body.access_token;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private build(): OidcProvider {
    const users = this.users;
    const provider = new this.Provider(this.issuer, {
      clients: [
        {
          client_id: this.portalClient.clientId,
          client_secret: this.portalClient.clientSecret,
          redirect_uris: [this.portalClient.redirectUri],
          post_logout_redirect_uris: [this.portalClient.postLogoutRedirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          backchannel_logout_uri: this.portalClient.backchannelLogoutUri,
          backchannel_logout_session_required: true,
        },
        {
          client_id: this.batchClient.clientId,
          client_secret: this.batchClient.clientSecret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
      jwks: { keys: this.keys },
      cookies: { keys: ['test-idp-cookie-key'] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['name', 'groups'] },
      conformIdTokenClaims: false,
      findAccount: (_ctx: unknown, id: string) => {
        const user = users.get(id);
        return user ? { accountId: id, claims: () => ({ sub: id, name: user.name, groups: user.groups }) } : undefined;
      },
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
        const user = token.accountId ? users.get(token.accountId) : undefined;
        return user ? { groups: user.groups } : undefined;
      },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        backchannelLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => TEST_RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'api', audience: TEST_AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    });
    return provider;
  }

  private async autoLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const details = await this.provider.interactionDetails(req, res);
      const accountId = this.nextUser;
      const clientId = details.params['client_id'] ?? '';
      const grant = (details.grantId ? await this.provider.Grant.find(details.grantId) : undefined) ?? new this.provider.Grant({ accountId, clientId });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      await this.provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  }
}
