import { DATABASE_CONNECTION, type DatabaseConnection, migrationStatus } from '@attest/db';
import type { Readiness, ReadinessCheck } from '@attest/contracts';
import { Inject, Injectable } from '@nestjs/common';

/** Answers /readyz: can this replica serve a governed request right now? */
@Injectable()
export class ReadinessService {
  constructor(@Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection) {}

  async check(): Promise<Readiness> {
    const checks = [await this.database(), await this.migrations()];
    return { status: checks.every((check) => check.ok) ? 'ready' : 'not_ready', checks };
  }

  private async database(): Promise<ReadinessCheck> {
    try {
      await this.connection.dataSource.query('SELECT 1');
      return { name: 'database', ok: true, detail: `${this.connection.mode} PostgreSQL reachable` };
    } catch (error) {
      return { name: 'database', ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  private async migrations(): Promise<ReadinessCheck> {
    try {
      const status = await migrationStatus(this.connection.dataSource);
      const ok = status.pending.length === 0 && status.unknown.length === 0;
      const detail = ok
        ? `${status.applied.length} migrations applied`
        : `pending: ${status.pending.join(', ') || 'none'}; unknown: ${status.unknown.join(', ') || 'none'}`;
      return { name: 'migrations', ok, detail };
    } catch (error) {
      return { name: 'migrations', ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
