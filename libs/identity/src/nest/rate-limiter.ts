import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { IdentityConfig } from '../core/identity.config';
import { IdentityError, IdentityErrorCode } from '../core/identity.errors';
import type { Principal } from '../core/principal';
import { RATE_LIMIT_WINDOW_MS, rateLimitRetryAfter, rateLimitWindow, type RateLimitBucket, type RateLimitRule } from '../core/rate-limit';
import { IDENTITY_CONFIG } from './identity.tokens';

const RATE_LIMIT_BUCKET = Symbol.for('attest.RateLimitBucket');
/** Old windows are deleted by one caller in this many, so the table stays small without a scheduler. */
const PRUNE_ONE_IN = 200;

/**
 * Counts requests per bucket and subject in PostgreSQL (one conditional upsert), so N replicas enforce one limit, not
 * N times it. Over the limit it throws RATE_LIMITED (429 with Retry-After); nothing is counted for a refused call.
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(IDENTITY_CONFIG) private readonly config: Pick<IdentityConfig, 'signInRateLimit' | 'keyAdminRateLimit'>,
  ) {}

  ruleFor(bucket: RateLimitBucket): RateLimitRule {
    const limit = bucket === 'sign_in' ? this.config.signInRateLimit : this.config.keyAdminRateLimit;
    return { bucket, limit, windowMs: RATE_LIMIT_WINDOW_MS };
  }

  async consume(bucket: RateLimitBucket, subject: string, now: Date = new Date()): Promise<void> {
    const rule = this.ruleFor(bucket);
    const { start } = rateLimitWindow(now, rule.windowMs);
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO rate_limit_counter (bucket, subject, window_start, used) VALUES ($1, $2, $3, 1)
       ON CONFLICT (bucket, subject, window_start) DO UPDATE SET used = rate_limit_counter.used + 1
       WHERE rate_limit_counter.used < $4
       RETURNING used`,
      [bucket, subject.slice(0, 200), start, rule.limit],
    );
    if (Math.floor(Math.random() * PRUNE_ONE_IN) === 0) {
      await this.dataSource.query(`DELETE FROM rate_limit_counter WHERE window_start < $1`, [new Date(start.getTime() - rule.windowMs)]);
    }
    if (rows.length === 0) {
      throw new IdentityError(IdentityErrorCode.RateLimited, undefined, { retryAfterSeconds: rateLimitRetryAfter(now, rule.windowMs) });
    }
  }
}

interface LimitedRequest {
  ip?: string;
  principal?: Principal;
}

/** Applies the route's bucket: per authenticated principal where the route is authenticated, else per source IP. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.get<RateLimitBucket | undefined>(RATE_LIMIT_BUCKET, context.getHandler());
    if (!bucket) return true;
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    const subject = request.principal ? `principal:${request.principal.tenant}:${request.principal.id}` : `ip:${request.ip ?? 'unknown'}`;
    await this.limiter.consume(bucket, subject);
    return true;
  }
}

/**
 * Limits a route to the bucket's rate. Method guards run after class guards, so on an `@Authenticated` controller the
 * principal is known and counted; public routes count per source IP.
 *
 * @example
 * @Post('session') @Public() @RateLimited('sign_in') signIn() { ... }
 */
export function RateLimited(bucket: RateLimitBucket): MethodDecorator {
  return applyDecorators(SetMetadata(RATE_LIMIT_BUCKET, bucket), UseGuards(RateLimitGuard));
}
