import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { api } from '../../api/http';
import { releaseHoldBodySchema } from '../../api/requests';
import { legalHoldSchema, type LegalHoldView } from '../../api/retention-schemas';
import { ErrorMessage, formatDate } from '../../components/feedback';
import { holdSpan } from './retention-format';

/** The inline form that releases one hold: a release needs a reason, which goes on record. */
function ReleaseForm({ hold, onReleased, onCancel }: { hold: LegalHoldView; onReleased: (hold: LegalHoldView) => void; onCancel: () => void }): ReactNode {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = releaseHoldBodySchema.safeParse({ reason });
    if (!body.success) {
      setError(new Error('Give a reason for the release (1 to 500 characters): it is recorded in the audit log.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onReleased(await api('POST', `/api/audit/legal-holds/${encodeURIComponent(hold.id)}/release`, legalHoldSchema, body.data));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  const id = `release-reason-${hold.id}`;
  return (
    <form onSubmit={(event) => void submit(event)} aria-busy={busy}>
      <label htmlFor={id}>Reason for releasing “{hold.reason}”</label>
      <input id={id} ref={input} required maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
      <button type="submit" className="danger" disabled={busy}>
        {busy ? 'Releasing…' : 'Release hold'}
      </button>{' '}
      <button type="button" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

interface LegalHoldsProps {
  holds: LegalHoldView[];
  /** Admins release holds; auditors only look. */
  canChange: boolean;
  onReleased: (hold: LegalHoldView) => void;
}

export function LegalHolds({ holds, canChange, onReleased }: LegalHoldsProps): ReactNode {
  const [releasing, setReleasing] = useState<string>();
  const inForce = holds.filter((hold) => hold.release === null);
  const released = holds.filter((hold) => hold.release !== null);
  return (
    <section aria-labelledby="holds-heading">
      <h2 id="holds-heading">Legal holds</h2>
      {inForce.length === 0 ? (
        <p>
          No legal hold is in force: retention drops each month once its retention period ends.{' '}
          {canChange
            ? 'When litigation or an investigation needs the evidence kept, place a hold below.'
            : 'If evidence must be kept beyond the retention period, ask an administrator to place a hold.'}
        </p>
      ) : (
        <table>
          <caption>Legal holds in force</caption>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Covers</th>
              <th scope="col">Placed</th>
              {canChange ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {inForce.map((hold) => (
              <tr key={hold.id}>
                <th scope="row">{hold.reason}</th>
                <td>{holdSpan(hold)}</td>
                <td>
                  {formatDate(hold.setAt)} by <code>{hold.setBy}</code>
                </td>
                {canChange ? (
                  <td>
                    {releasing === hold.id ? (
                      <ReleaseForm
                        hold={hold}
                        onCancel={() => setReleasing(undefined)}
                        onReleased={(value) => {
                          setReleasing(undefined);
                          onReleased(value);
                        }}
                      />
                    ) : (
                      <button type="button" className="danger" onClick={() => setReleasing(hold.id)} aria-label={`Release ${hold.reason}`}>
                        Release…
                      </button>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {released.length > 0 ? (
        <table>
          <caption>Released legal holds</caption>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Covered</th>
              <th scope="col">Placed</th>
              <th scope="col">Released</th>
              <th scope="col">Why released</th>
            </tr>
          </thead>
          <tbody>
            {released.map((hold) => (
              <tr key={hold.id}>
                <th scope="row">{hold.reason}</th>
                <td>{holdSpan(hold)}</td>
                <td>
                  {formatDate(hold.setAt)} by <code>{hold.setBy}</code>
                </td>
                <td>
                  {formatDate(hold.release?.releasedAt ?? null)} by <code>{hold.release?.releasedBy}</code>
                </td>
                <td>{hold.release?.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
