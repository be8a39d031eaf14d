import type { PolicyAdminResource, PolicyResource } from '@attest/policy';
import type { VersionRef } from '@attest/registry';
import type { ModelRegistryService, VersionRecord } from '@attest/registry/nest';
import type { FastifyRequest } from 'fastify';
import { factsOf } from './admin-http';

/** Who asked, from where, under which request id: what an admin act's policy decision and audit event need. */
export function actFactsOf(request: FastifyRequest): { requestId: string; sourceIp?: string; userAgent?: string } {
  return { requestId: request.id, ...factsOf(request) };
}

/** A registry version as the schema's `Model` entity, with `registeredBy` so the four-eyes forbid can see it. */
export function modelEntityOf(version: VersionRecord): PolicyResource {
  return {
    type: 'model',
    name: version.model,
    version: String(version.version),
    domain: version.domain,
    audience: version.audience,
    deployment: version.deployment,
    dataClassification: version.dataClassification,
    status: version.status,
    tenant: version.tenant,
    registeredBy: version.registeredBy,
  };
}

/**
 * The version an act names, as a policy resource; undefined when it does not exist (the registry then answers 404
 * itself, and nothing was changed that a decision would have had to cover).
 */
export async function findModelEntity(registry: ModelRegistryService, tenant: string, ref: VersionRef): Promise<PolicyResource | undefined> {
  const version = await registry.findVersion(tenant, ref);
  return version ? modelEntityOf(version) : undefined;
}

/** A tenant-owned admin resource (`audit_log`, `api_key`, `policy_bundle`, `model_alias`). */
export function tenantResource(type: string, tenant: string, id: string = tenant): PolicyAdminResource {
  return { type, id, tenant };
}
