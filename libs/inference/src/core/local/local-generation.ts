import type { FinishReason, GenerationRequest, GenerationResult } from '../inference.types';
import type { LlamaContextSequence, LlamaGrammar, Token } from './node-llama-cpp';
import type { NodeLlamaCppModule } from './node-llama-cpp';
import type { RenderedPrompt } from './prompt-renderer';
import { StopSequenceFilter } from './stop-sequence-filter';

type LlamaCompletion = InstanceType<NodeLlamaCppModule['LlamaCompletion']>;

export interface SequenceSlot {
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
}

/** OpenAI's default sampling temperature. */
const defaultTemperature = 1;

/**
 * Runs one generation on a sequence the caller holds. The sequence keeps its tokens afterwards, so the next prompt
 * that starts the same way skips evaluating that prefix (node-llama-cpp aligns the KV cache to the new tokens).
 */
export async function runCompletion(
  slot: SequenceSlot,
  prompt: RenderedPrompt,
  fullPrompt: readonly Token[],
  request: GenerationRequest,
  grammar: LlamaGrammar | undefined,
): Promise<GenerationResult> {
  const { sequence, completion } = slot;
  const room = sequence.contextSize - prompt.promptTokens;
  const maxTokens = Math.min(request.maxTokens ?? room, room);
  // At least the last prompt token is always evaluated: the model needs it to produce the first new token.
  const cachedPromptTokens = Math.min(sequence.compareContextTokens([...fullPrompt]).firstDifferentIndex, prompt.promptTokens - 1);
  const meterBefore = sequence.tokenMeter.getState();
  const predictionsBefore = { ...sequence.tokenPredictions };
  const temperature = request.temperature ?? defaultTemperature;
  // Stop sequences end generation through an abort of our own, so the sequence stops at once and is freed.
  const stopController = new AbortController();
  const signal = request.signal === undefined ? stopController.signal : AbortSignal.any([request.signal, stopController.signal]);
  const onText = request.onText;
  const relay = onText === undefined ? undefined : new DeferredText(onText, () => stopController.abort());
  const stops = new StopSequenceFilter(prompt.stopStrings, (chunk) => relay?.push(chunk));
  const response = await completion.generateCompletionWithMeta(prompt.tokens, {
    maxTokens,
    temperature,
    ...(temperature > 0 && request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    // OpenAI applies no repetition penalty unless asked; node-llama-cpp's default of 1.1 would change the output.
    repeatPenalty: false,
    ...(grammar !== undefined ? { grammar } : {}),
    ...(prompt.stopTriggers.length > 0 ? { customStopTriggers: prompt.stopTriggers } : {}),
    signal,
    stopOnAbortSignal: true,
    onTextChunk: (chunk) => {
      if (stops.push(chunk)) stopController.abort();
    },
    // The caller checked that the prompt fits; never drop its beginning or shift the context behind its back.
    disableContextShift: true,
    contextShiftSize: 0,
  });
  // The meter also counts speculative guesses the model sampled to check and then threw away; they are not output.
  const predictions = sequence.tokenPredictions;
  const discardedGuesses = predictions.refuted - predictionsBefore.refuted + (predictions.unused - predictionsBefore.unused);
  const completionTokens = sequence.tokenMeter.diff(meterBefore).usedOutputTokens - discardedGuesses;
  stops.flush();
  await relay?.settle();
  return {
    text: stops.text,
    finishReason: stops.hasStopped ? 'stop' : toFinishReason(response.metadata.stopReason),
    usage: { promptTokens: prompt.promptTokens, completionTokens, cachedPromptTokens },
  };
}

function toFinishReason(stopReason: 'eogToken' | 'stopGenerationTrigger' | 'customStopTrigger' | 'maxTokens' | 'abort'): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'abort':
      return 'aborted';
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
  }
}

/**
 * Hands generated text to the caller two event-loop turns later, in order, so that the caller's work on each piece
 * (redaction, SSE framing, the socket write) runs while the native thread decodes the next token instead of before
 * that decode starts. node-llama-cpp queues a sequence's next token only after its text callback returns, and on a
 * context with sequences to spare it dispatches the decode from a `setImmediate` of its own, queued after one the
 * callback would queue: one turn later, the caller's work still ran first and held the decode back (~0.4 ms a token
 * in the gateway). A caller that throws stops the generation, and its error is the generation's (node-llama-cpp
 * would only have logged it).
 */
class DeferredText {
  private readonly chunks: string[] = [];
  private flushing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly deliver: (chunk: string) => void,
    private readonly stop: () => void,
  ) {}

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.flushing ??= new Promise((resolve) =>
      setImmediate(() =>
        setImmediate(() => {
          this.flush();
          resolve();
        }),
      ),
    );
  }

  /** Resolves once every piece pushed so far was delivered; rejects with the caller's error if one threw. */
  async settle(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.failure !== undefined) throw this.failure.error;
  }

  private flush(): void {
    this.flushing = undefined;
    for (const chunk of this.chunks.splice(0)) {
      if (this.failure !== undefined) return;
      try {
        this.deliver(chunk);
      } catch (error) {
        this.failure = { error };
        this.stop();
      }
    }
  }
}
