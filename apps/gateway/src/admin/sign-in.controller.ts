import { sessionCookie } from '@attest/identity';
import { Public, RateLimited, SAML_LOGIN_SERVICE, type SamlLoginService, SESSION_SERVICE, type SessionService } from '@attest/identity/nest';
import { Body, Controller, Get, Header, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { factsOf, parseBody } from './admin-http';
import { apiKeySignInBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

/** The principal summary the portal shows after sign-in (the same shape as /auth/me). */
export interface SignedInPrincipal {
  id: string;
  kind: string;
  displayName: string;
  roles: string[];
  groups: string[];
  authMethod: string;
}

/** What the portal's sign-in page may offer, and sign-in with an API key. Public on purpose: asked before anyone is signed in. */
@Controller('api/admin')
export class SignInController {
  constructor(
    @Inject(SESSION_SERVICE) private readonly sessions: SessionService,
    @Inject(SAML_LOGIN_SERVICE) private readonly saml: SamlLoginService,
  ) {}

  @Get('sign-in')
  @Public()
  @Header('cache-control', 'no-store')
  methods(): { sso: boolean; saml: boolean; apiKey: boolean } {
    // SSO needs the IdP client (ATTEST_OIDC_*), SAML its IdP (ATTEST_SAML_*); an API key (the bootstrap admin key on a
    // zero-config start) always works.
    return { sso: this.sessions.ssoConfigured, saml: this.saml.configured, apiKey: true };
  }

  /**
   * Exchanges an API key for the HttpOnly session cookie the OIDC callback sets, so the browser never keeps the key.
   * SameOriginGuard: a cross-site form cannot sign a browser in to an attacker's account (login CSRF).
   */
  @Post('session')
  @Public()
  @UseGuards(SameOriginGuard)
  @RateLimited('sign_in')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async signIn(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SignedInPrincipal> {
    const { apiKey } = parseBody(apiKeySignInBodySchema, body);
    const session = await this.sessions.createFromApiKey(apiKey, factsOf(request));
    void reply.header('set-cookie', sessionCookie(session.sessionToken, session.ttlMs));
    const { principal } = session;
    return { id: principal.id, kind: principal.kind, displayName: principal.displayName, roles: principal.roles, groups: principal.groups, authMethod: principal.authMethod };
  }
}
