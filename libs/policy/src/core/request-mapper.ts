import type { CedarValueJson, EntityJson } from './cedar';
import type { PolicyRequest } from './policy.types';
import { RequestMappingError, type SchemaShapes } from './schema-shapes';

export interface CedarRequest {
  principal: { type: string; id: string };
  action: { type: 'Action'; id: string };
  resource: { type: string; id: string };
  context: Record<string, CedarValueJson>;
  entities: EntityJson[];
}

const PRINCIPAL_TYPE = { user: 'User', service: 'Service' } as const;

/** `audit_log` → `AuditLog`: request resource types are snake_case, Cedar entity types PascalCase. */
export function entityTypeOf(resourceType: string): string {
  return resourceType
    .split(/[_-]/)
    .filter((word) => word !== '')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * Turns the gateway's request into a Cedar request with its entities: the principal (parents: its groups), the
 * resource, and the context, each converted by the bundle's schema.
 */
export function toCedarRequest(request: PolicyRequest, shapes: SchemaShapes): CedarRequest {
  const { principal, resource, context } = request;
  const principalType = PRINCIPAL_TYPE[principal.kind] as string | undefined;
  if (!principalType) throw new RequestMappingError(`principal.kind: expected user or service`);
  const principalShape = shapes.entities.get(principalType);
  if (!principalShape) throw new RequestMappingError(`the policy schema declares no ${principalType} entity`);
  if (typeof principal.id !== 'string' || principal.id === '') throw new RequestMappingError('principal.id: expected a non-empty string');

  const groups = Array.isArray(principal.groups) ? principal.groups : [];
  const groupParents = principalShape.memberOfTypes.includes('Group')
    ? groups.filter((group): group is string => typeof group === 'string').map((id) => ({ type: 'Group', id }))
    : [];
  const entities: EntityJson[] = groupParents.map((uid) => ({ uid, attrs: {}, parents: [] }));
  const principalUid = { type: principalType, id: principal.id };
  entities.push({
    uid: principalUid,
    attrs: shapes.convertRecord(principalShape.attributes, principal, 'principal'),
    parents: groupParents,
  });

  const resourceType = entityTypeOf(String(resource.type));
  const resourceShape = shapes.entities.get(resourceType);
  if (!resourceShape) throw new RequestMappingError(`resource.type: the policy schema declares no ${resourceType} entity`);
  const resourceUid = { type: resourceType, id: resourceId(request.resource) };
  entities.push({ uid: resourceUid, attrs: shapes.convertRecord(resourceShape.attributes, resource, 'resource'), parents: [] });

  const contextAttributes = shapes.actionContexts.get(request.action);
  if (!contextAttributes) throw new RequestMappingError(`action: the policy schema declares no action "${request.action}"`);
  return {
    principal: principalUid,
    action: { type: 'Action', id: request.action },
    resource: resourceUid,
    context: shapes.convertRecord(contextAttributes, context, 'context'),
    entities,
  };
}

function resourceId(resource: PolicyRequest['resource']): string {
  if (typeof resource.id === 'string' && resource.id !== '') return resource.id;
  if (typeof resource['name'] === 'string' && typeof resource['version'] === 'string') return `${resource['name']}@${resource['version']}`;
  throw new RequestMappingError('resource.id: expected a non-empty string (or name and version for a model)');
}
