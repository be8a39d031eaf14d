import type { QuotaObligation } from '@attest/policy';
import { QuotaService, type QuotaSubject } from '@attest/policy/nest';
import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** How long token counts wait in memory before they are added to the shared counters. */
export const TOKEN_FLUSH_INTERVAL_MS = 1_000;
/** Distinct subjects held before an early flush, so a burst of many callers cannot grow the buffer without bound. */
const MAX_PENDING_SUBJECTS = 5_000;

interface PendingUsage {
  subject: QuotaSubject;
  budgets: QuotaObligation[];
  tokens: number;
  /** When the first of these tokens was used: its UTC day is the window they count in. */
  usedAt: Date;
}

/**
 * Adds served requests' tokens to their daily token budgets, batched: usage is summed per subject in memory and written
 * once a second in one transaction per subject, instead of a four-statement transaction per request. Budgets are rate
 * limits, not evidence (the audit log holds every request's usage), and `admit` checks them before each request; a
 * budget may so be overrun by at most a second of traffic, as concurrent requests could already overrun it. Usage
 * still waiting is written on shutdown, and usage of requests that finish during shutdown at once; a crash loses at
 * most that second of counts, like the counters' asynchronous commit (QuotaService). A failed write is logged and
 * dropped, as a per-request write that failed was.
 */
@Injectable()
export class TokenUsageRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('governance');
  private pending = new Map<string, PendingUsage>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private draining = false;

  constructor(private readonly quotas: QuotaService) {}

  /** Counts `tokens` against every `tokens_per_day` budget among `quotas`; written within a second. */
  record(subject: QuotaSubject, quotas: readonly QuotaObligation[], tokens: number, now: Date = new Date()): void {
    const budgets = quotas.filter((quota) => quota.metric === 'tokens_per_day');
    if (budgets.length === 0 || !(tokens > 0)) return;
    const key = JSON.stringify([now.toISOString().slice(0, 10), subject.tenant, subject.principalId, subject.keyId ?? null, subject.teams, budgets]);
    const entry = this.pending.get(key);
    if (entry) entry.tokens += tokens;
    else this.pending.set(key, { subject, budgets, tokens, usedAt: now });
    if (this.draining || this.pending.size >= MAX_PENDING_SUBJECTS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), TOKEN_FLUSH_INTERVAL_MS).unref();
  }

  /** Writes everything counted so far; resolves once it is written (or has failed and been logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    // Batches are written one after the other, so a flush resolves only after the ones before it.
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  /**
   * Writes what is held; requests still finishing while the HTTP server drains (Nest closes it after this hook, and
   * the database pool after that) have their usage written at once.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    await this.flush();
  }

  private async write(batch: readonly PendingUsage[]): Promise<void> {
    for (const usage of batch) {
      try {
        await this.quotas.recordTokens(usage.subject, usage.budgets, usage.tokens, usage.usedAt);
      } catch (error) {
        this.logger.warn(`token budget not updated with ${usage.tokens} tokens: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
