import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Constants, IdentityProvider, SamlLib, ServiceProvider, setSchemaValidator, type IdentityProviderInstance } from 'samlify';

/** Committed fixtures made once with `openssl req -x509 -newkey rsa:2048 -nodes -days 36500` (test use only). */
const TESTDATA = join(__dirname, 'testdata', 'saml');
export type SamlTestKey = 'idp' | 'other-idp';
export const samlCertificatePath = (key: SamlTestKey): string => join(TESTDATA, `${key}.cert.pem`);
const privateKeyOf = (key: SamlTestKey): string => readFileSync(join(TESTDATA, `${key}.key.pem`), 'utf8');

// samlify insists on a schema validator before it parses anything. The test IdP only reads AuthnRequests Attest made;
// a permissive one is enough here (Attest's own side validates with node-saml, never with this).
setSchemaValidator({ validate: () => Promise.resolve('skipped in tests') });

export const SAML_TEST_IDP_ENTITY_ID = 'https://idp.saml.test/metadata';
export const SAML_TEST_IDP_SSO_URL = 'https://idp.saml.test/sso';
export const ENTRA_GROUPS_ATTRIBUTE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';

export interface SamlTestUser {
  nameId: string;
  displayName: string;
  groups: string[];
  nameIdFormat?: string;
}

export interface ReceivedAuthnRequest {
  id: string;
  issuer: string;
  acsUrl: string;
  relayState: string | null;
}

/** What the IdP signs: by default what a well-behaved IdP sends; each field lets a test send something else. */
export interface SamlResponseOptions {
  user: string;
  /** The AuthnRequest answered; null sends an unsolicited response. */
  inResponseTo: string | null;
  /** The SP's metadata, as the IdP administrator imported it. */
  spMetadata: string;
  audience?: string;
  recipient?: string;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** Default 'assertion' (what Attest requires); 'response' signs only the envelope, 'none' nothing at all. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attributeStatement(attributes: Record<string, string[]>): string {
  const items = Object.entries(attributes)
    .filter(([, values]) => values.length > 0)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
          .map((value) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(value)}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`,
    );
  return items.length > 0 ? `<saml:AttributeStatement>${items.join('')}</saml:AttributeStatement>` : '';
}

/**
 * A real SAML 2.0 IdP in-process (samlify in IdP mode), signing with a committed test key. It reads Attest's
 * AuthnRequest from the redirect URL and answers with a signed Response for the HTTP-POST binding, as Entra ID, Okta
 * or Keycloak would; options let a test break one property at a time.
 */
export class TestSamlIdp {
  readonly users = new Map<string, SamlTestUser>([
    ['alice', { nameId: 'a1f0c2d4-alice', displayName: 'Alice Admin', groups: ['/attest/admins'] }],
    ['bob', { nameId: 'b2e1d3c5-bob', displayName: 'Bob Developer', groups: ['developers'] }],
    ['eve', { nameId: 'e5a4b3c2-eve', displayName: 'Eve Outsider', groups: ['marketing'] }],
  ]);
  /** The attribute the groups travel in (Entra ID's claim URI by default). */
  groupsAttribute = ENTRA_GROUPS_ATTRIBUTE;
  private readonly idp: IdentityProviderInstance;

  constructor(
    readonly key: SamlTestKey = 'idp',
    readonly entityId = SAML_TEST_IDP_ENTITY_ID,
  ) {
    const certificate = readFileSync(samlCertificatePath(key), 'utf8');
    this.idp = IdentityProvider({
      entityID: entityId,
      privateKey: privateKeyOf(key),
      signingCert: certificate,
      singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: SAML_TEST_IDP_SSO_URL }],
      singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${SAML_TEST_IDP_SSO_URL}/logout` }],
    });
  }

  /** Reads the AuthnRequest the browser was redirected with (HTTP-Redirect binding), as the IdP would. */
  async receive(redirectUrl: string, spMetadata: string): Promise<ReceivedAuthnRequest> {
    const url = new URL(redirectUrl);
    if (`${url.origin}${url.pathname}` !== SAML_TEST_IDP_SSO_URL) throw new Error(`redirected to ${url.origin}${url.pathname}, not the IdP`);
    const parsed = await this.idp.parseLoginRequest(ServiceProvider({ metadata: spMetadata }), 'redirect', {
      query: Object.fromEntries(url.searchParams),
      octetString: url.search.slice(1),
    });
    const extract = parsed.extract as { request: { id: string; assertionConsumerServiceUrl: string }; issuer: string };
    return { id: extract.request.id, issuer: extract.issuer, acsUrl: extract.request.assertionConsumerServiceUrl, relayState: url.searchParams.get('RelayState') };
  }

  /** A base64 SAMLResponse for the HTTP-POST binding. */
  async respond(options: SamlResponseOptions): Promise<string> {
    const user = this.users.get(options.user);
    if (!user) throw new Error(`no test user ${options.user}`);
    const sign = options.sign ?? 'assertion';
    const sp = ServiceProvider({ metadata: options.spMetadata });
    const acsUrl = (sp.entityMeta.getAssertionConsumerService(Constants.wording.binding.post) as string | string[]).toString();
    const now = new Date();
    const xml = this.responseXml(user, options, { now, acsUrl, spEntityId: sp.entityMeta.getEntityID() });
    if (sign === 'none') return Buffer.from(xml, 'utf8').toString('base64');
    // Which parts samlify signs follows the SP metadata (WantAssertionsSigned) and the SP's wantMessageSigned.
    const signingSp = ServiceProvider({
      metadata: options.spMetadata.replace(/WantAssertionsSigned="\w+"/, `WantAssertionsSigned="${sign !== 'response'}"`),
      wantMessageSigned: sign !== 'assertion',
    });
    const response = await this.idp.createLoginResponse(signingSp, { extract: {} } as never, 'post', { email: user.nameId }, {
      customTagReplacement: () => ({ id: '', context: xml }),
    });
    return response.context;
  }

  private responseXml(user: SamlTestUser, options: SamlResponseOptions, at: { now: Date; acsUrl: string; spEntityId: string }): string {
    const notOnOrAfter = (options.notOnOrAfter ?? new Date(at.now.getTime() + 5 * 60_000)).toISOString();
    const sessionIndex = `_session-${randomUUID()}`;
    const authn = `<saml:AuthnStatement AuthnInstant="${at.now.toISOString()}" SessionIndex="${sessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
    const attributes = attributeStatement({
      [this.groupsAttribute]: user.groups,
      'http://schemas.microsoft.com/identity/claims/displayname': [user.displayName],
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': [`${user.nameId}@example.com`],
    });
    const template = SamlLib.defaultLoginResponseTemplate.context.replace('{AuthnStatement}', authn).replace('{AttributeStatement}', attributes);
    return SamlLib.replaceTagsByValue(template, {
      ID: `_${randomUUID()}`,
      AssertionID: `_${randomUUID()}`,
      Destination: at.acsUrl,
      Audience: options.audience ?? at.spEntityId,
      SubjectRecipient: options.recipient ?? at.acsUrl,
      Issuer: options.issuer ?? this.entityId,
      IssueInstant: at.now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: (options.notBefore ?? at.now).toISOString(),
      ConditionsNotOnOrAfter: notOnOrAfter,
      SubjectConfirmationDataNotOnOrAfter: notOnOrAfter,
      NameIDFormat: user.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      NameID: user.nameId,
      InResponseTo: options.inResponseTo ?? undefined,
    });
  }
}
