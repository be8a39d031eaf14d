import type { VersionStatus } from './lifecycle';

export type Deployment = 'on_prem' | 'remote';

export interface LocalGgufSource {
  kind: 'local_gguf';
  path: string;
  sha256?: string;
}

export interface RemoteOpenAiSource {
  kind: 'remote_openai';
  /** Base URLs of an OpenAI-compatible pool (vLLM, llama.cpp server, Ollama), e.g. `http://vllm-1:8000/v1`. */
  endpoints: string[];
  /** The model name those servers expect in `model`. */
  servedModel: string;
}

export type ModelSource = LocalGgufSource | RemoteOpenAiSource;

/** Defaults and caps the gateway applies to requests for this version. */
export interface SamplingLimits {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
}

export interface ResolvedLoraAdapter {
  name: string;
  path: string;
  sha256: string;
  scale: number;
}

/** What the gateway needs to serve, police and audit one request: the registry's answer to `model`. */
export interface ResolvedModel {
  /** The client's `model` string, unchanged. */
  requested: string;
  /** The tenant the version belongs to (always set by the registry). */
  tenant?: string;
  /** Set when `requested` named an alias. */
  alias?: string;
  aliasRevision?: number;
  modelName: string;
  version: number;
  versionId: string;
  /** Weights sha256 (local files); null for remote endpoints. */
  sha256: string | null;
  source: ModelSource;
  deployment: Deployment;
  audience: string;
  domain: string;
  /** The most sensitive data class this version may receive (a policy input). */
  dataClassification: string;
  samplingLimits: SamplingLimits;
  contextLength?: number;
  chatTemplate?: string;
  status: VersionStatus;
  /** A deprecated version still serves; the gateway may add a warning header. */
  deprecated: boolean;
  licence: string | null;
  loraAdapters: ResolvedLoraAdapter[];
}
