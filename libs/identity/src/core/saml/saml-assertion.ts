import { SamlLoginError, SamlRejection } from './saml-rejection';

/** What replay protection and the recipient check need from a validated assertion. */
export interface AssertionFacts {
  /** The assertion's ID: consumed once, then refused until `usableUntil`. */
  id: string;
  /** The latest NotOnOrAfter the assertion carries (Conditions, bearer SubjectConfirmationData). */
  usableUntil: Date;
  /** Recipients its bearer confirmations name (may be empty). */
  recipients: string[];
}

type XmlNode = { $?: Record<string, string | undefined> } & Record<string, unknown>;

function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value.filter((item) => typeof item === 'object' && item !== null) as XmlNode[]) : [];
}

function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.$?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

const MAX_ASSERTION_ID_LENGTH = 256;

/**
 * Reads the ID, validity end and recipients of the assertion the SAML library parsed (xml2js shape, prefixes
 * stripped). Only called on an assertion whose signature has been verified.
 *
 * @example
 * assertionFacts(profile.getAssertion()) // { id: '_a1…', usableUntil: Date, recipients: ['https://attest/auth/saml/acs'] }
 */
export function assertionFacts(parsed: unknown): AssertionFacts {
  const assertion = (parsed as { Assertion?: XmlNode } | undefined)?.Assertion;
  const id = attribute(assertion, 'ID');
  if (!id || id.length > MAX_ASSERTION_ID_LENGTH) throw new SamlLoginError(SamlRejection.ResponseMalformed);
  const confirmations = children(assertion, 'Subject').flatMap((subject) => children(subject, 'SubjectConfirmation'));
  const confirmationData = confirmations.flatMap((confirmation) => children(confirmation, 'SubjectConfirmationData'));
  const ends = [...children(assertion, 'Conditions'), ...confirmationData]
    .map((node) => attribute(node, 'NotOnOrAfter'))
    .filter((value): value is string => value !== undefined)
    .map((value) => Date.parse(value))
    .filter((ms) => Number.isFinite(ms));
  // SAML profiles §4.1.4.2: a bearer assertion carries NotOnOrAfter; without one it could be replayed forever.
  if (ends.length === 0) throw new SamlLoginError(SamlRejection.ResponseMalformed);
  const recipients = confirmationData.map((node) => attribute(node, 'Recipient')).filter((value): value is string => value !== undefined);
  return { id, usableUntil: new Date(Math.max(...ends)), recipients };
}

/** SAML profiles §4.1.4.3: a bearer confirmation's Recipient must be the ACS URL the response arrived at. */
export function assertRecipient(facts: AssertionFacts, acsUrl: string): void {
  if (facts.recipients.length > 0 && !facts.recipients.includes(acsUrl)) throw new SamlLoginError(SamlRejection.RecipientMismatch);
}
