import { createPiiEngine, piiConfig, piiEngineOptions, scanJsonLines, type ScanOptions } from '@attest/pii';
import type { Command } from 'commander';
import { createInterface } from 'node:readline';

export function registerPiiCommand(program: Command): void {
  program
    .command('pii')
    .description('PII detection and redaction')
    .command('scan')
    .description('read JSON lines {"text": "..."} on stdin; write {"findings": [...], "redacted": "..."} per line')
    .option('--operator <name>', 'redact | mask | replace | hash | pseudonymise | keep (default replace)')
    .option('--types <list>', 'comma-separated entity types to look for (default: all)')
    .option('--key <secret>', 'HMAC key for --operator hash (16 bytes or more)')
    .action(async (options: ScanOptions) => {
      const engine = createPiiEngine(piiEngineOptions(piiConfig.load()));
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of scanJsonLines(engine, lines, options)) process.stdout.write(`${line}\n`);
    });
}
