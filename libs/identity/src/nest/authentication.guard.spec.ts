import { AUDIT_RECORDER } from '@attest/contracts';
import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import { type ArgumentsHost, Catch, Controller, type DynamicModule, type ExceptionFilter, Get, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { adminActor, resetIdentityTables, testConfig } from '../../test/factories';
import { RecordingAuditRecorder } from '../../test/recording-audit-recorder';
import { IdentityError } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import { ApiKeyService } from './api-key.service';
import { Authenticated, CurrentPrincipal, Public } from './authenticated.decorator';
import { authorizationRuleOf } from './authenticated.metadata';
import { AuthController } from './auth.controller';
import { AuthenticationGuard } from './authentication.guard';
import { IdentityModule } from './identity.module';

@Controller('probe')
class ProbeController {
  @Get('chat')
  @Authenticated({ action: 'chat' })
  chat(@CurrentPrincipal() principal: Principal): { id: string; keyId?: string } {
    return { id: principal.id, keyId: principal.keyId };
  }

  @Get('admin')
  @Authenticated({ roles: ['admin'] })
  admin(): { ok: true } {
    return { ok: true };
  }

  @Get('public')
  @Public()
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('forgotten')
  forgotten(): { ok: true } {
    return { ok: true };
  }
}

@Authenticated({ roles: ['auditor'] })
@Controller('audit')
class AuditProbeController {
  @Get()
  read(): { ok: true } {
    return { ok: true };
  }
}

/** Stands in for the gateway's filter: IdentityError code → status. */
@Catch(IdentityError)
class IdentityErrorFilter implements ExceptionFilter {
  catch(error: IdentityError, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().status(error.httpStatus).send({ code: error.code, message: error.message });
  }
}

@Module({})
class EdgesModule {
  static with(dataSource: DataSource, audit: RecordingAuditRecorder): DynamicModule {
    return {
      module: EdgesModule,
      global: true,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: AUDIT_RECORDER, useValue: audit },
      ],
      exports: [DataSource, AUDIT_RECORDER],
    };
  }
}

describe(AuthenticationGuard.name, () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let keys: ApiKeyService;
  const audit = new RecordingAuditRecorder();

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [EdgesModule.with(db.dataSource, audit), IdentityModule.forRoot({ config: testConfig() })],
      controllers: [ProbeController, AuditProbeController],
      providers: [{ provide: APP_FILTER, useClass: IdentityErrorFilter }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    keys = app.get(ApiKeyService);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });
  beforeEach(() => resetIdentityTables(db.dataSource));

  const get = (url: string, key?: string) =>
    app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('lets a key in, and hands the principal to the handler', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['developer'], actions: ['chat'] }, adminActor());
    const response = await get('/probe/chat', key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: record.principalId, keyId: record.id });
  });

  it('answers 401 without a credential and 403 for the wrong role or action', async () => {
    const { key } = await keys.create({ name: 'ci', roles: ['developer'], actions: ['embeddings'] }, adminActor());
    expect((await get('/probe/chat')).statusCode).toBe(401);
    expect((await get('/probe/chat', key)).json()).toMatchObject({ code: 'ACTION_NOT_IN_SCOPE' });
    expect((await get('/probe/admin', key)).statusCode).toBe(403);
  });

  it('applies a class-level rule to every route of the controller', async () => {
    const auditor = await keys.create({ name: 'auditor', roles: ['auditor'] }, adminActor());
    const developer = await keys.create({ name: 'dev', roles: ['developer'] }, adminActor());
    expect((await get('/audit', auditor.key)).statusCode).toBe(200);
    expect((await get('/audit', developer.key)).statusCode).toBe(403);
  });

  it('leaves undecorated routes public', async () => {
    expect((await get('/probe/public')).statusCode).toBe(200);
  });

  it('tells the route table which rule each route declares, and which declare none', () => {
    expect(authorizationRuleOf(ProbeController, 'chat')).toEqual({ action: 'chat' });
    expect(authorizationRuleOf(ProbeController, 'open')).toBe('public');
    expect(authorizationRuleOf(ProbeController, 'forgotten')).toBeUndefined();
    expect(authorizationRuleOf(AuditProbeController, 'read')).toEqual({ roles: ['auditor'] });
    for (const handler of ['login', 'callback', 'logout', 'backchannelLogout', 'me']) expect(authorizationRuleOf(AuthController, handler)).toBeDefined();
  });

  it('answers the sign-in routes with 404 while single sign-on is not configured', async () => {
    expect((await get('/auth/login')).statusCode).toBe(404);
  });

  it('refuses a key revoked a moment ago', async () => {
    const { key, record } = await keys.create({ name: 'ci', roles: ['admin'] }, adminActor());
    expect((await get('/probe/admin', key)).statusCode).toBe(200);
    await keys.revoke(record.id, adminActor());
    const response = await get('/probe/admin', key);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'KEY_REVOKED' });
  });
});
