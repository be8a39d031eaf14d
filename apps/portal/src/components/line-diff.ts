/** One line of a diff: kept, or only in the newer text (added), or only in the older one (removed). */
export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** 1-based line number in the older text (absent for an added line). */
  oldLine?: number;
  /** 1-based line number in the newer text (absent for a removed line). */
  newLine?: number;
}

/** A run of unchanged lines left out of a shown diff. */
export interface SkippedLines {
  kind: 'skipped';
  count: number;
}

export interface FileDiff {
  path: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  lines: DiffLine[];
  added: number;
  removed: number;
}

/** Above this many table cells (lines × lines) the middle of a diff is shown as replaced rather than aligned. */
const MAX_LCS_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Longest common subsequence of two line lists; returns the diff of `a` into `b`, removals before additions. */
function lcsDiff(a: string[], b: string[], oldStart: number, newStart: number): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const out: DiffLine[] = [];
  if (n * m > MAX_LCS_CELLS) {
    a.forEach((text, i) => out.push({ kind: 'removed', text, oldLine: oldStart + i }));
    b.forEach((text, j) => out.push({ kind: 'added', text, newLine: newStart + j }));
    return out;
  }
  // suffix[i][j]: length of the LCS of a[i..] and b[j..], row-major in one array.
  const width = m + 1;
  const suffix = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      suffix[i * width + j] = a[i] === b[j] ? (suffix[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(suffix[(i + 1) * width + j] ?? 0, suffix[i * width + j + 1] ?? 0);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] as string, oldLine: oldStart + i, newLine: newStart + j });
      i++;
      j++;
    } else if (j >= m || (i < n && (suffix[(i + 1) * width + j] ?? 0) >= (suffix[i * width + j + 1] ?? 0))) {
      out.push({ kind: 'removed', text: a[i] as string, oldLine: oldStart + i });
      i++;
    } else {
      out.push({ kind: 'added', text: b[j] as string, newLine: newStart + j });
      j++;
    }
  }
  return out;
}

/**
 * A line diff of `before` into `after` (LCS after trimming the common head and tail, which keeps the table small
 * for the usual edit of a few lines).
 *
 * @example
 * diffLines('a\nb\n', 'a\nx\nb\n'); // same a, added x, same b
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (text: string, oldIndex: number, newIndex: number): DiffLine => ({ kind: 'same', text, oldLine: oldIndex + 1, newLine: newIndex + 1 });
  return [
    ...a.slice(0, head).map((text, index) => same(text, index, index)),
    ...lcsDiff(a.slice(head, a.length - tail), b.slice(head, b.length - tail), head + 1, head + 1),
    ...a.slice(a.length - tail).map((text, index) => same(text, a.length - tail + index, b.length - tail + index)),
  ];
}

/** Keeps `context` unchanged lines around each change and folds the rest into skipped runs. */
export function withContext(lines: DiffLine[], context = 3): (DiffLine | SkippedLines)[] {
  const near = lines.map(() => false);
  lines.forEach((line, index) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) near[k] = true;
  });
  const out: (DiffLine | SkippedLines)[] = [];
  lines.forEach((line, index) => {
    if (near[index]) out.push(line);
    else {
      const last = out[out.length - 1];
      if (last?.kind === 'skipped') last.count++;
      else out.push({ kind: 'skipped', count: 1 });
    }
  });
  return out;
}

/** Diffs two bundles file by file (paths sorted), from `before` to `after`. */
export function diffFiles(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): FileDiff[] {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths.map((path) => {
    const old = before[path];
    const now = after[path];
    const lines = diffLines(old ?? '', now ?? '');
    const added = lines.filter((line) => line.kind === 'added').length;
    const removed = lines.filter((line) => line.kind === 'removed').length;
    const status = old === undefined ? 'added' : now === undefined ? 'removed' : added + removed === 0 ? 'unchanged' : 'changed';
    return { path, status, lines, added, removed };
  });
}
