import { RegistryError, RegistryErrorCode } from './registry.errors';

/** Same rules as the `model.name` and `model_alias.name` CHECK constraints (migration 1795613500000). */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const ALIAS_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_VERSION = 2_147_483_647;

/** `llama-3.2-1b@3`: one version of one model. */
export interface VersionRef {
  model: string;
  version: number;
}

/** What a client put in `model`: a pinned version, or a name that is an alias or a model. */
export type RequestedModel = { kind: 'pinned'; model: string; version: number } | { kind: 'name'; name: string };

export function formatVersionRef(ref: VersionRef): string {
  return `${ref.model}@${ref.version}`;
}

function parseVersionNumber(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const version = Number(text);
  return version <= MAX_VERSION ? version : undefined;
}

/**
 * Parses a request's model field without touching the database; nonsense is simply not found.
 *
 * @example
 * parseRequestedModel('summarizer'); // { kind: 'name', name: 'summarizer' }
 * parseRequestedModel('llama@3'); // { kind: 'pinned', model: 'llama', version: 3 }
 */
export function parseRequestedModel(requested: string): RequestedModel {
  const at = requested.lastIndexOf('@');
  if (at > 0) {
    const model = requested.slice(0, at);
    const version = parseVersionNumber(requested.slice(at + 1));
    if (MODEL_NAME_PATTERN.test(model) && version !== undefined) return { kind: 'pinned', model, version };
  } else if (ALIAS_NAME_PATTERN.test(requested)) {
    return { kind: 'name', name: requested };
  }
  throw new RegistryError(RegistryErrorCode.ModelNotFound, `The model '${requested.slice(0, 140)}' does not exist.`);
}

/** @throws RegistryError INVALID_INPUT */
export function parseVersionRef(text: string): VersionRef {
  const at = text.lastIndexOf('@');
  const model = at > 0 ? text.slice(0, at) : '';
  const version = at > 0 ? parseVersionNumber(text.slice(at + 1)) : undefined;
  if (!MODEL_NAME_PATTERN.test(model) || version === undefined) {
    throw new RegistryError(RegistryErrorCode.InvalidInput, `'${text}' is not a model version: expected NAME@VERSION, e.g. llama-3.2-1b@3`);
  }
  return { model, version };
}

/** @throws RegistryError INVALID_INPUT */
export function assertModelName(name: string): void {
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw new RegistryError(RegistryErrorCode.InvalidInput, `'${name}' is not a model name: 1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit`);
  }
}

/** @throws RegistryError INVALID_INPUT */
export function assertAliasName(name: string): void {
  if (!ALIAS_NAME_PATTERN.test(name)) {
    throw new RegistryError(RegistryErrorCode.InvalidInput, `'${name}' is not an alias name: 1-128 of A-Z a-z 0-9 . _ : -, starting with a letter or digit`);
  }
}

/** @throws RegistryError INVALID_INPUT */
export function assertVersionNumber(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new RegistryError(RegistryErrorCode.InvalidInput, `version ${version} is not allowed: a whole number from 1`);
  }
}
