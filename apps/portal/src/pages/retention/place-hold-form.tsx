import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../../api/http';
import { legalHoldBodySchema } from '../../api/requests';
import { legalHoldSchema, type LegalHoldView } from '../../api/retention-schemas';
import { ErrorMessage } from '../../components/feedback';
import { endOfUtcDay, startOfUtcDay } from './retention-format';

/** Places a hold over whole UTC days; the API takes instants, the last day's end being exclusive. */
export function PlaceHoldForm({ onPlaced }: { onPlaced: (hold: LegalHoldView) => void }): ReactNode {
  const [reason, setReason] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (from && to && to < from) {
      setError(new Error('The last day covered is before the first day: correct one of them.'));
      return;
    }
    const body = legalHoldBodySchema.safeParse({ reason, ...(from ? { coversFrom: startOfUtcDay(from) } : {}), ...(to ? { coversTo: endOfUtcDay(to) } : {}) });
    if (!body.success) {
      setError(new Error('Give a reason of 1 to 500 characters (the matter or case the hold is for), and days as YYYY-MM-DD.'));
      return;
    }
    setBusy(true);
    try {
      onPlaced(await api('POST', '/api/audit/legal-holds', legalHoldSchema, body.data));
      setReason('');
      setFrom('');
      setTo('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(event) => void submit(event)} aria-labelledby="place-hold-heading" aria-busy={busy}>
      <h2 id="place-hold-heading">Place a legal hold</h2>
      <p id="hold-days-hint">
        Retention keeps every month that overlaps the days you give, until the hold is released. Leave both days empty to hold the whole log.
      </p>
      <label htmlFor="hold-reason">Reason (the matter or case the evidence is kept for)</label>
      <input id="hold-reason" required maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
      <label htmlFor="hold-from">First day covered (UTC, optional)</label>
      <input id="hold-from" type="date" aria-describedby="hold-days-hint" value={from} onChange={(event) => setFrom(event.target.value)} />
      <label htmlFor="hold-to">Last day covered (UTC, optional)</label>
      <input id="hold-to" type="date" aria-describedby="hold-days-hint" value={to} onChange={(event) => setTo(event.target.value)} />
      <button type="submit" disabled={busy}>
        {busy ? 'Placing the hold…' : 'Place legal hold'}
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
