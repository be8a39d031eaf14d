import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { addCheckpoint, createCosigner, parseVerifierKey, type WitnessedHead, type WitnessedLog } from '@attest/audit';
import { loadOrCreateSigningKey } from '@attest/audit/nest';
import type { Command } from 'commander';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const MAX_BODY = 64 * 1024;

interface WitnessOptions {
  keyFile: string;
  name: string;
  state: string;
  log?: string[];
  port: string;
  host: string;
}

/** Latest cosigned head per origin, persisted (fsync + rename) before any cosignature leaves the witness. */
class WitnessState {
  private readonly heads = new Map<string, WitnessedHead>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {
    if (existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { size: number; root: string }>;
      for (const [origin, head] of Object.entries(saved)) this.heads.set(origin, { size: head.size, root: Buffer.from(head.root, 'base64') });
    }
  }

  get(origin: string): WitnessedHead | undefined {
    return this.heads.get(origin);
  }

  /** Runs check-and-persist one request at a time (tlog-witness: the two must be atomic). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async set(origin: string, head: WitnessedHead): Promise<void> {
    this.heads.set(origin, head);
    const saved = Object.fromEntries([...this.heads].map(([key, value]) => [key, { size: value.size, root: value.root.toString('base64') }]));
    const temporary = `${this.path}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(saved, null, 2));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
  }
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) resolve(undefined);
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseLogs(entries: string[]): WitnessedLog[] {
  const byOrigin = new Map<string, WitnessedLog>();
  for (const entry of entries) {
    const verifier = parseVerifierKey(entry);
    const log = byOrigin.get(verifier.name) ?? { origin: verifier.name, verifiers: [] };
    byOrigin.set(verifier.name, { origin: log.origin, verifiers: [...log.verifiers, verifier] });
  }
  return [...byOrigin.values()];
}

export function registerWitnessCommand(program: Command): void {
  const witness = program.command('witness').description('a C2SP tlog-witness an auditor runs on their own machine: cosigns only consistent checkpoints');

  witness
    .command('key')
    .description("print the witness's verifier key (creates the key file on first use)")
    .requiredOption('--key-file <file>', 'PEM Ed25519 key of the witness')
    .requiredOption('--name <name>', 'witness name, e.g. auditor.example/w1')
    .action(async (options: { keyFile: string; name: string }) => {
      process.stdout.write(`${createCosigner(options.name, await loadOrCreateSigningKey(options.keyFile)).verifierKey}\n`);
    });

  witness
    .command('serve')
    .description('serve POST /add-checkpoint (c2sp.org/tlog-witness) for the logs given with --log')
    .requiredOption('--key-file <file>', 'PEM Ed25519 key of the witness (created when missing)')
    .requiredOption('--name <name>', 'witness name, e.g. auditor.example/w1')
    .requiredOption('--state <file>', 'JSON file holding the latest cosigned checkpoint per log')
    .requiredOption('--log <verifierKey>', "a log's verifier key; its name is the log origin (repeatable)", collect)
    .option('--port <port>', 'TCP port', '7380')
    .option('--host <host>', 'interface', '127.0.0.1')
    .action(async (options: WitnessOptions) => {
      const cosigner = createCosigner(options.name, await loadOrCreateSigningKey(options.keyFile));
      const logs = parseLogs(options.log ?? []);
      const state = new WitnessState(options.state);
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        void (async () => {
          if (request.method !== 'POST' || request.url?.replace(/\/+$/, '') !== '/add-checkpoint') {
            response.writeHead(404).end('not found\n');
            return;
          }
          const body = await readBody(request);
          if (body === undefined) {
            response.writeHead(413).end('request too large\n');
            return;
          }
          const outcome = await state.exclusive(async () => {
            const result = addCheckpoint(body, logs, (origin) => state.get(origin), cosigner, Math.floor(Date.now() / 1000));
            if (result.status === 200) await state.set(result.origin, result.head);
            return result;
          });
          response.writeHead(outcome.status, { 'content-type': outcome.status === 200 ? 'text/plain; charset=utf-8' : (('contentType' in outcome && outcome.contentType) || 'text/plain; charset=utf-8') });
          response.end(outcome.body);
        })().catch((error: unknown) => {
          response.writeHead(500).end(`${(error as Error).message}\n`);
        });
      });
      await new Promise<void>((resolve) => server.listen(Number(options.port), options.host, resolve));
      process.stdout.write(`witness ${cosigner.verifierKey} listening on http://${options.host}:${options.port}/add-checkpoint\n`);
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => resolve()));
      });
    });
}
