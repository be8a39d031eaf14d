import { DATABASE_CONNECTION, type DatabaseConnection, migrationStatus } from '@attest/db';
import type { Readiness, ReadinessCheck } from '@attest/contracts';
import { toModelSpec } from '@attest/governance/nest';
import { InferenceRuntime } from '@attest/inference';
import { ModelRegistryService } from '@attest/registry/nest';
import { Inject, Injectable } from '@nestjs/common';

const DEFAULT_TENANT = 'default';

/** Answers /readyz: can this replica serve a governed request right now? */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    private readonly registry: ModelRegistryService,
    private readonly runtime: InferenceRuntime,
  ) {}

  async check(): Promise<Readiness> {
    const checks = [await this.database(), await this.migrations(), await this.models()];
    return { status: checks.every((check) => check.ok) ? 'ready' : 'not_ready', checks };
  }

  private async database(): Promise<ReadinessCheck> {
    return probe('database', async () => {
      // Reachable is not enough: a server that refuses writes (a disk nearly full, a read-only replica after failover)
      // refuses every governed request, because no audit event can commit.
      const rows: { readOnly: string }[] = await this.connection.dataSource.query(`SELECT current_setting('transaction_read_only') AS "readOnly"`);
      if (rows[0]?.readOnly === 'on') throw new Error(`${this.connection.mode} PostgreSQL is read-only: audit events cannot be committed`);
      return `${this.connection.mode} PostgreSQL reachable and writable`;
    });
  }

  private async migrations(): Promise<ReadinessCheck> {
    return probe('migrations', async () => {
      const status = await migrationStatus(this.connection.dataSource);
      if (status.pending.length > 0 || status.unknown.length > 0) {
        throw new Error(`pending: ${status.pending.join(', ') || 'none'}; unknown: ${status.unknown.join(', ') || 'none'}`);
      }
      return `${status.applied.length} migrations applied`;
    });
  }

  /** At least one servable model whose weights (or remote endpoint) can be loaded. */
  private async models(): Promise<ReadinessCheck> {
    return probe('models', async () => {
      const servable = await this.registry.listServable(DEFAULT_TENANT);
      for (const entry of servable) {
        const resolved = await this.registry.resolve(DEFAULT_TENANT, entry.id);
        if (await this.runtime.isLoadable(toModelSpec(resolved))) return `${entry.id} loadable (${servable.length} servable)`;
      }
      throw new Error(servable.length === 0 ? 'no model is registered and active' : 'no servable model can be loaded');
    });
  }
}

async function probe(name: string, run: () => Promise<string>): Promise<ReadinessCheck> {
  try {
    return { name, ok: true, detail: await run() };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
