import { InferenceError, InferenceErrorCode } from '../inference.errors';
import type { InferenceConfig } from '../inference.config';
import type { EmbeddingResult, GenerationRequest, GenerationResult, LoadedModelStats, ModelSpec } from '../inference.types';
import { BoundedSlotPool } from './bounded-slot-pool';
import { runCompletion, type SequenceSlot } from './local-generation';
import { loadNodeLlamaCppInternals } from './node-llama-cpp';
import type { Llama, LlamaContext, LlamaEmbeddingContext, LlamaGrammar, LlamaModel, NodeLlamaCppModule, Token } from './node-llama-cpp';
import { PromptRenderer } from './prompt-renderer';
import { SequenceTrimmer } from './sequence-trimmer';

type LocalSource = Extract<ModelSpec['source'], { kind: 'local_gguf' }>;
type LocalModelSettings = Pick<InferenceConfig, 'threads' | 'sequencesPerModel' | 'maxQueue' | 'queueTimeoutMs' | 'contextSize' | 'prefixCache'>;

const maxCachedGrammars = 32;

/**
 * One loaded model version: one context on (possibly shared) weights whose sequences serve concurrent requests
 * (llama.cpp batches them), its LoRA adapters, a bounded queue in front of the sequences, and an embedding context
 * made on first use. The weights belong to the pool, which shares them between versions of the same file.
 */
