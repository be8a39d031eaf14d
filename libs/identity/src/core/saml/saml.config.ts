import { booleanFlag, ConfigError } from '@attest/config';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration } from '../duration';
import type { IdentityConfig } from '../identity.config';

/** Entra ID's groups attribute, then the plain name Okta, Keycloak and most others use. */
export const DEFAULT_SAML_GROUPS_ATTRIBUTES = ['http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', 'groups'] as const;

const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const BARE_BASE64 = /^[A-Za-z0-9+/=\s]{200,}$/;

function pemOf(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

/**
 * The IdP's signing certificates from PEM text, a bare base64 DER body (as Entra ID and Okta show it), or a path to a
 * PEM file. Several PEM blocks are all trusted, so an IdP key rollover can be announced before it happens.
 */
export function readSamlCertificates(value: string): string[] {
  let text = value.trim();
  if (!text.includes('-----BEGIN') && !BARE_BASE64.test(text)) {
    if (!existsSync(text)) throw new Error('expected PEM text, a base64 certificate, or the path of a readable PEM file');
    text = readFileSync(text, 'utf8');
  }
  const pems = text.includes('-----BEGIN') ? [...text.matchAll(PEM_BLOCK)].map((match) => `${match[0]}\n`) : [pemOf(text)];
  if (pems.length === 0) throw new Error('no -----BEGIN CERTIFICATE----- block found');
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new Error('not an X.509 certificate');
    }
  }
  return pems;
}

const certificates = z.string().transform((text, context) => {
  try {
    return readSamlCertificates(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

const clockSkew = z
  .string()
  .default('30s')
  .transform((text, context) => {
    const ms = parseDuration(text);
    if (ms === null || ms > MAX_CLOCK_SKEW_MS) {
      context.addIssue({ code: 'custom', message: 'expected a duration of at most 5m, e.g. 30s' });
      return z.NEVER;
    }
    return ms;
  });

const attributeList = z
  .string()
  .default(DEFAULT_SAML_GROUPS_ATTRIBUTES.join(','))
  .transform((text) => text.split(',').map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(512)).min(1, 'name at least one attribute'));

const entityId = z.string().trim().min(1).max(1024);

/** SAML 2.0 sign-in variables of the identity namespace (spread into identityConfig). */
export const samlConfigVariables = {
  samlIdpEntryPoint: {
    env: 'ATTEST_SAML_IDP_ENTRY_POINT',
    schema: z.url({ message: 'expected an absolute http(s) URL' }).optional(),
    description:
      'single sign-on URL of the SAML IdP (HTTP-Redirect binding, from its metadata); with ATTEST_SAML_IDP_ISSUER and ATTEST_SAML_IDP_CERT it turns SAML sign-in on; unset disables SAML',
  },
  samlIdpIssuer: {
    env: 'ATTEST_SAML_IDP_ISSUER',
    schema: entityId.optional(),
    description: 'entity id of the SAML IdP, exactly as the Issuer of its assertions (users are keyed by it and their NameID)',
  },
  samlIdpCert: {
    env: 'ATTEST_SAML_IDP_CERT',
    schema: certificates.optional(),
    description:
      'signing certificate of the SAML IdP: PEM text, the base64 body of one, or the path of a PEM file; several PEM blocks are all trusted (key rollover)',
  },
  samlSpEntityId: {
    env: 'ATTEST_SAML_SP_ENTITY_ID',
    schema: entityId.optional(),
    description: 'entity id of Attest at the SAML IdP, the audience its assertions must name (default <ATTEST_PUBLIC_URL>/auth/saml/metadata)',
  },
  samlGroupsAttributes: {
    env: 'ATTEST_SAML_GROUPS_ATTRIBUTE',
    schema: attributeList,
    description:
      'SAML attribute(s) holding the user’s groups, comma-separated; their values feed ATTEST_ROLE_MAPPING like the OIDC groups claim (default: Entra ID’s groups claim URI, then groups)',
  },
  samlWantResponseSigned: {
    env: 'ATTEST_SAML_WANT_RESPONSE_SIGNED',
    schema: booleanFlag.default(false),
    description: 'true also requires the SAML Response itself to be signed; assertions must be signed in any case (default false)',
  },
  samlClockSkewMs: {
    env: 'ATTEST_SAML_CLOCK_SKEW',
    schema: clockSkew,
    description: 'clock skew allowed on NotBefore/NotOnOrAfter of SAML assertions, at most 5m (default 30s)',
  },
};

/** Everything the SAML service provider needs, resolved and checked. */
export interface SamlSettings {
  entryPoint: string;
  idpIssuer: string;
  idpCertificates: string[];
  spEntityId: string;
  /** `<public url>/auth/saml/acs`: where the IdP posts its responses. */
  acsUrl: string;
  groupsAttributes: string[];
  wantResponseSigned: boolean;
  clockSkewMs: number;
}

export type SamlConfig = Pick<
  IdentityConfig,
  'samlIdpEntryPoint' | 'samlIdpIssuer' | 'samlIdpCert' | 'samlSpEntityId' | 'samlGroupsAttributes' | 'samlWantResponseSigned' | 'samlClockSkewMs' | 'publicUrl'
>;

/**
 * The SAML settings, or null when SAML sign-in is off (none of the three IdP variables set). A half configuration
 * fails at start with a message naming what is missing.
 *
 * @example
 * const settings = samlSettingsFrom(identityConfig.load()); // null unless ATTEST_SAML_IDP_* are set
 */
export function samlSettingsFrom(config: SamlConfig): SamlSettings | null {
  const { samlIdpEntryPoint: entryPoint, samlIdpIssuer: idpIssuer, samlIdpCert: idpCertificates } = config;
  const required = { ATTEST_SAML_IDP_ENTRY_POINT: entryPoint, ATTEST_SAML_IDP_ISSUER: idpIssuer, ATTEST_SAML_IDP_CERT: idpCertificates };
  const given = Object.keys(required).filter((name) => required[name as keyof typeof required] !== undefined);
  if (given.length === 0) return null;
  if (!entryPoint || !idpIssuer || !idpCertificates) {
    const missing = Object.keys(required).filter((name) => !given.includes(name));
    throw new ConfigError(
      'identity',
      missing.map((name) => `${name} is required when ${given.join(', ')} is set. Expected: ${samlDescriptionOf(name)}`),
    );
  }
  return {
    entryPoint,
    idpIssuer,
    idpCertificates,
    spEntityId: config.samlSpEntityId ?? new URL('/auth/saml/metadata', config.publicUrl).href,
    acsUrl: new URL('/auth/saml/acs', config.publicUrl).href,
    groupsAttributes: config.samlGroupsAttributes,
    wantResponseSigned: config.samlWantResponseSigned,
    clockSkewMs: config.samlClockSkewMs,
  };
}

function samlDescriptionOf(env: string): string {
  return Object.values(samlConfigVariables).find((variable) => variable.env === env)?.description ?? env;
}
