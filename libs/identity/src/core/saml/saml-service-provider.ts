import { type CacheProvider, type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { assertionFacts, assertRecipient, type AssertionFacts } from './saml-assertion';
import type { ValidatedSamlProfile } from './saml-identity';
import { SamlLoginError, SamlRejection, samlRejectionOf } from './saml-rejection';
import type { SamlSettings } from './saml.config';

/** Pending AuthnRequests, kept server-side and bound to the browser that started them (see SamlLoginService). */
export interface SamlRequestStore {
  /** Keeps a new AuthnRequest's id; `issuedAt` is its IssueInstant. */
  save(requestId: string, issuedAt: string): Promise<void>;
  /** The IssueInstant of a request pending for this browser and not expired, else null (consumed ones still count). */
  issuedAt(requestId: string): Promise<string | null>;
}

export interface ValidatedSamlResponse {
  profile: ValidatedSamlProfile;
  assertion: AssertionFacts;
  /** The AuthnRequest this response answers (its InResponseTo, checked against the store). */
  requestId: string;
}

/** How long an AuthnRequest stays answerable, like an OIDC login attempt. */
export const SAML_REQUEST_TTL_MS = 10 * 60_000;

/** The store metadata generation gets: it issues no request. */
const NO_STORE: SamlRequestStore = {
  save: () => Promise.reject(new Error('no request store')),
  issuedAt: () => Promise.resolve(null),
};

function cacheProviderOf(store: SamlRequestStore): CacheProvider {
  return {
    saveAsync: async (key, value) => {
      await store.save(key, value);
      return { value, createdAt: Date.now() };
    },
    getAsync: (key) => store.issuedAt(key),
    // Single use is enforced after validation, not here: a replayed response must still reach the assertion-ID check,
    // so the audit log calls it a replay.
    removeAsync: () => Promise.resolve(null),
  };
}

/** A protocol Response as the root element (no DOCTYPE, nothing else): anything else is malformed, whatever node-saml would say. */
function isSamlResponse(base64: string): boolean {
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  return /^\s*(<\?xml[^>]*\?>\s*)?<([\w-]+:)?Response[\s>]/.test(xml);
}

function attributesOf(profile: Profile): Record<string, unknown> {
  const attributes = profile['attributes'];
  return typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : {};
}

/**
 * The portal's side of SAML 2.0 Web Browser SSO (SAML profiles §4.1) on @node-saml/node-saml: AuthnRequests over the
 * HTTP-Redirect binding, responses over HTTP-POST. A response is accepted only with a signed assertion (and a signed
 * response where configured) from the configured IdP certificate and issuer, for this SP's audience and ACS URL,
 * inside NotBefore/NotOnOrAfter (with the configured skew), answering a request pending for this browser.
 * One-time use of assertions and requests is the caller's part (it needs the database).
 *
 * @example
 * const url = await sp.authorizeUrl(store, '/portal');
 * const { profile, assertion, requestId } = await sp.validate(body.SAMLResponse, store);
 */
export class SamlServiceProvider {
  constructor(private readonly settings: SamlSettings) {}

  get entityId(): string {
    return this.settings.spEntityId;
  }

  get groupsAttributes(): readonly string[] {
    return this.settings.groupsAttributes;
  }

  get clockSkewMs(): number {
    return this.settings.clockSkewMs;
  }

  /** The IdP URL to send the browser to; `relayState` comes back with the response (a return path, ≤ 80 bytes). */
  authorizeUrl(store: SamlRequestStore, relayState: string): Promise<string> {
    return this.saml(store).getAuthorizeUrlAsync(relayState, undefined, {});
  }

  /** Validates a base64 SAMLResponse; every refusal is a {@link SamlLoginError} with a stable reason. */
  async validate(samlResponse: string, store: SamlRequestStore): Promise<ValidatedSamlResponse> {
    if (!isSamlResponse(samlResponse)) throw new SamlLoginError(SamlRejection.ResponseMalformed);
    let result: { profile: Profile | null; loggedOut: boolean };
    try {
      result = await this.saml(store).validatePostResponseAsync({ SAMLResponse: samlResponse });
    } catch (error) {
      // node-saml's messages may quote the assertion (audience, issuer): only the reason travels on.
      throw new SamlLoginError(samlRejectionOf(error));
    }
    const { profile } = result;
    if (!profile || result.loggedOut) throw new SamlLoginError(SamlRejection.ResponseMalformed);
    // node-saml checks idpIssuer on logout messages only: the assertion's issuer is checked here.
    if (profile.issuer !== this.settings.idpIssuer) throw new SamlLoginError(SamlRejection.IssuerMismatch);
    const requestId = profile['inResponseTo'];
    if (typeof requestId !== 'string' || requestId.length === 0) throw new SamlLoginError(SamlRejection.InResponseToMissing);
    const assertion = assertionFacts(profile.getAssertion?.());
    assertRecipient(assertion, this.settings.acsUrl);
    return {
      profile: {
        issuer: profile.issuer,
        ...(profile.nameID ? { nameID: profile.nameID } : {}),
        ...(profile.nameIDFormat ? { nameIDFormat: profile.nameIDFormat } : {}),
        ...(profile.sessionIndex ? { sessionIndex: profile.sessionIndex } : {}),
        attributes: attributesOf(profile),
      },
      assertion,
      requestId,
    };
  }

  /** SP metadata (SAML metadata §2.4.4) for the IdP administrator: entity id, ACS URL, signed assertions wanted. */
  metadata(): string {
    return this.saml(NO_STORE).generateServiceProviderMetadata(null, null);
  }

  /** One node-saml instance per operation: its request cache is this browser's view of the request store. */
  private saml(store: SamlRequestStore): SAML {
    const { settings } = this;
    return new SAML({
      entryPoint: settings.entryPoint,
      issuer: settings.spEntityId,
      audience: settings.spEntityId,
      callbackUrl: settings.acsUrl,
      idpCert: settings.idpCertificates,
      idpIssuer: settings.idpIssuer,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: settings.wantResponseSigned,
      acceptedClockSkewMs: settings.clockSkewMs,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
      cacheProvider: cacheProviderOf(store),
      // Let the IdP use the NameID format its administrator configured (a persistent one identifies users best).
      identifierFormat: null,
      // A requested PasswordProtectedTransport context makes Entra ID refuse MFA and Windows sign-ins (AADSTS75011).
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
    });
  }
}
