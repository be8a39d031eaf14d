import { type ReactNode } from 'react';
import { ApiError } from '../api/http';

/** Turns anything thrown by a call into a sentence that tells the user what to do next. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Your session has ended. Sign in again.';
    if (error.status === 403) return `Not allowed: ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** An error, announced at once to screen readers (role=alert). */
export function ErrorMessage({ error }: { error: unknown }): ReactNode {
  if (error === undefined || error === null) return null;
  return (
    <p role="alert" className="error">
      {messageOf(error)}
      {error instanceof ApiError && error.status === 401 ? (
        <>
          {' '}
          <a href="/portal/">Go to sign-in</a>
        </>
      ) : null}
    </p>
  );
}

/** A polite status line for successful acts (role=status does not interrupt). */
export function StatusMessage({ text }: { text: string | undefined }): ReactNode {
  return (
    <p role="status" className="status">
      {text ?? ''}
    </p>
  );
}

export function formatDate(value: string | null): string {
  if (!value) return '—';
  // UTC on purpose: audit and compliance work compares times across sites.
  return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
