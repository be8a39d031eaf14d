import { AUDIT_RECORDER, type AuditRecorder } from '@attest/contracts';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdentityConfig } from '../../core/identity.config';
import { IDENTITY_CONFIG } from '../identity.tokens';
import { PrincipalLifecycleService } from '../principal-lifecycle.service';
import { ScimDiscoveryController, ScimGroupsController, ScimUsersController } from './scim.controller';
import { ScimGroupsService } from './scim-groups.service';
import { ScimTokenGuard } from './scim-token.guard';
import { ScimUsersService } from './scim-users.service';

/**
 * SCIM 2.0 provisioning at /scim/v2 (RFC 7643/7644) for Okta, Entra ID and other IdPs. Needs IdentityModule (config,
 * PrincipalLifecycleService), the TypeORM DataSource and an AUDIT_RECORDER; off (404) until ATTEST_SCIM_TOKEN is set.
 *
 * @example
 * imports: [DatabaseModule.forConnection(connection), AuditModule, IdentityModule, ScimModule]
 */
@Module({
  controllers: [ScimDiscoveryController, ScimUsersController, ScimGroupsController],
  providers: [
    ScimTokenGuard,
    {
      provide: ScimUsersService,
      inject: [DataSource, AUDIT_RECORDER, PrincipalLifecycleService, IDENTITY_CONFIG],
      useFactory: (dataSource: DataSource, audit: AuditRecorder, lifecycle: PrincipalLifecycleService, config: IdentityConfig) =>
        new ScimUsersService(dataSource, audit, lifecycle, config),
    },
    {
      provide: ScimGroupsService,
      inject: [DataSource, AUDIT_RECORDER, IDENTITY_CONFIG],
      useFactory: (dataSource: DataSource, audit: AuditRecorder, config: IdentityConfig) => new ScimGroupsService(dataSource, audit, config),
    },
  ],
  exports: [ScimUsersService, ScimGroupsService],
})
export class ScimModule {}
