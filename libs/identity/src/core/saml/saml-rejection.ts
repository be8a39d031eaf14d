import { IdentityError, IdentityErrorCode } from '../identity.errors';

/**
 * Why a SAML sign-in was refused: stable codes for the audit log and the answer. They name what failed, never a value
 * from the assertion (no NameID, no attribute, no IdP message).
 */
export enum SamlRejection {
  /** The browser holds no SAML login cookie: the sign-in was not started here, or in another browser. */
  LoginNotStarted = 'login_not_started',
  /** No SAMLResponse, or one that is not base64 SAML XML, or holds no (or several) assertions. */
  ResponseMalformed = 'response_malformed',
  /** The assertion (or the response, where required) is unsigned, or not signed with the configured IdP certificate. */
  SignatureInvalid = 'signature_invalid',
  /** The assertion was issued by another entity than ATTEST_SAML_IDP_ISSUER. */
  IssuerMismatch = 'issuer_mismatch',
  /** The assertion is meant for another service provider (its Audience is not ATTEST_SAML_SP_ENTITY_ID). */
  AudienceMismatch = 'audience_mismatch',
  /** The assertion's bearer confirmation names another Recipient than this ACS URL. */
  RecipientMismatch = 'recipient_mismatch',
  /** NotOnOrAfter has passed (beyond the allowed clock skew). */
  AssertionExpired = 'assertion_expired',
  /** NotBefore has not come yet (beyond the allowed clock skew). */
  AssertionNotYetValid = 'assertion_not_yet_valid',
  /** The response answers no request this browser has pending (unknown, expired or someone else's InResponseTo). */
  InResponseToUnknown = 'in_response_to_unknown',
  /** An unsolicited (IdP-initiated) response: only sign-ins started at Attest are accepted. */
  InResponseToMissing = 'in_response_to_missing',
  /** The request was already answered by another assertion. */
  RequestAlreadyUsed = 'request_already_used',
  /** This assertion was already consumed once (SAML profiles §4.1.4.5: one-time use). */
  AssertionReplayed = 'assertion_replayed',
  /** The IdP answered with an error status (the user cancelled, authentication failed at the IdP). */
  IdpStatus = 'idp_status',
  /** The assertion names no subject. */
  NameIdMissing = 'name_id_missing',
  /** A transient NameID changes at every sign-in and cannot identify a user. */
  NameIdTransient = 'name_id_transient',
}

const messages: Record<SamlRejection, string> = {
  [SamlRejection.LoginNotStarted]: 'The SAML sign-in was not started in this browser; start again from the sign-in page.',
  [SamlRejection.ResponseMalformed]: 'The SAML response is missing or malformed.',
  [SamlRejection.SignatureInvalid]: 'The SAML assertion is not signed with the identity provider’s configured certificate.',
  [SamlRejection.IssuerMismatch]: 'The SAML assertion was issued by another identity provider than the configured one.',
  [SamlRejection.AudienceMismatch]: 'The SAML assertion is meant for another service provider (audience mismatch).',
  [SamlRejection.RecipientMismatch]: 'The SAML assertion is meant for another assertion consumer service (recipient mismatch).',
  [SamlRejection.AssertionExpired]: 'The SAML assertion has expired; sign in again.',
  [SamlRejection.AssertionNotYetValid]: 'The SAML assertion is not valid yet; check the clocks of Attest and the identity provider.',
  [SamlRejection.InResponseToUnknown]: 'The SAML response answers no sign-in pending in this browser; start again.',
  [SamlRejection.InResponseToMissing]: 'Unsolicited SAML responses are not accepted; start the sign-in from Attest.',
  [SamlRejection.RequestAlreadyUsed]: 'This SAML sign-in was already completed; start again.',
  [SamlRejection.AssertionReplayed]: 'This SAML assertion was already used; start the sign-in again.',
  [SamlRejection.IdpStatus]: 'The identity provider did not sign you in.',
  [SamlRejection.NameIdMissing]: 'The SAML assertion names no subject (NameID).',
  [SamlRejection.NameIdTransient]: 'The SAML assertion carries a transient NameID, which cannot identify a user; configure a persistent one.',
};

/**
 * A refused SAML sign-in: LOGIN_FAILED (400) to the caller, with a message naming the reason, and `reason` for the
 * audit event.
 *
 * @example
 * throw new SamlLoginError(SamlRejection.AssertionReplayed);
 */
export class SamlLoginError extends IdentityError {
  constructor(
    readonly reason: SamlRejection,
    options?: { cause?: unknown },
  ) {
    super(IdentityErrorCode.LoginFailed, `${messages[reason]} (${reason})`, options);
    this.name = 'SamlLoginError';
  }
}

/** node-saml's error messages, matched to a reason; the messages themselves (which may quote values) go nowhere. */
const NODE_SAML_MESSAGES: readonly [RegExp, SamlRejection][] = [
  [/^InResponseTo is missing/, SamlRejection.InResponseToMissing],
  [/InResponseTo/, SamlRejection.InResponseToUnknown],
  [/signature|Cannot obtain assertion from signed data/i, SamlRejection.SignatureInvalid],
  [/not yet valid/, SamlRejection.AssertionNotYetValid],
  [/expired|No valid subject confirmation/, SamlRejection.AssertionExpired],
  [/audience|AudienceRestriction/i, SamlRejection.AudienceMismatch],
];

/**
 * The reason for an error the SAML library threw while validating a response. A SAML status error (the IdP refused)
 * is recognised by its `xmlStatus`; anything unrecognised counts as malformed.
 */
export function samlRejectionOf(error: unknown): SamlRejection {
  if (error instanceof SamlLoginError) return error.reason;
  if (typeof error === 'object' && error !== null && 'xmlStatus' in error) return SamlRejection.IdpStatus;
  const message = error instanceof Error ? error.message : '';
  return NODE_SAML_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? SamlRejection.ResponseMalformed;
}
