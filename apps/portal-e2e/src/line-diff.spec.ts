import { diffFiles, diffLines, withContext } from '../../portal/src/components/line-diff';

const marks = (before: string, after: string) => diffLines(before, after).map((line) => `${{ same: ' ', added: '+', removed: '-' }[line.kind]}${line.text}`);

// The portal's policy diff: a longest-common-subsequence line diff, written for the portal (no diff package).
describe(diffLines.name, () => {
  it('marks an inserted line and keeps the lines around it, with numbers on each side', () => {
    expect(marks('a\nb\nc\n', 'a\nb\nx\nc\n')).toEqual([' a', ' b', '+x', ' c']);
    expect(diffLines('a\nb\n', 'a\nx\nb\n')[2]).toEqual({ kind: 'same', text: 'b', oldLine: 2, newLine: 3 });
  });

  it('aligns a changed middle by the longest common subsequence, removals before additions', () => {
    expect(marks('head\na\nb\nc\nd\ntail', 'head\nb\nX\nd\nY\ntail')).toEqual([' head', '-a', ' b', '-c', '+X', ' d', '+Y', ' tail']);
  });

  it('treats an empty side as all added or all removed, and equal texts as unchanged', () => {
    expect(marks('', 'a\nb')).toEqual(['+a', '+b']);
    expect(marks('a\nb\n', '')).toEqual(['-a', '-b']);
    expect(marks('same\n', 'same\n')).toEqual([' same']);
  });

  it('folds unchanged lines far from any change', () => {
    const before = Array.from({ length: 20 }, (_, index) => `line ${index}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const shown = withContext(diffLines(before, after), 2);
    expect(shown.map((line) => (line.kind === 'skipped' ? `…${line.count}` : line.text))).toEqual(['…8', 'line 8', 'line 9', 'line 10', 'line ten', 'line 11', 'line 12', '…7']);
  });

  it('diffs bundles file by file', () => {
    const files = diffFiles({ 'a.cedar': 'x\n', 'gone.cedar': 'y\n', 'same.cedar': 'z\n' }, { 'a.cedar': 'x\nw\n', 'new.cedar': 'n\n', 'same.cedar': 'z\n' });
    expect(files.map(({ path, status, added, removed }) => ({ path, status, added, removed }))).toEqual([
      { path: 'a.cedar', status: 'changed', added: 1, removed: 0 },
      { path: 'gone.cedar', status: 'removed', added: 0, removed: 1 },
      { path: 'new.cedar', status: 'added', added: 1, removed: 0 },
      { path: 'same.cedar', status: 'unchanged', added: 0, removed: 0 },
    ]);
  });
});
