import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { api } from '../api/http';
import { eraseSubjectBodySchema } from '../api/requests';
import { erasureResultSchema } from '../api/retention-schemas';
import { ErrorMessage, StatusMessage } from '../components/feedback';

type Step = { kind: 'enter' } | { kind: 'confirm'; subjectId: string };

function resultText(subjectId: string, erasedKeys: number): string {
  if (erasedKeys === 0) {
    return `No live key was found for “${subjectId}”: nothing is sealed under this id, or it was erased before. The request is recorded in the audit log all the same.`;
  }
  return `Erased ${erasedKeys} key${erasedKeys === 1 ? '' : 's'} of “${subjectId}”: the raw content sealed for this subject can no longer be opened.`;
}

/** GDPR Art. 17 erasure, in two steps: the id, then the id again, because there is no undo. */
export function DataSubjectsPage(): ReactNode {
  const [step, setStep] = useState<Step>({ kind: 'enter' });
  const [subjectId, setSubjectId] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState<string>();
  const confirmInput = useRef<HTMLInputElement>(null);
  const subjectInput = useRef<HTMLInputElement>(null);
  const moved = useRef(false);
  // Focus follows the step (not on arrival: the page keeps the focus where navigation left it).
  useEffect(() => {
    if (moved.current) (step.kind === 'confirm' ? confirmInput.current : subjectInput.current)?.focus();
    moved.current = true;
  }, [step.kind]);

  const proceed = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setStatus(undefined);
    const body = eraseSubjectBodySchema.safeParse({ subjectId });
    if (!body.success) {
      setError(new Error('Enter the data subject id (1 to 256 characters) that the requests carried.'));
      return;
    }
    setConfirmation('');
    setStep({ kind: 'confirm', subjectId: body.data.subjectId });
  };

  const erase = async (event: FormEvent) => {
    event.preventDefault();
    if (step.kind !== 'confirm') return;
    if (confirmation.trim() !== step.subjectId) {
      setError(new Error(`The id you typed again differs from “${step.subjectId}”. Type it exactly, or cancel.`));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { erasedKeys } = await api('POST', '/api/admin/data-subjects/erase', erasureResultSchema, { subjectId: step.subjectId });
      setStatus(resultText(step.subjectId, erasedKeys));
      setSubjectId('');
      setStep({ kind: 'enter' });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p>
        Erasure works by crypto-shredding: the gateway destroys the subject’s encryption keys, so the raw prompts and answers sealed under them can never be read
        again, while the audit log’s hashes, chain and checkpoints still verify.
      </p>
      <p>
        The subject id is the one the requests carried in the <code>x-attest-data-subject</code> header (or the caller’s id when they carried none). The erasure is
        recorded in the audit log as <code>data_subject.erased</code>, without the id.
      </p>
      <StatusMessage text={status} />
      {step.kind === 'enter' ? (
        <form className="panel" onSubmit={proceed} aria-labelledby="erase-heading">
          <h2 id="erase-heading">Erase a data subject</h2>
          <label htmlFor="erase-subject">Data subject id</label>
          <input id="erase-subject" ref={subjectInput} required maxLength={256} autoComplete="off" value={subjectId} onChange={(event) => setSubjectId(event.target.value)} />
          <button type="submit">Continue</button>
          <ErrorMessage error={error} />
        </form>
      ) : (
        <form className="panel" onSubmit={(event) => void erase(event)} aria-labelledby="confirm-heading" aria-busy={busy}>
          <h2 id="confirm-heading">Confirm the erasure of “{step.subjectId}”</h2>
          <p id="erase-warning">This cannot be undone: content sealed for this subject becomes unreadable for everyone, auditors included.</p>
          <label htmlFor="erase-confirm">Type the data subject id again to confirm</label>
          <input
            id="erase-confirm"
            ref={confirmInput}
            required
            maxLength={256}
            autoComplete="off"
            aria-describedby="erase-warning"
            value={confirmation}
            onChange={(event) => setConfirmation(event.target.value)}
          />
          <button type="submit" className="danger" disabled={busy}>
            {busy ? 'Erasing…' : 'Erase permanently'}
          </button>{' '}
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setError(undefined);
              setStep({ kind: 'enter' });
            }}
          >
            Cancel
          </button>
          <ErrorMessage error={error} />
        </form>
      )}
    </>
  );
}
