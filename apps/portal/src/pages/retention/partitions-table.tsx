import { type ReactNode } from 'react';
import type { LegalHoldView, RetentionPlanView } from '../../api/retention-schemas';
import { formatDate } from '../../components/feedback';
import { monthName, STATUS_TEXT, utcDay } from './retention-format';

function coverage(partition: RetentionPlanView['partitions'][number]): string {
  if (partition.status === 'default') return 'outside every month';
  if (partition.from === null) return `everything before ${partition.to ? utcDay(partition.to) : '—'}`;
  return monthName(partition.from);
}

/** The log's monthly partitions, oldest first: what retention keeps, what it will drop and what a hold keeps. */
export function PartitionsTable({ plan, holds }: { plan: RetentionPlanView; holds: LegalHoldView[] }): ReactNode {
  const reasonOf = (id: string) => holds.find((hold) => hold.id === id)?.reason ?? id;
  const due = plan.partitions.filter((partition) => partition.status === 'due').length;
  const held = plan.partitions.filter((partition) => partition.status === 'held').length;
  return (
    <>
      <dl className="tiles">
        <div>
          <dt>Retention period</dt>
          <dd>{plan.retentionMonths} months</dd>
        </div>
        <div>
          <dt>Log retained from position</dt>
          <dd data-testid="retained-from">{plan.retainedFrom.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Months due</dt>
          <dd>{due}</dd>
        </div>
        <div>
          <dt>Months held</dt>
          <dd>{held}</dd>
        </div>
        <div>
          <dt>Holds in force</dt>
          <dd>{plan.holdsInForce.length}</dd>
        </div>
      </dl>
      {plan.partitions.length === 0 ? (
        <p>The log has no partitions yet: the gateway creates them when it starts. Reload this page once it runs.</p>
      ) : (
        <table>
          <caption>Monthly partitions of the audit log (oldest first)</caption>
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col">Covers</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Retention ends</th>
              <th scope="col">Legal holds covering it</th>
            </tr>
          </thead>
          <tbody>
            {plan.partitions.map((partition) => (
              <tr key={partition.name} data-status={partition.status}>
                <th scope="row">
                  <code>{partition.name}</code>
                </th>
                <td>{coverage(partition)}</td>
                <td>{partition.events.toLocaleString('en')}</td>
                <td>{STATUS_TEXT[partition.status]}</td>
                <td>{formatDate(partition.dueAt)}</td>
                <td>{partition.heldBy.length > 0 ? partition.heldBy.map(reasonOf).join('; ') : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
