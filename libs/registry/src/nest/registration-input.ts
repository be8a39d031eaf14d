import { resolve } from 'node:path';
import { sha256File } from '../core/file-digest';
import { readGgufMetadata, type GgufMetadata } from '../core/gguf/gguf-reader';
import { assertModelName, assertVersionNumber } from '../core/model-reference';
import { RegistryError, RegistryErrorCode } from '../core/registry.errors';
import type { Deployment, ModelSource, SamplingLimits } from '../core/resolved-model';
import type { LoraAdapterRecord } from './registry-records';

/** What a person supplies to register a version; everything else is read from the file. */
export interface RegisterVersionInput {
  name: string;
  /** Defaults to the model's next version number. */
  version?: number;
  source: { kind: 'local_gguf'; path: string } | { kind: 'remote_openai'; endpoints: string[]; servedModel: string };
  /** When given, the file must hash to it (e.g. the digest published with the weights). */
  expectedSha256?: string;
  /** Model card (markdown). */
  card?: string;
  /** Overrides `general.license` from the GGUF header. */
  licence?: string;
  deployment?: Deployment;
  audience?: string;
  domain?: string;
  dataClassification?: string;
  samplingLimits?: SamplingLimits;
  loraAdapters?: { name: string; path: string; scale?: number }[];
  /** Called while hashing (multi-GB files take a while). */
  onHashProgress?: (file: string, hashedBytes: number, totalBytes: number) => void;
}

export interface PreparedVersion {
  name: string;
  version?: number;
  source: ModelSource;
  sha256: string | null;
  size: number | null;
  gguf: GgufMetadata | null;
  licence: string | null;
  deployment: Deployment;
  audience: string;
  domain: string;
  dataClassification: string;
  samplingLimits: SamplingLimits;
  card: string;
  adapters: { record: LoraAdapterRecord; gguf: GgufMetadata }[];
}

const MAX_CARD_BYTES = 256 * 1024;
const LABEL = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

function invalid(message: string): RegistryError {
  return new RegistryError(RegistryErrorCode.InvalidInput, message);
}

function label(field: string, value: string | undefined, fallback: string): string {
  const chosen = value ?? fallback;
  if (!LABEL.test(chosen)) throw invalid(`${field} '${chosen}' is not allowed: 1-64 of a-z 0-9 _ . -`);
  return chosen;
}

function samplingLimits(limits: SamplingLimits = {}): SamplingLimits {
  const { maxTokens, temperature, topP } = limits;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 1_000_000)) throw invalid('samplingLimits.maxTokens must be a whole number from 1 to 1000000');
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) throw invalid('samplingLimits.temperature must be from 0 to 2');
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw invalid('samplingLimits.topP must be above 0 and at most 1');
  return { ...(maxTokens === undefined ? {} : { maxTokens }), ...(temperature === undefined ? {} : { temperature }), ...(topP === undefined ? {} : { topP }) };
}

function remoteSource(endpoints: string[], servedModel: string): ModelSource {
  if (endpoints.length === 0 || endpoints.length > 32) throw invalid('a remote source needs 1 to 32 endpoints');
  for (const endpoint of endpoints) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw invalid(`endpoint '${endpoint}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`endpoint '${endpoint}' must be http:// or https://`);
    if (url.username || url.password) throw invalid(`endpoint '${url.host}' must not carry credentials in its URL`);
  }
  if (!servedModel || servedModel.length > 256) throw invalid('servedModel must name the model the endpoints serve (1-256 characters)');
  return { kind: 'remote_openai', endpoints, servedModel };
}

/**
 * Validates the input and reads what the files say about themselves (GGUF header, sha256, size) before anything is
 * written, so a bad file leaves nothing half-registered.
 */
export async function prepareVersion(input: RegisterVersionInput): Promise<PreparedVersion> {
  assertModelName(input.name);
  if (input.version !== undefined) assertVersionNumber(input.version);
  const card = input.card ?? '';
  if (Buffer.byteLength(card) > MAX_CARD_BYTES) throw invalid(`the model card is larger than ${MAX_CARD_BYTES} bytes`);
  if (card.includes('\u0000')) throw invalid('the model card contains a NUL character');
  if (input.expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(input.expectedSha256)) throw invalid('expectedSha256 must be 64 lowercase hex digits');
  const common = {
    name: input.name,
    ...(input.version === undefined ? {} : { version: input.version }),
    audience: label('audience', input.audience, 'internal'),
    domain: label('domain', input.domain, 'general'),
    dataClassification: label('dataClassification', input.dataClassification, 'internal'),
    samplingLimits: samplingLimits(input.samplingLimits),
    card,
  };

  if (input.source.kind === 'remote_openai') {
    if (input.loraAdapters?.length) throw invalid('LoRA adapters apply to local GGUF models only');
    return {
      ...common,
      source: remoteSource(input.source.endpoints, input.source.servedModel),
      sha256: null,
      size: null,
      gguf: null,
      licence: input.licence ?? null,
      deployment: input.deployment ?? 'remote',
      adapters: [],
    };
  }

  const path = resolve(input.source.path);
  const gguf = await readGgufMetadata(path);
  const digest = await sha256File(path, (hashed, total) => input.onHashProgress?.(path, hashed, total));
  if (input.expectedSha256 !== undefined && digest.sha256 !== input.expectedSha256) {
    throw new RegistryError(RegistryErrorCode.IntegrityMismatch, `${path} has sha256 ${digest.sha256}, not the expected ${input.expectedSha256}`);
  }
  const adapters = [];
  for (const adapter of input.loraAdapters ?? []) {
    assertModelName(adapter.name);
    const adapterPath = resolve(adapter.path);
    const adapterGguf = await readGgufMetadata(adapterPath);
    const adapterDigest = await sha256File(adapterPath, (hashed, total) => input.onHashProgress?.(adapterPath, hashed, total));
    const scale = adapter.scale ?? 1;
    if (!(scale > 0 && scale <= 4)) throw invalid(`the scale of adapter ${adapter.name} must be above 0 and at most 4`);
    adapters.push({ record: { name: adapter.name, path: adapterPath, sha256: adapterDigest.sha256, size: adapterDigest.size, scale }, gguf: adapterGguf });
  }
  return {
    ...common,
    source: { kind: 'local_gguf', path },
    sha256: digest.sha256,
    size: digest.size,
    gguf,
    licence: input.licence ?? gguf.licence ?? null,
    deployment: input.deployment ?? 'on_prem',
    adapters,
  };
}
