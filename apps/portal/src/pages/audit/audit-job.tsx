import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { z } from 'zod';
import { api, ApiError } from '../../api/http';
import { jobStartedSchema } from '../../api/schemas';

/** How often a running job is asked where it stands. */
const POLL_MS = 500;

interface JobShape {
  id: string;
  state: 'running' | 'done' | 'failed';
  error?: { code: string; message: string } | undefined;
}

export interface AuditJobHandle<T> {
  /** The job as last polled (running, then done or failed). */
  job: T | undefined;
  error: unknown;
  busy: boolean;
  /** Starts the job (`POST path`) and polls `GET /api/audit/jobs/:id` until it ends. */
  start: (path: string, body?: unknown) => Promise<void>;
}

/**
 * A background job of the auditor console. The job lives in the memory of the replica that started it: polling goes to
 * the same origin, which a sticky load balancer keeps on that replica (docs/operations.md §2).
 */
export function useAuditJob<T extends JobShape>(schema: z.ZodType<T>): AuditJobHandle<T> {
  const [job, setJob] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const start = useCallback(
    async (path: string, body?: unknown) => {
      setBusy(true);
      setError(undefined);
      setJob(undefined);
      try {
        const { jobId } = await api('POST', path, jobStartedSchema, body);
        for (;;) {
          if (!mounted.current) return;
          const current = await api('GET', `/api/audit/jobs/${encodeURIComponent(jobId)}`, schema);
          if (!mounted.current) return;
          setJob(current);
          if (current.state === 'failed') throw new ApiError(500, current.error?.code ?? 'job_failed', current.error?.message ?? 'The job failed; try again.');
          if (current.state === 'done') return;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } catch (reason) {
        if (mounted.current) setError(reason);
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [schema],
  );
  return { job, error, busy, start };
}

/**
 * A labelled progress bar with its words in a polite live region. Without a `max` the bar is indeterminate (the
 * amount of work is not known yet).
 */
export function JobProgress({ label, value, max, text }: { label: string; value: number; max: number | undefined; text: string }): ReactNode {
  const id = useId();
  return (
    <div className="job-progress">
      <label htmlFor={id}>{label}</label>{' '}
      {max === undefined ? <progress id={id} /> : <progress id={id} max={max} value={Math.min(value, max)} />}
      <p role="status" aria-live="polite">
        {text}
      </p>
    </div>
  );
}
