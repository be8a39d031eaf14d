import type { DetailedError } from './cedar';

/** `line:column` (1-based) of a byte offset into `text`, as Cedar reports offsets into UTF-8 bytes. */
export function lineAndColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** `file:line:col: message (help)` lines for a Cedar error, one per source location (or one without). */
export function describeCedarError(file: string, text: string, error: DetailedError, shift = 0): string {
  const help = error.help ? ` (${error.help})` : '';
  const location = error.sourceLocations?.[0];
  if (!location) return `${file}: ${error.message}${help}`;
  const { line, column } = lineAndColumn(text, location.start + shift);
  return `${file}:${line}:${column}: ${error.message}${help}`;
}
