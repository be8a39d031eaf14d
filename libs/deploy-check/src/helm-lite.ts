import { stringify } from 'yaml';

/**
 * A deliberately small renderer for the subset of Helm's template language the Attest chart uses, because no `helm`
 * binary is available here. Supported: `{{ .Values.a.b }}`, `.Release.*`, `.Chart.*`, string literals,
 * `include "name" .`, `toYaml X`, `not X`, the pipes `quote`, `nindent N` and `indent N`, `if` / `else` / `end`,
 * `define`, and `{{-` / `-}}` whitespace trimming. Anything else, and any value path that does not exist, throws: a
 * template that leaves this subset, or reads a value values.yaml lacks, fails the check instead of rendering wrongly.
 */
export interface ChartContext {
  Values: unknown;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string; AppVersion: string };
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; expression: string }
  | { kind: 'if'; condition: string; then: Node[]; otherwise: Node[] }
  | { kind: 'define'; name: string; body: Node[] };

type Segment = { kind: 'text'; text: string } | { kind: 'action'; expression: string };

const ACTION = /\{\{(-)?\s*([\s\S]*?)\s*(-)?\}\}/g;

function segmentsOf(source: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  let trimNext = false;
  for (const match of source.matchAll(ACTION)) {
    let text = source.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1]) text = text.replace(/\s+$/, '');
    segments.push({ kind: 'text', text });
    segments.push({ kind: 'action', expression: match[2] ?? '' });
    trimNext = Boolean(match[3]);
    last = match.index + match[0].length;
  }
  const tail = source.slice(last);
  segments.push({ kind: 'text', text: trimNext ? tail.replace(/^\s+/, '') : tail });
  return segments;
}

function parse(segments: Segment[], position: { index: number }, closers: string[]): { nodes: Node[]; closer: string } {
  const nodes: Node[] = [];
  for (let segment = segments[position.index++]; segment !== undefined; segment = segments[position.index++]) {
    if (segment.kind === 'text') {
      nodes.push(segment);
      continue;
    }
    const expression = segment.expression;
    if (closers.includes(expression)) return { nodes, closer: expression };
    if (expression.startsWith('if ')) {
      const then = parse(segments, position, ['else', 'end']);
      const otherwise = then.closer === 'else' ? parse(segments, position, ['end']).nodes : [];
      nodes.push({ kind: 'if', condition: expression.slice(3), then: then.nodes, otherwise });
    } else if (expression.startsWith('define ')) {
      nodes.push({ kind: 'define', name: unquote(expression.slice(7).trim()), body: parse(segments, position, ['end']).nodes });
    } else {
      nodes.push({ kind: 'output', expression });
    }
  }
  if (closers.length > 0) throw new Error(`template ends without {{ ${closers.join(' / ')} }}`);
  return { nodes, closer: '' };
}

function unquote(token: string): string {
  if (!/^"[^"]*"$/.test(token)) throw new Error(`expected a string literal, found ${token}`);
  return token.slice(1, -1);
}

function lookup(path: string, context: ChartContext): unknown {
  if (!path.startsWith('.')) throw new Error(`unsupported template operand: ${path}`);
  let value: unknown = context;
  for (const part of path.slice(1).split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) throw new Error(`the template reads ${path}, which is not defined`);
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function toText(value: unknown): string {
  if (value !== null && typeof value === 'object') throw new Error('a map or list must go through toYaml');
  return String(value);
}

function indent(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(width) + line)
    .join('\n');
}

export class HelmLite {
  private readonly defines = new Map<string, Node[]>();

  constructor(private readonly context: ChartContext) {}

  /** Renders one template file; `define` blocks are remembered for later `include`s and produce no output. */
  render(source: string): string {
    return this.renderNodes(parse(segmentsOf(source), { index: 0 }, []).nodes);
  }

  private renderNodes(nodes: Node[]): string {
    let output = '';
    for (const node of nodes) {
      if (node.kind === 'text') output += node.text;
      else if (node.kind === 'output') output += toText(this.evaluate(node.expression));
      else if (node.kind === 'define') this.defines.set(node.name, node.body);
      else output += this.renderNodes(isTruthy(this.evaluate(node.condition)) ? node.then : node.otherwise);
    }
    return output;
  }

  private evaluate(expression: string): unknown {
    const [head = [], ...pipes] = expression.split('|').map((part) => part.trim().split(/\s+/));
    let value = this.command(head);
    for (const [name, argument] of pipes) {
      if (name === 'quote') value = JSON.stringify(toText(value));
      else if (name === 'nindent') value = '\n' + indent(toText(value), Number(argument));
      else if (name === 'indent') value = indent(toText(value), Number(argument));
      else throw new Error(`unsupported template function: ${name}`);
    }
    return value;
  }

  private command(words: string[]): unknown {
    const [name = '', first, second, ...rest] = words;
    if (name === 'include' && first !== undefined && second === '.' && rest.length === 0) {
      const body = this.defines.get(unquote(first));
      if (!body) throw new Error(`include of an undefined template ${first}`);
      return this.renderNodes(body);
    }
    if (name === 'toYaml' && first !== undefined && second === undefined) return stringify(lookup(first, this.context)).trimEnd();
    if (name === 'not' && first !== undefined && second === undefined) return !isTruthy(lookup(first, this.context));
    if (first !== undefined) throw new Error(`unsupported template action: ${words.join(' ')}`);
    return name.startsWith('"') ? unquote(name) : lookup(name, this.context);
  }
}
