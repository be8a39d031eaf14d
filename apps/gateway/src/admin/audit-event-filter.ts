import type { AuditLeaf } from '@attest/audit';

/** An auditor's search; every field optional. Times are ISO 8601 instants, compared with the server timestamp (UTC). */
export interface AuditEventFilter {
  /** Action, or a prefix ending in `.` (`api_key.`). */
  action?: string;
  outcome?: string;
  /** Principal id as recorded (`actor.principalId`). */
  actor?: string;
  requestId?: string;
  /** Inclusive lower bound. */
  from?: string;
  /** Exclusive upper bound. */
  to?: string;
  /** A team (an identity group) of the actor. */
  team?: string;
  /** The model the event names (`resource.name` of a `model` or `model_version` resource). */
  model?: string;
  modelVersion?: string;
  /** The policy decision recorded in the event. */
  decision?: 'allow' | 'deny';
  /** A policy id among those that decided the event (`policy.policyIds`). */
  policyId?: string;
  /** A PII type found in the event's content (`pii` counts). */
  piiType?: string;
}

/** Filters that only the event's bytes answer (no column beside the event carries them). */
const CONTENT_FILTERS = ['team', 'model', 'modelVersion', 'decision', 'policyId', 'piiType'] as const;

export function hasContentFilter(filter: AuditEventFilter): boolean {
  return CONTENT_FILTERS.some((name) => filter[name] !== undefined);
}

/**
 * Facts a filter needs beyond the event: the principals whose identity groups hold the searched team. Events record
 * no team of their own yet (the request path's actor carries none), so a team is matched on what the identity lib
 * records as the principal's groups, as the quotas count teams (libs/policy quota scope `team`).
 */
export interface FilterContext {
  teamMembers?: ReadonlySet<string>;
}

/** Teams an event records itself (`actor.teams`, else `actor.team`), for events written once the actor carries them. */
export function recordedTeams(event: AuditLeaf): string[] {
  const actor = event.actor as unknown as Record<string, unknown>;
  const teams = Array.isArray(actor['teams']) ? actor['teams'].filter((team): team is string => typeof team === 'string') : [];
  if (teams.length > 0) return teams;
  return typeof actor['team'] === 'string' ? [actor['team']] : [];
}

function inTeam(event: AuditLeaf, team: string, context: FilterContext): boolean {
  const recorded = recordedTeams(event);
  if (recorded.length > 0) return recorded.includes(team);
  return context.teamMembers?.has(event.actor.principalId) ?? false;
}

function namesModel(event: AuditLeaf, model: string | undefined, version: string | undefined): boolean {
  const resource = event.resource;
  if (!resource || (resource.type !== 'model' && resource.type !== 'model_version')) return false;
  return (model === undefined || resource.name === model) && (version === undefined || resource.version === version);
}

/** Checks the decoded event against the search: the stored bytes, not the copied columns, are authoritative. */
export function matches(event: AuditLeaf, tenant: string, filter: AuditEventFilter, context: FilterContext = {}): boolean {
  if (event.tenant !== tenant) return false;
  if (filter.outcome && event.outcome !== filter.outcome) return false;
  if (filter.actor && event.actor.principalId !== filter.actor) return false;
  if (filter.requestId && event.requestId !== filter.requestId) return false;
  if (filter.action && !(filter.action.endsWith('.') ? event.action.startsWith(filter.action) : event.action === filter.action)) return false;
  const at = Date.parse(event.ts);
  if (filter.from && at < Date.parse(filter.from)) return false;
  if (filter.to && at >= Date.parse(filter.to)) return false;
  if (filter.team && !inTeam(event, filter.team, context)) return false;
  if ((filter.model || filter.modelVersion) && !namesModel(event, filter.model, filter.modelVersion)) return false;
  if (filter.decision && event.policy?.decision !== filter.decision) return false;
  if (filter.policyId && !(event.policy?.policyIds ?? []).includes(filter.policyId)) return false;
  if (filter.piiType && !((event.pii?.[filter.piiType] ?? 0) > 0)) return false;
  return true;
}

/** The search as recorded in the audit log: who looked for what is itself evidence. */
export function filterDetails(filter: AuditEventFilter & { before?: number; limit?: number }): Record<string, string | number> {
  const { limit: _limit, ...filters } = filter;
  return Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== ''));
}
