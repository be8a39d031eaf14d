import { booleanFlag, defineConfig } from '@attest/config';
import { z } from 'zod';
import { API_KEY_PATTERN } from './api-key-format';
import { parseDuration } from './duration';
import { roleMappingRulesSchema } from './role-mapping';
import { samlConfigVariables } from './saml/saml.config';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, context) => {
      const ms = parseDuration(text);
      if (ms === null) {
        context.addIssue({ code: 'custom', message: 'expected a number and a unit s, m, h, d or w (e.g. 90d)' });
        return z.NEVER;
      }
      return ms;
    });

const url = z.url({ message: 'expected an absolute http(s) URL' });

/** Asymmetric JWS algorithms only: `none` and HMAC (`HS*`) are never accepted for IdP tokens (RFC 8725 §3.1, §3.2). */
export const ALLOWED_JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const algorithms = z
  .string()
  .default('RS256,PS256,ES256,EdDSA')
  .transform((text) => text.split(',').map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.enum(ALLOWED_JWT_ALGORITHMS, { message: `expected a comma-separated list of ${ALLOWED_JWT_ALGORITHMS.join(', ')}` })).min(1));

const roleMapping = z
  .string()
  .default('[]')
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  })
  .pipe(roleMappingRulesSchema);

/** The identity namespace: API keys, bearer tokens from the enterprise IdP, and portal sessions. */
export const identityConfig = defineConfig('identity', {
  bootstrapApiKey: {
    env: 'ATTEST_BOOTSTRAP_API_KEY',
    schema: z.string().regex(API_KEY_PATTERN, 'not an Attest key').optional(),
    description:
      'admin key created on first start with an empty database: atk_, 12 letters or digits, _, 32 or more letters or digits ' +
      '(e.g. atk_$(openssl rand -hex 6)_$(openssl rand -hex 24)); unset prints a generated one once',
    sensitive: true,
  },
  keyDefaultTtlMs: {
    env: 'ATTEST_API_KEY_DEFAULT_TTL',
    schema: duration('90d'),
    description: 'lifetime of a new API key when none is given (default 90d)',
  },
  keyMaxTtlMs: {
    env: 'ATTEST_API_KEY_MAX_TTL',
    schema: duration('400d'),
    description: 'longest lifetime an API key may be given (default 400d)',
  },
  allowNonExpiringKeys: {
    env: 'ATTEST_API_KEY_ALLOW_NON_EXPIRING',
    schema: booleanFlag.default(false),
    description: 'true lets admins create keys that never expire (`--expires never`); default false',
  },
  rotationOverlapMs: {
    env: 'ATTEST_API_KEY_ROTATION_OVERLAP',
    schema: duration('24h'),
    description: 'how long the old key keeps working after a rotation (default 24h)',
  },
  lastUsedIntervalMs: {
    env: 'ATTEST_API_KEY_LAST_USED_INTERVAL',
    schema: duration('60s'),
    description: 'last-used time of a key is written at most once per this interval (default 60s)',
  },
  oidcIssuer: {
    env: 'ATTEST_OIDC_ISSUER',
    schema: url.optional(),
    description: 'issuer URL of the enterprise IdP (exactly as in its discovery document); unset disables bearer tokens and SSO',
  },
  oidcAudience: {
    env: 'ATTEST_OIDC_AUDIENCE',
    schema: z.string().min(1).optional(),
    description: 'the `aud` access tokens must carry for Attest (required with ATTEST_OIDC_ISSUER)',
  },
  oidcJwksUri: {
    env: 'ATTEST_OIDC_JWKS_URI',
    schema: url.optional(),
    description: 'JWKS URL of the IdP; unset reads it from the issuer discovery document',
  },
  oidcAlgorithms: {
    env: 'ATTEST_OIDC_ALGORITHMS',
    schema: algorithms,
    description: `accepted JWS algorithms, comma-separated, from ${ALLOWED_JWT_ALGORITHMS.join(', ')} (default RS256,PS256,ES256,EdDSA)`,
  },
  oidcClockToleranceMs: {
    env: 'ATTEST_OIDC_CLOCK_TOLERANCE',
    schema: duration('30s'),
    description: 'clock skew allowed on exp/nbf/iat (default 30s)',
  },
  oidcRequireAccessTokenType: {
    env: 'ATTEST_OIDC_REQUIRE_AT_JWT',
    schema: booleanFlag.default(false),
    description: 'true refuses bearer JWTs whose typ is not at+jwt (RFC 9068); set it when the IdP issues RFC 9068 tokens (default false)',
  },
  oidcGroupsClaim: {
    env: 'ATTEST_OIDC_GROUPS_CLAIM',
    schema: z.string().min(1).default('groups'),
    description: 'claim holding the user’s groups (default groups)',
  },
  roleMapping: {
    env: 'ATTEST_ROLE_MAPPING',
    schema: roleMapping,
    description: 'JSON list of rules [{"claim":"groups","equals":"attest-admins","roles":["admin"]}]; no match means no access',
  },
  oidcClientId: {
    env: 'ATTEST_OIDC_CLIENT_ID',
    schema: z.string().min(1).optional(),
    description: 'client id of the portal at the IdP (portal sign-in)',
  },
  oidcClientSecret: {
    env: 'ATTEST_OIDC_CLIENT_SECRET',
    schema: z.string().min(1).optional(),
    description: 'client secret of the portal at the IdP',
    sensitive: true,
  },
  oidcAllowInsecureHttp: {
    env: 'ATTEST_OIDC_ALLOW_INSECURE_HTTP',
    schema: booleanFlag.default(false),
    description: 'true lets the portal talk to an http:// IdP (local demos and tests only); default false',
  },
  // SAML 2.0 portal sign-in, beside OIDC (see saml/saml.config.ts).
  ...samlConfigVariables,
  publicUrl: {
    env: 'ATTEST_PUBLIC_URL',
    schema: url.default('http://localhost:8080'),
    description: 'URL browsers reach Attest at; the sign-in redirect is <url>/auth/callback (default http://localhost:8080)',
  },
  sessionTtlMs: {
    env: 'ATTEST_SESSION_TTL',
    schema: duration('8h'),
    description: 'lifetime of a portal session (default 8h)',
  },
  signInRateLimit: {
    env: 'ATTEST_SIGN_IN_RATE_LIMIT',
    schema: z.coerce.number().int().min(1).max(100_000).default(20),
    description: 'sign-in attempts (API key sign-in, SSO login and callback) per source IP per minute, across replicas (default 20)',
  },
  scimToken: {
    env: 'ATTEST_SCIM_TOKEN',
    schema: z.string().min(32, 'use at least 32 characters (e.g. openssl rand -hex 32)').optional(),
    description:
      'bearer token the IdP (Okta, Entra ID) sends to /scim/v2 for SCIM provisioning, at least 32 characters; unset turns /scim/v2 off (404)',
    sensitive: true,
  },
  scimLinkClaim: {
    env: 'ATTEST_SCIM_LINK_CLAIM',
    schema: z.string().min(1).default('sub'),
    description:
      'sign-in claim whose value equals the SCIM externalId, linking a provisioned user to their sign-ins (default sub, right for Okta; Entra ID: oid, with objectId mapped to externalId)',
  },
  keyAdminRateLimit: {
    env: 'ATTEST_KEY_ADMIN_RATE_LIMIT',
    schema: z.coerce.number().int().min(1).max(100_000).default(30),
    description: 'API key create/rotate/revoke requests per principal per minute, across replicas (default 30)',
  },
});

export type IdentityConfig = ReturnType<typeof identityConfig.load>;
