import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Keeps docs/compliance.md honest: every test it cites as evidence exists under the exact name quoted, every
// relative link in it and in docs/auditor-guide.md leads to a file, and a requirement without a test says "Gap".
// A citation is written `[label](relative/path.spec.ts) › "exact test name"`.

const root = join(__dirname, '..', '..', '..');
const STATUSES = new Set(['Met', 'Partial', 'Gap']);
const REQUIRED_CLAUSES = ['Art. 12', 'Art. 19', 'Art. 26', '164.312(b)', '164.316(b)(2)', '10.2.1', '10.2.2', '10.3', '10.5.1', 'CC7.2', 'A.8.15', 'A.6.2.8', 'GOVERN 1.6', 'Art. 5(1)(c)', 'Art. 17'];

interface Citation {
  file: string;
  name: string;
}

interface ControlRow {
  requirement: string;
  status: string;
  citations: Citation[];
}

const CITATION = /\[[^\]]*\]\(([^)\s]+\.spec\.ts)\) › "([^"]+)"/g;
const RELATIVE_LINK = /\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)/g;

/** The rows of the first table under "## Control map": requirement first, status last. */
function controlRows(markdown: string): ControlRow[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Control map'));
  if (!section) return [];
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) => {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const citations = [...line.matchAll(CITATION)].map((match) => ({ file: match[1] ?? '', name: match[2] ?? '' }));
    return { requirement: `${cells[0] ?? ''} ${cells[1] ?? ''}`, status: cells[cells.length - 1]?.replace(/\*/g, '') ?? '', citations };
  });
}

/** True when `source` declares a test (it/test, or an it.each table) titled exactly `name`. */
function declaresTest(source: string, name: string): boolean {
  return ["'", '"', '`'].some((quote) => {
    const literal = `${quote}${name.replace(/\\/g, '\\\\').replaceAll(quote, `\\${quote}`)}${quote}`;
    for (let at = source.indexOf(literal); at >= 0; at = source.indexOf(literal, at + 1)) {
      const before = source.slice(0, at).trimEnd();
      if (/(?:\bit|\btest|\))\($/.test(before)) return true;
    }
    return false;
  });
}

/** Everything wrong with a compliance map whose file lives at `docPath` (absolute). */
function problemsOf(docPath: string, markdown: string): string[] {
  const problems: string[] = [];
  const rows = controlRows(markdown);
  if (rows.length === 0) problems.push('no "## Control map" table');
  for (const clause of REQUIRED_CLAUSES) {
    if (!rows.some((row) => row.requirement.includes(clause))) problems.push(`no row for ${clause}`);
  }
  for (const row of rows) {
    if (!STATUSES.has(row.status)) problems.push(`${row.requirement}: status "${row.status}" is not Met, Partial or Gap`);
    if (row.status !== 'Gap' && row.citations.length === 0) problems.push(`${row.requirement}: no test cited, so its status must be Gap`);
    for (const { file, name } of row.citations) {
      const path = resolve(dirname(docPath), file);
      if (!existsSync(path)) problems.push(`${row.requirement}: ${file} does not exist`);
      else if (!declaresTest(readFileSync(path, 'utf8'), name)) problems.push(`${row.requirement}: ${file} has no test named "${name}"`);
    }
  }
  return problems.concat(brokenLinks(docPath, markdown));
}

function brokenLinks(docPath: string, markdown: string): string[] {
  return [...markdown.matchAll(RELATIVE_LINK)]
    .map((match) => match[1] ?? '')
    .filter((target) => !existsSync(resolve(dirname(docPath), target)))
    .map((target) => `${relative(root, docPath)}: link ${target} leads nowhere`);
}

describe('docs/compliance.md', () => {
  const docPath = join(root, 'docs', 'compliance.md');

  it('cites only tests that exist under the names quoted, and marks every row without a test as a gap', () => {
    expect(problemsOf(docPath, readFileSync(docPath, 'utf8'))).toEqual([]);
  });

  it('names a real test for most requirements (the map is evidence, not a list of gaps)', () => {
    const rows = controlRows(readFileSync(docPath, 'utf8'));
    expect(rows.filter((row) => row.citations.length > 0).length).toBeGreaterThanOrEqual(10);
  });

  it('catches a missing file, a renamed test, a missing status and an uncited claim', () => {
    const fake = [
      '## Control map',
      '',
      '| Requirement | Clause | How | Evidence | Status |',
      '| --- | --- | --- | --- | --- |',
      '| EU AI Act | Art. 12 | logs | [x](../apps/gateway-e2e/src/no-such.spec.ts) › "anything" | Met |',
      '| HIPAA | 164.312(b) | console | [x](../apps/gateway-e2e/src/governed-path.spec.ts) › "a test nobody wrote" | Met |',
      '| SOC 2 | CC7.2 | monitoring | — | Met |',
      '| GDPR | Art. 17 | nothing | — | Unknown |',
      '',
      'See [the guide](no-such-guide.md).',
    ].join('\n');
    const problems = problemsOf(docPath, fake);
    expect(problems).toEqual(
      expect.arrayContaining([
        'EU AI Act Art. 12: ../apps/gateway-e2e/src/no-such.spec.ts does not exist',
        'HIPAA 164.312(b): ../apps/gateway-e2e/src/governed-path.spec.ts has no test named "a test nobody wrote"',
        'SOC 2 CC7.2: no test cited, so its status must be Gap',
        'GDPR Art. 17: status "Unknown" is not Met, Partial or Gap',
        'no row for 10.5.1',
        'docs/compliance.md: link no-such-guide.md leads nowhere',
      ]),
    );
    expect(declaresTest("it('fails closed: when the audit log cannot commit', async () => {", 'fails closed: when the audit log cannot commit')).toBe(true);
    expect(declaresTest("])('catches %s (%s)', async (_, code) => {", 'catches %s (%s)')).toBe(true);
    expect(declaresTest("const note = 'fails closed';", 'fails closed')).toBe(false);
  });
});

describe('docs/auditor-guide.md', () => {
  it('links only to files that exist', () => {
    const docPath = join(root, 'docs', 'auditor-guide.md');
    expect(brokenLinks(docPath, readFileSync(docPath, 'utf8'))).toEqual([]);
  });
});
