import { importEsm } from '@attest/util';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co/';

export class PullError extends Error {
  override name = 'PullError';
}

/**
 * Fails fast, with a message a person can act on, where there is no route to the model host: node-llama-cpp's
 * downloader otherwise retries for minutes on an offline machine.
 */
export async function assertReachable(endpoint: string, timeoutMs = 10_000): Promise<void> {
  try {
    await fetch(endpoint, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new PullError(
      `cannot reach ${endpoint} (${cause}): this machine looks offline. Download the GGUF file where there is internet, copy it here and run \`attest models register FILE --name NAME\``,
    );
  }
}

/**
 * Downloads `hf:<user>/<repo>/<file>` (or an https URL) into `dir` through node-llama-cpp's model downloader, which
 * resumes an interrupted download and draws a progress bar. Returns the downloaded file's path.
 */
export async function pullModel(uri: string, dir: string, endpoint: string = DEFAULT_HF_ENDPOINT): Promise<string> {
  if (!/^(hf:[^/\s]+\/[^/\s]+\/\S+\.gguf(#\S+)?|https:\/\/\S+\.gguf)$/.test(uri)) {
    throw new PullError(`"${uri}" is not a model URI: expected hf:<user>/<repo>/<file>.gguf or https://…/<file>.gguf`);
  }
  await assertReachable(uri.startsWith('hf:') ? endpoint : new URL(uri).origin);
  const target = resolve(dir);
  await mkdir(target, { recursive: true });
  const { createModelDownloader } = await importEsm<typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } })>('node-llama-cpp');
  const downloader = await createModelDownloader({
    modelUri: uri,
    dirPath: target,
    showCliProgress: true,
    deleteTempFileOnCancel: false,
    endpoints: { huggingFace: endpoint },
  });
  return downloader.download();
}
