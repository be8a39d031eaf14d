import { APPROVER_ROLE, type RegistryActor } from '@attest/registry';
import { basename } from 'node:path';

/**
 * The CLI runs as an operator with shell and database access, so it holds the approver role; four-eyes still
 * applies between the `--as` names (or `cli`) recorded for registration and approval.
 */
export function cliActor(as: string | undefined, tenant: string): RegistryActor {
  return { id: as ?? 'cli', kind: 'user', tenant, roles: [APPROVER_ROLE], authMethod: 'cli' };
}

const MIB = 1024 * 1024;

/** A one-line progress bar on stderr while a multi-GB file is hashed (redrawn in place on a terminal). */
export function hashProgressPrinter(stream: NodeJS.WriteStream = process.stderr): (file: string, hashed: number, total: number) => void {
  let lastPercent = -1;
  return (file, hashed, total) => {
    const percent = total === 0 ? 100 : Math.floor((hashed / total) * 100);
    if (percent === lastPercent) return;
    lastPercent = percent;
    const filled = Math.round(percent / 5);
    const line = `hashing ${basename(file)} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${percent}% ${(hashed / MIB).toFixed(1)}/${(total / MIB).toFixed(1)} MiB`;
    if (stream.isTTY) stream.write(`\r${line}${percent === 100 ? '\n' : ''}`);
    else if (percent === 100 || percent % 25 === 0) stream.write(`${line}\n`);
    if (percent === 100) lastPercent = -1;
  };
}
