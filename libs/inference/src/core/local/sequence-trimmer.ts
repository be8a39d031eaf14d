import type { BatchPrioritizationStrategy, LlamaContext, LlamaContextSequence, NodeLlamaCppInternals, Token } from './node-llama-cpp';

/**
 * Cuts a reused sequence back to the prefix its next prompt shares, without waiting for other requests to finish.
 *
 * Why: node-llama-cpp 3.21.1 holds a context's lock for its whole batch loop, and the loop goes on while any sequence
 * has a token queued, so under load it never ends. Erasing a sequence's old tokens takes that same lock, so a new
 * request on a busy model produced nothing until every running generation had ended (stalls of seconds, measured in
 * bench/gateway/README.md). The loop asks its batch prioritisation strategy which tokens to decode at the start of
 * every round, holding the lock with the native context idle: that is where the waiting sequences are cut, by the
 * same native calls node-llama-cpp's own erase makes, before its default batch order is applied. When no loop runs,
 * the trimmer takes the lock itself. Sequences this cannot handle in place (speculative predictions, models that
 * need checkpoints) take node-llama-cpp's own path.
 */
export class SequenceTrimmer {
  private readonly waiting: PendingTrim[] = [];
  private context: LlamaContext | undefined;

  constructor(private readonly internals: NodeLlamaCppInternals) {}

  /** The batch strategy the context is created with. */
  readonly prioritize: BatchPrioritizationStrategy = (options) => {
    this.trimWaiting();
    return this.internals.maximumParallelismStrategy(options);
  };

  /** The context whose strategy is `prioritize` (it exists only after the strategy was handed to it). */
  attach(context: LlamaContext): void {
    this.context = context;
  }

  /** Leaves the sequence holding only its first `keep` tokens. The caller holds the sequence: nothing evaluates on it. */
  async trim(sequence: LlamaContextSequence, keep: number): Promise<void> {
    if (keep >= sequence.nextTokenIndex) return;
    const state = trimmableState(sequence);
    const context = this.context;
    if (state !== undefined && context !== undefined) {
      const trimmed = new Promise<boolean>((resolve, reject) => this.waiting.push({ sequence, state, keep, resolve, reject }));
      // With no batch loop running nobody asks the strategy, so the lock is taken here; a loop drains it sooner.
      void this.internals.withLock([context, 'context'], () => this.trimWaiting()).catch(() => undefined);
      if (await trimmed) return;
    }
    await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  }

  /** Runs only while the context's lock is held and no decode is in flight. */
  private trimWaiting(): void {
    for (const pending of this.waiting.splice(0)) {
      try {
        // The native context may be gone by now (the model was unloaded): never call into it then.
        if (pending.sequence.disposed || this.context?.disposed === true) throw new Error('the model context was disposed');
        pending.resolve(trimInPlace(pending.state, pending.keep));
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}

interface PendingTrim {
  sequence: LlamaContextSequence;
  state: SequenceState;
  keep: number;
  /** false: the native cache refused a partial removal, and node-llama-cpp's own path must re-evaluate. */
  resolve(trimmed: boolean): void;
  reject(error: unknown): void;
}

/** The private state of a node-llama-cpp 3.21.1 sequence that its erase edits (checked before each use). */
interface SequenceState {
  _sequenceId: number;
  _contextTokens: Token[];
  _nextTokenIndex: number;
  _loadedTokenPredictions: unknown[];
  _resetTokenPredictor: boolean;
  _context: { _ctx: NativeContext };
}

interface NativeContext {
  removeTokenCellsFromSequence(sequenceId: number, start: number, end: number): boolean;
  disposeSequence(sequenceId: number): void;
  getSequenceKvCacheMinPosition(sequenceId: number): number;
}

function trimmableState(sequence: LlamaContextSequence): SequenceState | undefined {
  if (sequence.tokenPredictor !== undefined || sequence.needsCheckpoints || sequence.disposed) return undefined;
  const state = sequence as unknown as Partial<SequenceState>;
  const native = state._context?._ctx;
  const shaped =
    typeof state._sequenceId === 'number' &&
    Array.isArray(state._contextTokens) &&
    state._contextTokens.length === state._nextTokenIndex &&
    Array.isArray(state._loadedTokenPredictions) &&
    state._loadedTokenPredictions.length === 0 &&
    typeof native?.removeTokenCellsFromSequence === 'function' &&
    typeof native.disposeSequence === 'function' &&
    typeof native.getSequenceKvCacheMinPosition === 'function';
  return shaped ? (state as SequenceState) : undefined;
}

/** What node-llama-cpp's `_eraseContextTokenRanges` does for one range that runs to the end, minus its lock. */
function trimInPlace(state: SequenceState, keep: number): boolean {
  const native = state._context._ctx;
  const end = state._nextTokenIndex;
  if (keep >= end) return true;
  if (keep <= Math.max(0, native.getSequenceKvCacheMinPosition(state._sequenceId))) {
    // The cache cannot lose its start in place; node-llama-cpp drops the sequence, which is all there is to do for 0.
    if (keep > 0) return false;
    native.disposeSequence(state._sequenceId);
    state._contextTokens = [];
  } else {
    if (!native.removeTokenCellsFromSequence(state._sequenceId, keep, end)) return false;
    state._contextTokens.splice(keep);
  }
  state._nextTokenIndex = keep;
  state._resetTokenPredictor = true;
  return true;
}
