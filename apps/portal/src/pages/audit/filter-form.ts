import { type AuditFilter } from '../../api/requests';

/** The search form's fields as typed; times are `YYYY-MM-DDTHH:MM` from datetime-local inputs, read as UTC. */
export interface FilterForm {
  action: string;
  outcome: string;
  actor: string;
  requestId: string;
  from: string;
  to: string;
  team: string;
  model: string;
  modelVersion: string;
  decision: string;
  policyId: string;
  piiType: string;
}

export const EMPTY_FORM: FilterForm = {
  action: '',
  outcome: '',
  actor: '',
  requestId: '',
  from: '',
  to: '',
  team: '',
  model: '',
  modelVersion: '',
  decision: '',
  policyId: '',
  piiType: '',
};

const FIELDS = Object.keys(EMPTY_FORM) as (keyof FilterForm)[];

/** The filter the API takes: blank fields left out, local form times as UTC instants. */
export function filterOf(form: FilterForm): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = form[field].trim();
    if (value === '') continue;
    filter[field] = field === 'from' || field === 'to' ? `${value}:00Z` : value;
  }
  return filter;
}

/** A saved or applied filter back in the form (times cut to the minute the inputs show). */
export function formOf(filter: AuditFilter | Record<string, string>): FilterForm {
  const form = { ...EMPTY_FORM };
  for (const field of FIELDS) {
    const value = (filter as Record<string, string | undefined>)[field];
    if (value !== undefined) form[field] = field === 'from' || field === 'to' ? new Date(value).toISOString().slice(0, 16) : value;
  }
  return form;
}

const NAMES: Record<keyof FilterForm, string> = {
  action: 'action',
  outcome: 'outcome',
  actor: 'actor',
  requestId: 'request id',
  from: 'from',
  to: 'until',
  team: 'team',
  model: 'model',
  modelVersion: 'version',
  decision: 'decision',
  policyId: 'policy',
  piiType: 'PII type',
};

/** "action api_key.created, team legal" — or "everything" for an empty filter. */
export function describeFilter(filter: Record<string, string>): string {
  const parts = FIELDS.filter((field) => filter[field] !== undefined).map((field) => `${NAMES[field]} ${filter[field]}`);
  return parts.length > 0 ? parts.join(', ') : 'all events';
}
