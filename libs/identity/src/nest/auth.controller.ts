import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE_NAME } from '../core/credentials';
import type { Principal } from '../core/principal';
import { clearedCookie, LOGIN_COOKIE_NAME, loginCookie, sessionCookie, TEST_LOGIN_COOKIE_NAME } from '../core/session-cookies';
import { Authenticated, CurrentPrincipal, Public } from './authenticated.decorator';
import { RateLimited } from './rate-limiter';
import { SessionService, type RequestFacts } from './session.service';
import { SsoTestLoginService } from './sso-test-login.service';

export const SESSION_SERVICE = Symbol.for('attest.SessionService');

function factsOf(request: FastifyRequest): RequestFacts {
  const userAgent = request.headers['user-agent'];
  return { sourceIp: request.ip, ...(userAgent ? { userAgent } : {}) };
}

function queryOf(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index < 0 ? '' : request.url.slice(index + 1);
}

/** Portal sign-in with the enterprise IdP (OpenID Connect code flow + PKCE) and sign-out. */
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(SESSION_SERVICE) private readonly sessions: SessionService,
    private readonly testLogins: SsoTestLoginService,
  ) {}

  @Get('login')
  @Public()
  @RateLimited('sign_in')
  async login(@Query('returnTo') returnTo: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const { authorizationUrl, state } = await this.sessions.startLogin(returnTo);
    await reply.header('set-cookie', loginCookie(state)).header('cache-control', 'no-store').redirect(authorizationUrl, 302);
  }

  @Get('callback')
  @Public()
  @RateLimited('sign_in')
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // The IdP knows one redirect URI: an admin's SSO test login comes back here too, and opens no session.
    const testState = readCookie(request.headers.cookie, TEST_LOGIN_COOKIE_NAME);
    if (SsoTestLoginService.isTestCallback(queryOf(request), testState)) {
      const sessionToken = readCookie(request.headers.cookie, SESSION_COOKIE_NAME);
      const { redirectTo } = await this.testLogins.complete(queryOf(request), testState, sessionToken, factsOf(request));
      await reply.header('set-cookie', clearedCookie(TEST_LOGIN_COOKIE_NAME)).header('cache-control', 'no-store').redirect(redirectTo, 302);
      return;
    }
    const login = await this.sessions.completeLogin(queryOf(request), readCookie(request.headers.cookie, LOGIN_COOKIE_NAME), factsOf(request));
    await reply
      .header('set-cookie', [sessionCookie(login.sessionToken, login.ttlMs), clearedCookie(LOGIN_COOKIE_NAME)])
      .header('cache-control', 'no-store')
      .redirect(login.returnTo, 302);
  }

  /** POST, so a cross-site link cannot sign anyone out; 303 sends the browser on to the IdP's end-session page. */
  @Post('logout')
  @Public()
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { redirectTo } = await this.sessions.logout(readCookie(request.headers.cookie, SESSION_COOKIE_NAME), factsOf(request));
    await reply.header('set-cookie', clearedCookie(SESSION_COOKIE_NAME)).redirect(redirectTo, 303);
  }

  /** OpenID Connect Back-Channel Logout 1.0 §2.8: 200 when processed, 400 when the logout token is not acceptable. */
  @Post('backchannel-logout')
  @Public()
  @Header('cache-control', 'no-store')
  @HttpCode(200)
  async backchannelLogout(@Body() body: { logout_token?: unknown } | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ ended?: number; error?: string }> {
    const token = typeof body?.logout_token === 'string' ? body.logout_token : '';
    try {
      return { ended: await this.sessions.backchannelLogout(token) };
    } catch {
      void reply.status(400);
      return { error: 'invalid_request' };
    }
  }

  @Get('me')
  @Authenticated()
  me(@CurrentPrincipal() principal: Principal): Pick<Principal, 'id' | 'kind' | 'displayName' | 'roles' | 'groups' | 'authMethod'> {
    return { id: principal.id, kind: principal.kind, displayName: principal.displayName, roles: principal.roles, groups: principal.groups, authMethod: principal.authMethod };
  }
}
