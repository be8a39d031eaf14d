import { cedar, type SchemaJson } from './cedar';
import type { ActionConstraint } from '@cedar-policy/cedar-wasm/nodejs';
import { parseObligationAnnotation, type ObligationClause } from './obligations';
import { RequestMappingError, SchemaShapes } from './schema-shapes';
import { describeCedarError, lineAndColumn } from './source-location';

/** One policy of a bundle, as read once at load. */
export interface CompiledPolicy {
  id: string;
  effect: 'permit' | 'forbid';
  file: string;
  line: number;
  annotations: Readonly<Record<string, string>>;
  obligations: readonly ObligationClause[];
  /** `@reason` annotation: what a person reads when this policy decides. */
  reason?: string;
  /** The policy's action scope, to preparse per action only the policies that can apply. */
  actionScope: ActionConstraint;
}

export interface CompiledBundle {
  /** Empty when the bundle parsed, validated strictly against its schema and was preparsed. */
  problems: string[];
  policies: ReadonlyMap<string, CompiledPolicy>;
  shapes?: SchemaShapes;
  /** Key of the preparsed schema and the whole policy set in cedar-wasm's cache. */
  cacheKey: string;
  /** Per action: the key of the preparsed subset of policies whose action scope can match it. */
  actionSetKeys: ReadonlyMap<string, string>;
}

const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Parses, validates (strict mode) and preparses a bundle once. Every problem is collected as a `file:line:col:`
 * line, so `attest policies validate` can show them all at once.
 */
export function compileBundle(files: Readonly<Record<string, string>>, cacheKey: string): CompiledBundle {
  const problems: string[] = [];
  const policies = new Map<string, CompiledPolicy>();
  const texts: Record<string, string> = {};

  const schemaFiles = Object.keys(files).filter((path) => path.endsWith('.cedarschema')).sort();
  const policyFiles = Object.keys(files).filter((path) => path.endsWith('.cedar')).sort();
  if (schemaFiles.length !== 1) problems.push(`bundle: expected exactly one .cedarschema file, found ${schemaFiles.length}`);
  if (policyFiles.length === 0) problems.push('bundle: no .cedar policy files');
  const schemaFile = schemaFiles[0] ?? '';
  const schemaText = files[schemaFile] ?? '';
  const shapes = schemaFiles.length === 1 ? readSchema(schemaFile, schemaText, problems) : undefined;

  for (const file of policyFiles) {
    const text = files[file] ?? '';
    const parsed = cedar.checkParsePolicySet({ staticPolicies: text });
    if (parsed.type === 'failure') {
      problems.push(...parsed.errors.map((error) => describeCedarError(file, text, error)));
      continue;
    }
    if (shapes) {
      const validation = cedar.validate({ schema: schemaText, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } });
      if (validation.type === 'failure') problems.push(...validation.errors.map((error) => describeCedarError(file, text, error)));
      else problems.push(...validation.validationErrors.map(({ error }) => describeCedarError(file, text, error)));
    }
    readPolicies(file, text, policies, texts, problems);
  }

  const actionSetKeys = new Map<string, string>();
  if (problems.length === 0 && shapes) {
    const answers = [cedar.preparseSchema(cacheKey, schemaText), cedar.preparsePolicySet(cacheKey, { staticPolicies: texts })];
    // Cedar walks every policy of the set on each call, in scope or not: a subset per action skips the rest (a
    // policy whose action scope cannot match is never satisfied and never evaluated, so decisions are unchanged).
    for (const action of shapes.actionContexts.keys()) {
      const subset = Object.fromEntries(
        Object.entries(texts).filter(([id]) => actionMayMatch(policies.get(id)?.actionScope, action, shapes.actionAncestors(action))),
      );
      const key = `${cacheKey}:${action}`;
      answers.push(cedar.preparsePolicySet(key, { staticPolicies: subset }));
      actionSetKeys.set(action, key);
    }
    for (const answer of answers) {
      if (answer.type === 'failure') problems.push(...answer.errors.map((error) => `bundle: ${error.message}`));
    }
  }
  return { problems, policies, shapes: problems.length === 0 ? shapes : undefined, cacheKey, actionSetKeys };
}

