import { AUDIT_RECORDER, type AuditRecorder } from '@attest/contracts';
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { identityConfig, type IdentityConfig } from '../core/identity.config';
import { ApiKeyService } from './api-key.service';
import { AuthenticationGuard } from './authentication.guard';
import { AuthenticationService } from './authentication.service';
import { AuthController, SESSION_SERVICE } from './auth.controller';
import { PrincipalLifecycleService } from './principal-lifecycle.service';
import { createApiKeyService, createAuthenticationService, createSessionService, createSsoTestLoginService } from './identity.factory';
import type { SessionService } from './session.service';
import { DirectoryService } from './directory.service';
import { SsoTestLoginService } from './sso-test-login.service';
import type { SamlLoginService } from './saml-login.service';
import { IDENTITY_CONFIG } from './identity.tokens';
import { RateLimiter, RateLimitGuard } from './rate-limiter';
import { SamlController, SAML_LOGIN_SERVICE } from './saml.controller';
import { createSamlLoginService } from './saml.factory';

export { IDENTITY_CONFIG };

export interface IdentityModuleOptions {
  /** Defaults to identityConfig.load() (the process environment). */
  config?: IdentityConfig;
  now?: () => Date;
  fetch?: typeof fetch;
}

const IDENTITY_MODULE_OPTIONS = Symbol.for('attest.IdentityModuleOptions');

/** The factories read {@link IdentityModuleOptions} from one provider that forRoot overrides. */
const PROVIDERS: Provider[] = [
  { provide: IDENTITY_MODULE_OPTIONS, useValue: {} },
  {
    provide: IDENTITY_CONFIG,
    inject: [IDENTITY_MODULE_OPTIONS],
    useFactory: (options: IdentityModuleOptions) => options.config ?? identityConfig.load(),
  },
  {
    provide: ApiKeyService,
    inject: [DataSource, AUDIT_RECORDER, IDENTITY_CONFIG, IDENTITY_MODULE_OPTIONS],
    useFactory: (dataSource: DataSource, audit: AuditRecorder, config: IdentityConfig, options: IdentityModuleOptions) =>
      createApiKeyService({ dataSource, audit, config, ...(options.now ? { now: options.now } : {}) }),
  },
  {
    provide: SESSION_SERVICE,
    inject: [DataSource, AUDIT_RECORDER, IDENTITY_CONFIG, IDENTITY_MODULE_OPTIONS],
    useFactory: (dataSource: DataSource, audit: AuditRecorder, config: IdentityConfig, options: IdentityModuleOptions) =>
      createSessionService({ dataSource, audit, config, ...(options.now ? { now: options.now } : {}) }),
  },
  {
    provide: AuthenticationService,
    inject: [DataSource, AUDIT_RECORDER, IDENTITY_CONFIG, SESSION_SERVICE, IDENTITY_MODULE_OPTIONS],
    useFactory: (dataSource: DataSource, audit: AuditRecorder, config: IdentityConfig, sessions: SessionService, options: IdentityModuleOptions) =>
      createAuthenticationService({
        dataSource,
        audit,
        config,
        sessions,
        ...(options.now ? { now: options.now } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
  },
  {
    provide: SAML_LOGIN_SERVICE,
    inject: [DataSource, AUDIT_RECORDER, IDENTITY_CONFIG, IDENTITY_MODULE_OPTIONS],
    useFactory: (dataSource: DataSource, audit: AuditRecorder, config: IdentityConfig, options: IdentityModuleOptions) =>
      createSamlLoginService({ dataSource, audit, config, ...(options.now ? { now: options.now } : {}) }),
  },
  {
    provide: PrincipalLifecycleService,
    inject: [DataSource, AUDIT_RECORDER, IDENTITY_MODULE_OPTIONS],
    useFactory: (dataSource: DataSource, audit: AuditRecorder, options: IdentityModuleOptions) =>
      new PrincipalLifecycleService(dataSource, audit, options.now),
  },
  // The admin portal's people page: the directory (read-only) and the SSO test login.
  {
    provide: SsoTestLoginService,
    inject: [DataSource, AUDIT_RECORDER, IDENTITY_CONFIG, SESSION_SERVICE, IDENTITY_MODULE_OPTIONS],
    useFactory: (dataSource: DataSource, audit: AuditRecorder, config: IdentityConfig, sessions: SessionService, options: IdentityModuleOptions) =>
      createSsoTestLoginService({ dataSource, audit, config, sessions, ...(options.now ? { now: options.now } : {}) }),
  },
  {
    provide: DirectoryService,
    inject: [DataSource, IDENTITY_CONFIG, SESSION_SERVICE, SAML_LOGIN_SERVICE],
    useFactory: (dataSource: DataSource, config: IdentityConfig, sessions: SessionService, saml: SamlLoginService) =>
      new DirectoryService(dataSource, config, { oidcLogin: sessions.ssoConfigured, saml: saml.configured }),
  },
  AuthenticationGuard,
  RateLimiter,
  RateLimitGuard,
];

const EXPORTS = [IDENTITY_CONFIG, SESSION_SERVICE, SAML_LOGIN_SERVICE, ApiKeyService, AuthenticationService, PrincipalLifecycleService, AuthenticationGuard, RateLimiter, RateLimitGuard, SsoTestLoginService, DirectoryService];

/**
 * Global: provides AuthenticationService, ApiKeyService, the guard behind `@Authenticated`, and the /auth routes of
 * portal sign-in (the OIDC login answers 404 until the IdP client is configured; API-key sign-in always works). Needs the TypeORM
 * DataSource (DatabaseModule) and an AUDIT_RECORDER provider (the audit lib) in the application.
 *
 * @example
 * imports: [DatabaseModule.forConnection(connection), AuditModule, IdentityModule]
 */
@Global()
@Module({ controllers: [AuthController, SamlController], providers: PROVIDERS, exports: EXPORTS })
export class IdentityModule {
  /** The same module with explicit configuration (tests); a dynamic provider replaces the static one of its token. */
  static forRoot(options: IdentityModuleOptions): DynamicModule {
    return { module: IdentityModule, global: true, providers: [{ provide: IDENTITY_MODULE_OPTIONS, useValue: options }] };
  }
}
