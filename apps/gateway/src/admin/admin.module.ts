import { GovernanceModule } from '@attest/governance/nest';
import { PolicyModule } from '@attest/policy/nest';
import { RegistryModule } from '@attest/registry/nest';
import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { DataSubjectsController } from './data-subjects.controller';
import { AuditConsoleController } from './audit-console.controller';
import { AuditConsoleService } from './audit-console.service';
import { AuditExportService } from './audit-export.service';
import { AuditJobsController } from './audit-jobs.controller';
import { AuditJobsService } from './audit-jobs.service';
import { AuditRetentionController } from './audit-retention.controller';
import { ModelsController } from './models.controller';
import { PoliciesController } from './policies.controller';
import { SignInController } from './sign-in.controller';
import { PortalStaticServer } from './portal-static';
import { SameOriginGuard } from './same-origin.guard';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';
import { SavedSearchesController } from './saved-searches.controller';
import { SavedSearchService } from './saved-search.service';
import { PeopleController } from './people.controller';

/**
 * The portal's HTTP API (/api/admin/*, /api/audit/*) and the built portal itself (/portal). Controllers only delegate to the libs'
 * services; authentication and roles come from `@Authenticated`. Needs the global IdentityModule and AuditModule.
 *
 * @example
 * imports: [DatabaseModule.forConnection(connection), AuditModule, IdentityModule, RegistryModule, PolicyModule, AdminModule]
 */
@Module({
  imports: [RegistryModule, PolicyModule, GovernanceModule],
  controllers: [SignInController, ApiKeysController, ModelsController, PoliciesController, AuditConsoleController, AuditJobsController, DataSubjectsController, DashboardController, SavedSearchesController, AuditRetentionController, PeopleController],
  providers: [SameOriginGuard, PortalStaticServer, AuditConsoleService, AuditExportService, AuditJobsService, DashboardService, SavedSearchService],
})
export class AdminModule {}
