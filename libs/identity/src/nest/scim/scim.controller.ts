import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityConfig } from '../../core/identity.config';
import { resourceTypes, schemas, serviceProviderConfig } from '../../core/scim/scim-discovery';
import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import { toGroupResource } from '../../core/scim/scim-group';
import { listResponse, parseListQuery, type ScimListParameters, type ScimListResponse } from '../../core/scim/scim-list';
import { toUserResource } from '../../core/scim/scim-user';
import { IDENTITY_CONFIG } from '../identity.tokens';
import { ScimGroupsService } from './scim-groups.service';
import { scimActorOf, ScimTokenAuthenticated } from './scim-token.guard';
import { ScimUsersService } from './scim-users.service';

const SCIM_JSON = 'application/scim+json; charset=utf-8';

/** `<ATTEST_PUBLIC_URL>/scim/v2`: where resources say they live (`meta.location`). */
function scimBaseUrl(config: IdentityConfig): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/scim/v2`;
}

type Resource = Record<string, unknown>;

/** RFC 7644 §4: what this service provider supports (IdPs read it when the connection is set up). */
@Controller('scim/v2')
@ScimTokenAuthenticated()
export class ScimDiscoveryController {
  private readonly baseUrl: string;

  constructor(@Inject(IDENTITY_CONFIG) config: IdentityConfig) {
    this.baseUrl = scimBaseUrl(config);
  }

  @Get('ServiceProviderConfig')
  @Header('content-type', SCIM_JSON)
  serviceProviderConfig(): Resource {
    return serviceProviderConfig(this.baseUrl);
  }

  @Get('ResourceTypes')
  @Header('content-type', SCIM_JSON)
  resourceTypes(): ScimListResponse {
    const all = resourceTypes(this.baseUrl);
    return listResponse(all, all.length, 1);
  }

  @Get('ResourceTypes/:id')
  @Header('content-type', SCIM_JSON)
  resourceType(@Param('id') id: string): Resource {
    const found = resourceTypes(this.baseUrl).find((type) => type['id'] === id);
    if (!found) throw new ScimError(ScimErrorCode.NotFound, 'No such resource type.');
    return found;
  }

  @Get('Schemas')
  @Header('content-type', SCIM_JSON)
  schemas(): ScimListResponse {
    const all = schemas(this.baseUrl);
    return listResponse(all, all.length, 1);
  }

  @Get('Schemas/:id')
  @Header('content-type', SCIM_JSON)
  schema(@Param('id') id: string): Resource {
    const found = schemas(this.baseUrl).find((schema) => schema['id'] === id);
    if (!found) throw new ScimError(ScimErrorCode.NotFound, 'No such schema.');
    return found;
  }
}

/** RFC 7644 §3 on Users: create, read, list with filter, replace, patch (Okta's and Entra's dialects), delete. */
@Controller('scim/v2/Users')
@ScimTokenAuthenticated()
export class ScimUsersController {
  private readonly baseUrl: string;

  constructor(
    private readonly users: ScimUsersService,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
  ) {
    this.baseUrl = scimBaseUrl(config);
  }

  @Get()
  @Header('content-type', SCIM_JSON)
  async list(@Query() query: ScimListParameters): Promise<ScimListResponse> {
    const parsed = parseListQuery(query);
    const { total, users } = await this.users.list(parsed);
    return listResponse(users.map((user) => toUserResource(user, this.baseUrl, parsed.excluded)), total, parsed.startIndex);
  }

  @Get(':id')
  @Header('content-type', SCIM_JSON)
  async get(@Param('id') id: string, @Query() query: ScimListParameters): Promise<Resource> {
    return toUserResource(await this.users.get(id), this.baseUrl, parseListQuery({ excludedAttributes: query.excludedAttributes }).excluded);
  }

  @Post()
  @Header('content-type', SCIM_JSON)
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Resource> {
    const user = await this.users.create(body, scimActorOf(request));
    void reply.header('location', `${this.baseUrl}/Users/${user.id}`);
    return toUserResource(user, this.baseUrl);
  }

  @Put(':id')
  @Header('content-type', SCIM_JSON)
  async replace(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<Resource> {
    return toUserResource(await this.users.replace(id, body, scimActorOf(request)), this.baseUrl);
  }

  @Patch(':id')
  @Header('content-type', SCIM_JSON)
  async patch(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<Resource> {
    return toUserResource(await this.users.patch(id, body, scimActorOf(request)), this.baseUrl);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() request: FastifyRequest): Promise<void> {
    await this.users.delete(id, scimActorOf(request));
  }
}

/** RFC 7644 §3 on Groups: create, read, list with filter, replace, patch members (both dialects), delete. */
@Controller('scim/v2/Groups')
@ScimTokenAuthenticated()
export class ScimGroupsController {
  private readonly baseUrl: string;

  constructor(
    private readonly groups: ScimGroupsService,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
  ) {
    this.baseUrl = scimBaseUrl(config);
  }

  @Get()
  @Header('content-type', SCIM_JSON)
  async list(@Query() query: ScimListParameters): Promise<ScimListResponse> {
    const parsed = parseListQuery(query);
    const { total, groups } = await this.groups.list(parsed);
    return listResponse(groups.map((group) => toGroupResource(group, this.baseUrl, parsed.excluded)), total, parsed.startIndex);
  }

  @Get(':id')
  @Header('content-type', SCIM_JSON)
  async get(@Param('id') id: string, @Query() query: ScimListParameters): Promise<Resource> {
    return toGroupResource(await this.groups.get(id), this.baseUrl, parseListQuery({ excludedAttributes: query.excludedAttributes }).excluded);
  }

  @Post()
  @Header('content-type', SCIM_JSON)
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Resource> {
    const group = await this.groups.create(body, scimActorOf(request));
    void reply.header('location', `${this.baseUrl}/Groups/${group.id}`);
    return toGroupResource(group, this.baseUrl);
  }

  @Put(':id')
  @Header('content-type', SCIM_JSON)
  async replace(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<Resource> {
    return toGroupResource(await this.groups.replace(id, body, scimActorOf(request)), this.baseUrl);
  }

  @Patch(':id')
  @Header('content-type', SCIM_JSON)
  async patch(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest): Promise<Resource> {
    return toGroupResource(await this.groups.patch(id, body, scimActorOf(request)), this.baseUrl);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() request: FastifyRequest): Promise<void> {
    await this.groups.delete(id, scimActorOf(request));
  }
}
