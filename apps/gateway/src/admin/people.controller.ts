import { AdminActGate } from '@attest/governance/nest';
import { type Principal, type RoleMappingPreview, testLoginCookie } from '@attest/identity';
import {
  Authenticated,
  CurrentPrincipal,
  DirectoryService,
  type GroupsView,
  type PrincipalPage,
  RateLimited,
  type RoleMappingView,
  SsoTestLoginService,
  type TestLoginResult,
} from '@attest/identity/nest';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actFactsOf, tenantResource } from './admin-acts';
import { parseBody } from './admin-http';
import { previewRoleMappingBodySchema } from './admin-requests';
import { SameOriginGuard } from './same-origin.guard';

/** Query of `GET /api/admin/principals`: a keyset cursor from the previous page, the page size, a search text. */
export const principalListQuerySchema = z.object({
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/, 'a cursor from the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().trim().max(200).optional(),
});

/**
 * The portal's people page: principals, groups, the role-mapping rules (configuration, read-only here), a preview of
 * the mapping for pasted claims, and the SSO test login. Admins only; the active policy decides each call as
 * `read_identity` on the tenant's directory.
 */
@Controller('api/admin')
@UseGuards(SameOriginGuard)
@Authenticated({ roles: ['admin'] })
export class PeopleController {
  constructor(
    private readonly directory: DirectoryService,
    private readonly testLogins: SsoTestLoginService,
    private readonly acts: AdminActGate,
  ) {}

  private authorize(principal: Principal, request: FastifyRequest): Promise<unknown> {
    return this.acts.authorize({ principal, action: 'read_identity', resource: tenantResource('directory', principal.tenant), facts: actFactsOf(request) });
  }

  @Get('principals')
  @Header('cache-control', 'no-store')
  async principals(@CurrentPrincipal() principal: Principal, @Query() query: unknown, @Req() request: FastifyRequest): Promise<PrincipalPage> {
    const { cursor, limit, q } = parseBody(principalListQuerySchema, query);
    await this.authorize(principal, request);
    return this.directory.listPrincipals(principal.tenant, { limit, ...(cursor ? { cursor } : {}), ...(q ? { q } : {}) });
  }

  @Get('groups')
  @Header('cache-control', 'no-store')
  async groups(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<GroupsView> {
    await this.authorize(principal, request);
    return this.directory.listGroups(principal.tenant);
  }

  @Get('role-mapping')
  @Header('cache-control', 'no-store')
  async roleMapping(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RoleMappingView> {
    await this.authorize(principal, request);
    return this.directory.roleMapping();
  }

  /** Pure: the sign-in's own mapping on the pasted claims; nothing is stored or recorded. */
  @Post('role-mapping/preview')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async preview(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: FastifyRequest): Promise<RoleMappingPreview> {
    const { claims } = parseBody(previewRoleMappingBodySchema, body);
    await this.authorize(principal, request);
    return this.directory.preview(claims);
  }

  /**
   * Starts an SSO test login for the caller's portal session: the answer names the IdP URL the portal sends the
   * browser to, and a cookie binds the callback to this browser. A POST with the anti-CSRF header, so another site
   * cannot start one.
   */
  @Post('role-mapping/test-login')
  @RateLimited('sign_in')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async startTestLogin(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ authorizationUrl: string }> {
    await this.authorize(principal, request);
    const { authorizationUrl, state } = await this.testLogins.start(principal);
    void reply.header('set-cookie', testLoginCookie(state));
    return { authorizationUrl };
  }

  /** The claims of a finished test login and the roles they map to; only for the session that ran it, for 5 minutes. */
  @Get('role-mapping/test-login/:id')
  @Header('cache-control', 'no-store')
  async testLoginResult(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: FastifyRequest): Promise<TestLoginResult> {
    await this.authorize(principal, request);
    return this.testLogins.result(principal, id);
  }
}
