/** Where a model version's weights live: a GGUF file run in-process, or an OpenAI-compatible server the enterprise runs. */
export type ModelSource =
  | {
      kind: 'local_gguf';
      path: string;
      /** Hex sha256 of the file; when given, a file that differs is refused before it is loaded. */
      sha256?: string;
      /** LoRA adapters (GGUF) applied to this version's context; `scale` defaults to 1. */
      loraAdapters?: { path: string; scale?: number }[];
      /** Speculative decoding: cheap guesses the model verifies in one batch; the output itself does not change. */
      speculative?: SpeculativeDecoding;
    }
  | {
      kind: 'remote_openai';
      /** Base URLs that end before `/chat/completions`, e.g. `http://vllm-1:8000/v1`; tried in order (failover). */
      endpoints: string[];
      /** The model name the remote server knows. */
      servedModel: string;
      apiKey?: string;
      timeoutMs?: number;
    };

/**
 * `input_lookup` guesses the next tokens by finding the last generated ones in the prompt (pays off when the answer
 * quotes its input: summaries, edits, extraction). `draft_model` lets a small model of the same tokenizer guess.
 */
export type SpeculativeDecoding =
  | { kind: 'input_lookup'; maxTokens?: number }
  | {
      kind: 'draft_model';
      path: string;
      sha256?: string;
      /** Most tokens drafted ahead (default 4). */
      maxTokens?: number;
      /** Tokens the model waits for the draft to guess before each step (default 1; 0 never waits). */
      minTokens?: number;
    };

export interface ModelSpec {
  /** Identifies the (immutable) model version; the pool keys loaded models by it. */
  versionId: string;
  name: string;
  source: ModelSource;
  /** Tokens per sequence; defaults to the runtime's configured size, capped at the model's training context. */
  contextSize?: number;
  embedding?: boolean;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerationRequest {
  /** Chat completion input; give either `messages` or `prompt`. */
  messages?: ChatMessage[];
  /** Plain completion input. */
  prompt?: string;
  maxTokens?: number;
  /** Defaults to 1 (OpenAI's default); 0 is greedy. */
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  /** Structured output: generation is constrained by a grammar built from this JSON schema, so the text parses. */
  jsonSchema?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Streaming: called with each chunk of generated text as soon as it is final. */
  onText?: (chunk: string) => void;
}

export type FinishReason = 'stop' | 'length' | 'aborted';

export interface GenerationUsage {
  /** Every token of the prompt as the model saw it (BOS and chat template included), cached or not. */
  promptTokens: number;
  /** Tokens the model sampled, stop-sequence and end-of-generation tokens included. */
  completionTokens: number;
  /** Prompt tokens whose KV cache was reused from an earlier request (local models; 0 for remote ones). */
  cachedPromptTokens?: number;
}

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  usage: GenerationUsage;
}

export interface EmbeddingResult {
  vectors: number[][];
  promptTokens: number;
}

export interface LoadedModelStats {
  versionId: string;
  activeSequences: number;
  queued: number;
  /** Speculative decoding: guessed tokens the model confirmed (`validated`) or rejected (`refuted`). */
  tokenPredictions?: { validated: number; refuted: number };
}

export interface RuntimeStats {
  loadedModels: LoadedModelStats[];
  /** GGUF files whose weights are in memory; versions of one file (LoRA variants) share a single copy. */
  loadedWeightFiles: string[];
}
