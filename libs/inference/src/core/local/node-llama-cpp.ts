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
