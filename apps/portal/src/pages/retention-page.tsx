import { type ReactNode, useState } from 'react';
import { api } from '../api/http';
import { legalHoldListSchema, retentionPlanSchema } from '../api/retention-schemas';
import { type PortalPrincipal } from '../api/schemas';
import { ErrorMessage, StatusMessage } from '../components/feedback';
import { useLoad } from '../components/use-load';
import { ApplyRetention } from './retention/apply-retention';
import { LegalHolds } from './retention/legal-holds';
import { PartitionsTable } from './retention/partitions-table';
import { PlaceHoldForm } from './retention/place-hold-form';

/**
 * Retention of the audit log and the legal holds that suspend it (docs/audit-format.md §12). Auditors see everything
 * and change nothing (the API refuses them too); admins place and release holds and apply retention.
 */
export function RetentionPage({ principal }: { principal: PortalPrincipal }): ReactNode {
  const canChange = principal.roles.includes('admin');
  const plan = useLoad(() => api('GET', '/api/audit/retention', retentionPlanSchema));
  const holds = useLoad(() => api('GET', '/api/audit/legal-holds', legalHoldListSchema));
  const [status, setStatus] = useState<string>();
  const reload = () => {
    plan.reload();
    holds.reload();
  };

  return (
    <>
      <p>
        The audit log is kept in monthly partitions. A month is dropped once its retention period has ended, oldest first, unless a legal hold covers it.{' '}
        {canChange ? 'Every hold, release and drop is itself recorded in the log.' : 'You can see retention and legal holds here; only an administrator can change them.'}
      </p>
      <StatusMessage text={status} />
      <ErrorMessage error={plan.error} />
      {plan.loading && !plan.data ? <p aria-live="polite">Loading the retention plan…</p> : null}
      {plan.data ? <PartitionsTable plan={plan.data} holds={holds.data ?? plan.data.holdsInForce} /> : null}
      {canChange ? <ApplyRetention due={plan.data?.partitions.filter((partition) => partition.status === 'due').length ?? 0} onApplied={reload} /> : null}
      <ErrorMessage error={holds.error} />
      {holds.loading && !holds.data ? <p aria-live="polite">Loading the legal holds…</p> : null}
      {holds.data ? (
        <LegalHolds
          holds={holds.data}
          canChange={canChange}
          onReleased={(hold) => {
            setStatus(`Legal hold “${hold.reason}” released.`);
            reload();
          }}
        />
      ) : null}
      {canChange ? (
        <PlaceHoldForm
          onPlaced={(hold) => {
            setStatus(`Legal hold “${hold.reason}” placed: the months it covers are kept until it is released.`);
            reload();
          }}
        />
      ) : null}
    </>
  );
}
