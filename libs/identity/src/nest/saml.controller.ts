import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie } from '../core/credentials';
import { clearedSamlLoginCookie, SAML_LOGIN_COOKIE_NAME, samlLoginCookie } from '../core/saml/saml-cookies';
import { sessionCookie } from '../core/session-cookies';
import { Public } from './authenticated.decorator';
import { RateLimited } from './rate-limiter';
import { SamlLoginService } from './saml-login.service';
import type { RequestFacts } from './session.service';

export const SAML_LOGIN_SERVICE = Symbol.for('attest.SamlLoginService');

function factsOf(request: FastifyRequest): RequestFacts {
  const userAgent = request.headers['user-agent'];
  return { sourceIp: request.ip, ...(userAgent ? { userAgent } : {}) };
}

/** The HTTP-POST binding's form field (saml-bindings §3.5.4); anything else is left to the service to refuse. */
function samlResponseOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['SAMLResponse'] : undefined;
}

/**
 * Portal sign-in with a SAML 2.0 IdP, beside the OIDC routes under /auth: the AuthnRequest (HTTP-Redirect binding),
 * the assertion consumer service (HTTP-POST binding, a form post from the IdP's page) and the SP metadata.
 */
@Controller('auth/saml')
export class SamlController {
  constructor(@Inject(SAML_LOGIN_SERVICE) private readonly saml: SamlLoginService) {}

  @Get('login')
  @Public()
  @RateLimited('sign_in')
  async login(@Query('returnTo') returnTo: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const { redirectUrl, browserToken } = await this.saml.startLogin(returnTo);
    await reply.header('set-cookie', samlLoginCookie(browserToken)).header('cache-control', 'no-store').redirect(redirectUrl, 302);
  }

  /** 303: the browser follows a POST's redirect with a GET (RFC 9110 §15.4.4). */
  @Post('acs')
  @Public()
  @RateLimited('sign_in')
  async acs(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const login = await this.saml.completeLogin(samlResponseOf(body), readCookie(request.headers.cookie, SAML_LOGIN_COOKIE_NAME), factsOf(request));
    await reply
      .header('set-cookie', [sessionCookie(login.sessionToken, login.ttlMs), clearedSamlLoginCookie()])
      .header('cache-control', 'no-store')
      .redirect(login.returnTo, 303);
  }

  @Get('metadata')
  @Public()
  async metadata(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('content-type', 'application/samlmetadata+xml; charset=utf-8').header('cache-control', 'no-cache').send(this.saml.metadata());
  }
}