export class LocalModel {
  private readonly slotPool: BoundedSlotPool<SequenceSlot>;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private embeddingContext: Promise<LlamaEmbeddingContext> | undefined;
  private embeddingContextBytes = 0;
  private embeddingQueue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    nodeLlamaCpp: NodeLlamaCppModule,
    private readonly llama: Llama,
    readonly spec: ModelSpec & { source: LocalSource },
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly trimmer: SequenceTrimmer,
    private readonly draftContext: LlamaContext | undefined,
    private readonly renderer: PromptRenderer,
    private readonly settings: LocalModelSettings,
  ) {
    const speculative = spec.source.speculative;
    const slots = Array.from({ length: context.totalSequences }, () => {
      const tokenPredictor =
        speculative?.kind === 'input_lookup'
          ? new nodeLlamaCpp.InputLookupTokenPredictor({ predictionLength: { max: speculative.maxTokens ?? 3 } })
          : draftContext !== undefined
            ? new nodeLlamaCpp.DraftSequenceTokenPredictor(draftContext.getSequence(), {
                maxTokens: speculative?.kind === 'draft_model' ? (speculative.maxTokens ?? 4) : 4,
                minTokens: speculative?.kind === 'draft_model' ? (speculative.minTokens ?? 1) : 1,
              })
            : undefined;
      const sequence = context.getSequence(tokenPredictor === undefined ? {} : { tokenPredictor });
      return { sequence, completion: new nodeLlamaCpp.LlamaCompletion({ contextSequence: sequence }) };
    });
    this.slotPool = new BoundedSlotPool(slots, {
      maxQueue: settings.maxQueue,
      queueTimeoutMs: settings.queueTimeoutMs,
      label: `model ${spec.name} (${spec.versionId})`,
    });
  }

  /**
   * Creates the version's context (with its LoRA adapters) on weights the pool has loaded, and the draft model's
   * context when speculative decoding uses one.
   */
  static async create(
    nodeLlamaCpp: NodeLlamaCppModule,
    llama: Llama,
    model: LlamaModel,
    spec: ModelSpec & { source: LocalSource },
    settings: LocalModelSettings,
    draftModel?: LlamaModel,
  ): Promise<LocalModel> {
    let draftContext: LlamaContext | undefined;
    try {
      const contextSize = Math.min(spec.contextSize ?? settings.contextSize, model.trainContextSize);
      const adapters = spec.source.loraAdapters ?? [];
      if (draftModel !== undefined) {
        draftContext = await draftModel.createContext({
          contextSize: Math.min(spec.contextSize ?? settings.contextSize, draftModel.trainContextSize),
          sequences: settings.sequencesPerModel,
          threads: settings.threads,
        });
      }
      const trimmer = new SequenceTrimmer(await loadNodeLlamaCppInternals());
      const context = await model.createContext({
        contextSize,
        sequences: settings.sequencesPerModel,
        threads: settings.threads,
        batching: { itemPrioritizationStrategy: trimmer.prioritize },
        ...(adapters.length > 0 ? { lora: { adapters: adapters.map((a) => ({ filePath: a.path, scale: a.scale ?? 1 })) } } : {}),
      });
      trimmer.attach(context);
      return new LocalModel(nodeLlamaCpp, llama, spec, model, context, trimmer, draftContext, new PromptRenderer(nodeLlamaCpp, model), settings);
    } catch (error) {
      await draftContext?.dispose();
      throw new InferenceError(
        InferenceErrorCode.ModelLoadFailed,
        `model ${spec.name} (${spec.versionId}) failed to create its context: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  /** RAM this version holds beyond the shared weights: the KV cache of its context. */
  get contextBytes(): number {
    return this.context.memoryUsage.ram + (this.draftContext?.memoryUsage.ram ?? 0) + this.embeddingContextBytes;
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  get chatWrapperName(): string {
    return this.renderer.chatWrapperName;
  }

  /** A model with requests running or waiting is never unloaded. */
  get busy(): boolean {
    return this.slotPool.active > 0 || this.slotPool.queued > 0;
  }

  stats(): LoadedModelStats {
    const stats: LoadedModelStats = { versionId: this.spec.versionId, activeSequences: this.slotPool.active, queued: this.slotPool.queued };
    if (this.spec.source.speculative === undefined) return stats;
    const predictions = this.slotPool.allSlots.map((slot) => slot.sequence.tokenPredictions);
    return {
      ...stats,
      tokenPredictions: {
        validated: predictions.reduce((sum, p) => sum + p.validated, 0),
        refuted: predictions.reduce((sum, p) => sum + p.refuted, 0),
      },
    };
  }

  countTokens(text: string): number {
    return this.renderer.tokenizeText(text).length;
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const prompt = this.renderer.render(request);
    if (prompt.promptTokens >= this.context.contextSize) {
      throw new InferenceError(
        InferenceErrorCode.ContextOverflow,
        `the prompt has ${prompt.promptTokens} tokens; model ${this.spec.name} takes at most ${this.context.contextSize - 1} ` +
          'so that at least one token can be generated',
      );
    }
    const grammar = request.jsonSchema === undefined ? undefined : await this.grammarFor(request.jsonSchema);
    const fullPrompt = this.renderer.withBos(prompt.tokens);
    const slot = await this.slotPool.acquire((free) => this.pickSlot(free, fullPrompt), request.signal);
    if (slot === undefined) return abortedBeforeStart(prompt.promptTokens);
    try {
      // Cut the sequence back to the prefix it shares with the prompt (all of it without the prefix cache), so that
      // node-llama-cpp finds nothing to erase: its erase would wait for every running generation on this context.
      const shared = this.settings.prefixCache ? slot.sequence.compareContextTokens(fullPrompt).firstDifferentIndex : 0;
      await this.trimmer.trim(slot.sequence, Math.min(shared, fullPrompt.length - 1));
      return await runCompletion(slot, prompt, fullPrompt, request, grammar);
    } catch (error) {
      if (error instanceof InferenceError) throw error;
      if (this.disposed) {
        throw new InferenceError(InferenceErrorCode.ModelUnavailable, `model ${this.spec.versionId} was unloaded`, { cause: error });
      }
      throw new InferenceError(InferenceErrorCode.BackendFailed, `generation failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      this.slotPool.release(slot);
    }
  }

  async embed(inputs: readonly string[], signal?: AbortSignal): Promise<EmbeddingResult> {
    const run = this.embeddingQueue.then(async () => {
      const context = await this.getEmbeddingContext();
      const vectors: number[][] = [];
      let promptTokens = 0;
      for (const input of inputs) {
        signal?.throwIfAborted();
        const length = context.calculateInputLength(input);
        if (length >= this.context.contextSize) {
          throw new InferenceError(
            InferenceErrorCode.ContextOverflow,
            `an input has ${length} tokens; model ${this.spec.name} embeds at most ${this.context.contextSize - 1}`,
          );
        }
        promptTokens += length;
        vectors.push([...(await context.getEmbeddingFor(input)).vector]);
      }
      return { vectors, promptTokens };
    });
    // One embedding evaluation at a time; a failure must not poison the chain for the next caller.
    this.embeddingQueue = run.catch(() => undefined);
    return run;
  }

  /** Frees the version's contexts (not the shared weights); waiting requests fail with MODEL_UNAVAILABLE. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.slotPool.rejectWaiting(
      new InferenceError(InferenceErrorCode.ModelUnavailable, `model ${this.spec.versionId} was unloaded`, { retryAfterSeconds: 1 }),
    );
    const embedding = await this.embeddingContext?.catch(() => undefined);
    await embedding?.dispose();
    await this.context.dispose();
    await this.draftContext?.dispose();
  }

  /** The free sequence whose cached tokens share the longest prefix with the prompt: its KV cache is reused. */
  private pickSlot(free: readonly SequenceSlot[], fullPrompt: Token[]): SequenceSlot {
    let best: SequenceSlot | undefined;
    let bestShared = -1;
    for (const slot of free) {
      const shared = slot.sequence.compareContextTokens(fullPrompt).firstDifferentIndex;
      if (shared > bestShared) [best, bestShared] = [slot, shared];
    }
    if (best === undefined) throw new Error('pickSlot is only called with free slots');
    return best;
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (grammar === undefined) {
      type Schema = Parameters<Llama['createGrammarForJsonSchema']>[0];
      grammar = this.llama.createGrammarForJsonSchema(schema as Schema).catch((error: unknown) => {
        this.grammars.delete(key);
        throw new InferenceError(InferenceErrorCode.InvalidRequest, `the JSON schema cannot be enforced: ${errorMessage(error)}`, {
          cause: error,
        });
      });
      const oldest = this.grammars.keys().next();
      if (this.grammars.size >= maxCachedGrammars && oldest.done !== true) this.grammars.delete(oldest.value);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  private getEmbeddingContext(): Promise<LlamaEmbeddingContext> {
    this.embeddingContext ??= this.model
      .createEmbeddingContext({ contextSize: this.context.contextSize, threads: this.settings.threads })
      .then((context) => {
        // Same shape as the generation context with one sequence: counted against the memory budget from now on.
        this.embeddingContextBytes = Math.ceil(this.context.memoryUsage.ram / this.context.totalSequences);
        return context;
      });
    return this.embeddingContext;
  }
}

function abortedBeforeStart(promptTokens: number): GenerationResult {
  return { text: '', finishReason: 'aborted', usage: { promptTokens, completionTokens: 0, cachedPromptTokens: 0 } };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
