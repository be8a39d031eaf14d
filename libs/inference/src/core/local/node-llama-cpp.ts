import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importEsm } from '@attest/util';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };

export type NodeLlamaCppModule = typeof NodeLlamaCpp;
export type Llama = NodeLlamaCpp.Llama;
export type LlamaModel = NodeLlamaCpp.LlamaModel;
export type LlamaContext = NodeLlamaCpp.LlamaContext;
export type LlamaContextSequence = NodeLlamaCpp.LlamaContextSequence;
export type LlamaEmbeddingContext = NodeLlamaCpp.LlamaEmbeddingContext;
export type LlamaGrammar = NodeLlamaCpp.LlamaGrammar;
export type LlamaText = NodeLlamaCpp.LlamaText;
export type ChatWrapper = NodeLlamaCpp.ChatWrapper;
export type Token = NodeLlamaCpp.Token;

/** node-llama-cpp is ESM with top-level await, so CommonJS code loads it with a real dynamic import. */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  return importEsm<NodeLlamaCppModule>('node-llama-cpp');
}

/**
 * One llama.cpp binding for the process: the prebuilt CPU binary (`build: 'never'` never compiles or downloads),
 * with the thread cap the config gives.
 */
export async function createLlama(threads: number): Promise<{ module: NodeLlamaCppModule; llama: Llama }> {
  const module = await loadNodeLlamaCpp();
  const llama = await module.getLlama({
    gpu: false,
    build: 'never',
    maxThreads: threads,
    logLevel: module.LlamaLogLevel.error,
    // llama.cpp's own chatter would otherwise go to the console; errors surface as exceptions.
    logger: () => undefined,
    progressLogs: false,
  });
  return { module, llama };
}

export type BatchPrioritizationStrategy = NodeLlamaCpp.CustomBatchingPrioritizationStrategy;

/**
 * Two pieces of node-llama-cpp that it does not export: the lock a context's batch loop holds (lifecycle-utils'
 * `withLock`, the very copy node-llama-cpp resolves, or it would be another lock) and its default batch order.
 * The sequence trimmer needs both; node-llama-cpp is pinned exactly, and the trimmer's spec fails if they drift.
 */
export interface NodeLlamaCppInternals {
  withLock<T>(scope: readonly unknown[], callback: () => T | Promise<T>): Promise<T>;
  maximumParallelismStrategy: BatchPrioritizationStrategy;
}

let internals: Promise<NodeLlamaCppInternals> | undefined;

export function loadNodeLlamaCppInternals(): Promise<NodeLlamaCppInternals> {
  internals ??= (async () => {
    const entry = require.resolve('node-llama-cpp');
    const lifecycleUtils = createRequire(entry).resolve('lifecycle-utils');
    const strategyFile = join(dirname(entry), 'evaluator/LlamaContext/utils/batchItemsPrioritizationStrategies/maximumParallelismStrategy.js');
    const [{ withLock }, { maximumParallelismStrategy }] = await Promise.all([
      importEsm<Pick<NodeLlamaCppInternals, 'withLock'>>(pathToFileURL(lifecycleUtils).href),
      importEsm<Pick<NodeLlamaCppInternals, 'maximumParallelismStrategy'>>(pathToFileURL(strategyFile).href),
    ]);
    return { withLock, maximumParallelismStrategy };
  })();
  return internals;
}
