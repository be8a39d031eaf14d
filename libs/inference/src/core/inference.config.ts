import { availableParallelism } from 'node:os';
import { booleanFlag, defineConfig } from '@attest/config';
import { z } from 'zod';

const wholeNumber = (min: number, max: number) =>
  z.coerce.number({ message: 'expected a number' }).int('expected a whole number').min(min, `expected ${min}..${max}`).max(max, `expected ${min}..${max}`);

/**
 * node-llama-cpp's default of 4 threads makes generation hundreds of times slower on a 2-core VM (threads fight for
 * cores); half the cores, at least one, is the safe default.
 */
export const defaultLlamaThreads = Math.max(1, Math.floor(availableParallelism() / 2));

/**
 * The inference namespace: local llama.cpp pool sizing and remote backend behaviour.
 *
 * @example
 * const runtime = new InferenceRuntime(inferenceConfig.load()); // ATTEST_LLAMA_THREADS=2 ATTEST_LLAMA_SEQUENCES=8 ...
 */
export const inferenceConfig = defineConfig('inference', {
  threads: {
    env: 'ATTEST_LLAMA_THREADS',
    schema: wholeNumber(1, 256).default(defaultLlamaThreads),
    description: `CPU threads per llama.cpp evaluation (1..256; default half the cores, here ${defaultLlamaThreads})`,
  },
  memoryBudgetMb: {
    env: 'ATTEST_LLAMA_MEMORY_BUDGET_MB',
    schema: wholeNumber(1, 4_194_304).default(4096),
    description: 'RAM for loaded local models and their contexts in MiB; the least recently used idle model is unloaded beyond it (default 4096)',
  },
  sequencesPerModel: {
    env: 'ATTEST_LLAMA_SEQUENCES',
    schema: wholeNumber(1, 64).default(4),
    description: 'requests one local model runs at once, as sequences of one shared context (1..64, default 4)',
  },
  maxQueue: {
    env: 'ATTEST_LLAMA_MAX_QUEUE',
    schema: wholeNumber(0, 100_000).default(32),
    description: 'requests that may wait for a busy local model; more are refused with QUEUE_FULL (0..100000, default 32)',
  },
  queueTimeoutMs: {
    env: 'ATTEST_LLAMA_QUEUE_TIMEOUT_MS',
    schema: wholeNumber(1, 3_600_000).default(30_000),
    description: 'longest a request waits in a local model queue in milliseconds (default 30000)',
  },
  contextSize: {
    env: 'ATTEST_LLAMA_CONTEXT_SIZE',
    schema: wholeNumber(64, 1_048_576).default(4096),
    description: 'tokens per sequence, capped at what the model was trained on (64..1048576, default 4096)',
  },
  prefixCache: {
    env: 'ATTEST_LLAMA_PREFIX_CACHE',
    schema: booleanFlag.default(true),
    description: 'reuse the KV cache of a shared prompt prefix across requests (true/false, default true)',
  },
  remoteTimeoutMs: {
    env: 'ATTEST_REMOTE_TIMEOUT_MS',
    schema: wholeNumber(100, 3_600_000).default(120_000),
    description: 'per-attempt timeout for remote OpenAI-compatible backends in milliseconds (default 120000)',
  },
  remoteRetries: {
    env: 'ATTEST_REMOTE_RETRIES',
    schema: wholeNumber(0, 10).default(2),
    description: 'extra attempts after a retryable remote failure, across endpoints (0..10, default 2)',
  },
  remoteCooldownMs: {
    env: 'ATTEST_REMOTE_COOLDOWN_MS',
    schema: wholeNumber(0, 3_600_000).default(15_000),
    description: 'how long a failed remote endpoint is skipped before it is tried again, in milliseconds (default 15000)',
  },
});

export type InferenceConfig = ReturnType<typeof inferenceConfig.load>;