function readSchema(file: string, text: string, problems: string[]): SchemaShapes | undefined {
  const answer = cedar.schemaToJson(text);
  if (answer.type === 'failure') {
    problems.push(...answer.errors.map((error) => describeCedarError(file, text, error)));
    return undefined;
  }
  const json: SchemaJson<string> = answer.json;
  const namespaces = Object.keys(json);
  const namespace = json[''];
  if (namespaces.length !== 1 || !namespace) {
    problems.push(`${file}: declare entity types and actions without a namespace (found: ${namespaces.map((name) => name || '(none)').join(', ')})`);
    return undefined;
  }
  try {
    return new SchemaShapes(namespace);
  } catch (error) {
    if (error instanceof RequestMappingError) problems.push(`${file}: ${error.message}`);
    else throw error;
    return undefined;
  }
}

function readPolicies(
  file: string,
  text: string,
  policies: Map<string, CompiledPolicy>,
  texts: Record<string, string>,
  problems: string[],
): void {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type === 'failure') {
    problems.push(...parts.errors.map((error) => describeCedarError(file, text, error)));
    return;
  }
  if (parts.policy_templates.length > 0) problems.push(`${file}: policy templates are not supported; write static policies`);
  let cursor = 0;
  for (const part of inSourceOrder(parts.policies)) {
    const found = text.indexOf(part, cursor);
    const offset = Math.max(0, found);
    if (found >= 0) cursor = found + part.length;
    const { line } = lineAndColumn(text, Buffer.byteLength(text.slice(0, offset)));
    const where = `${file}:${line}`;
    const json = cedar.policyToJson(part);
    if (json.type === 'failure') {
      problems.push(...json.errors.map((error) => `${where}: ${error.message}`));
      continue;
    }
    const annotations = json.json.annotations ?? {};
    const id = annotations['id'];
    if (id === undefined || !POLICY_ID.test(id)) {
      problems.push(`${where}: every policy needs an @id("...") of letters, digits and . _ : - (found ${JSON.stringify(id ?? null)})`);
      continue;
    }
    const existing = policies.get(id);
    if (existing) {
      problems.push(`${where}: @id("${id}") is already used at ${existing.file}:${existing.line}`);
      continue;
    }
    const effect = json.json.effect;
    let obligations: ObligationClause[] = [];
    const obligationText = annotations['obligation'];
    if (obligationText !== undefined) {
      if (effect === 'forbid') problems.push(`${where}: @obligation belongs on permit policies; a forbid never allows anything`);
      const parsed = parseObligationAnnotation(obligationText);
      problems.push(...parsed.problems.map((problem) => `${where}: ${problem}`));
      obligations = parsed.clauses;
    }
    const reason = annotations['reason'];
    const actionScope = json.json.action;
    policies.set(id, { id, effect, file, line, annotations, obligations, actionScope, ...(reason === undefined ? {} : { reason }) });
    texts[id] = part;
  }
}

/**
 * policySetTextToParts returns policies sorted by their generated ids (`policy0`, `policy1`, `policy10`, `policy2`,
 * ...): undo that sort so each part can be found after the previous one in the file.
 */
function inSourceOrder(parts: readonly string[]): string[] {
  const generatedIds = parts.map((_, index) => `policy${index}`).sort();
  const ordered: string[] = new Array<string>(parts.length);
  generatedIds.forEach((id, sortedIndex) => {
    ordered[Number(id.slice('policy'.length))] = parts[sortedIndex] ?? '';
  });
  return ordered;
}

/** Whether a policy's action scope can match `action`, given the action groups it belongs to (transitively). */
function actionMayMatch(scope: ActionConstraint | undefined, action: string, ancestors: ReadonlySet<string>): boolean {
  if (!scope || scope.op === 'All') return true;
  const ids = (uids: unknown[]): string[] =>
    uids.map((uid) => {
      const entity = (uid as { __entity?: { id: string }; id?: string }).__entity ?? (uid as { id?: string });
      return entity.id ?? '';
    });
  if (scope.op === '==') return 'entity' in scope ? ids([scope.entity]).includes(action) : true;
  const targets = 'entities' in scope ? ids(scope.entities) : ids([scope.entity]);
  return targets.some((target) => target === action || ancestors.has(target));
}
