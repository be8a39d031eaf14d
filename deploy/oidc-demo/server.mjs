// A throw-away OpenID Provider for the SSO demo in docker-compose.yml (npm package oidc-provider, dev interactions).
// Any user name and password signs in; a name starting with "admin" is in group attest-admins, any other name in
// attest-users. Never use it outside a demo: keys are generated at start and nothing is persisted.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_DEMO_PORT ?? 9090);
const issuer = process.env.OIDC_DEMO_ISSUER ?? `http://oidc:${port}`;
const audience = process.env.OIDC_DEMO_AUDIENCE ?? 'urn:attest';
const clientId = process.env.OIDC_DEMO_CLIENT_ID ?? 'attest-portal';
const clientSecret = process.env.OIDC_DEMO_CLIENT_SECRET ?? 'attest-demo-secret';
const redirectUri = process.env.OIDC_DEMO_REDIRECT_URI ?? 'http://localhost:8080/auth/callback';

function groupsOf(accountId) {
  return accountId.startsWith('admin') ? ['attest-admins'] : ['attest-users'];
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri.replace(/\/auth\/callback$/, '/')],
      grant_types: ['authorization_code', 'client_credentials'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], email: ['email'], profile: ['name'], groups: ['groups'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  findAccount: async (_ctx, accountId) => ({
    accountId,
    claims: async () => ({ sub: accountId, name: accountId, email: `${accountId}@example.test`, groups: groupsOf(accountId) }),
  }),
  // Access tokens are JWTs for the Attest audience, carrying groups for ATTEST_ROLE_MAPPING.
  extraTokenClaims: async (_ctx, token) => (token.accountId ? { groups: groupsOf(token.accountId) } : undefined),
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid email profile groups',
        audience,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  pkce: { required: () => false },
});

const server = provider.listen(port, () => {
  process.stdout.write(`oidc demo provider: ${issuer}/.well-known/openid-configuration (audience ${audience})\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
