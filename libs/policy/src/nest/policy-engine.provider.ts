import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PolicyBundle } from '../core/policy-bundle';
import { PolicyEngine } from '../core/policy-engine';
import { NetworkZones } from '../core/network-zones';
import type { PolicyConfig } from '../core/policy.config';
import type { PolicyBundleRepository } from './policy-bundle.repository';
import type { PolicySignaturePolicy } from './policy-signature';

export interface PolicyEngineProviderOptions {
  config: Pick<PolicyConfig, 'dir' | 'reloadMs' | 'tenant'> & Partial<Pick<PolicyConfig, 'networkZones'>>;
  repository: PolicyBundleRepository;
  signatures: PolicySignaturePolicy;
  log?: Pick<Logger, 'log' | 'error'>;
}

/**
 * Holds the gateway's {@link PolicyEngine} and keeps it current without a restart: every `reloadMs` it looks for a
 * newly activated bundle in the database (the tenant's latest activation wins) and, while none is activated, for
 * changed files in the policy folder. A new bundle replaces the old one atomically; an invalid or badly signed one is
 * logged and refused, and the last good bundle stays active. Tenants' time zones are refreshed with it.
 */
@Injectable()
export class PolicyEngineProvider implements OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private timeZones = new Map<string, string>();
  private refreshing: Promise<void> | undefined;
  private readonly zones: NetworkZones;

  private constructor(
    private readonly engine: PolicyEngine,
    private readonly options: PolicyEngineProviderOptions,
  ) {
    this.zones = new NetworkZones(options.config.networkZones ?? {});
  }

  /**
   * Loads the active bundle (database first, else the folder) and starts the reload timer. Throws when that bundle
   * is invalid or badly signed: a gateway never starts without a valid policy.
   */
  static async create(options: PolicyEngineProviderOptions): Promise<PolicyEngineProvider> {
    const bundle = await PolicyEngineProvider.loadBundle(options, await options.repository.activeSha256(options.config.tenant));
    bundle.assertValid();
    options.signatures.check(bundle);
    const provider = new PolicyEngineProvider(new PolicyEngine(bundle), options);
    provider.timeZones = await options.repository.tenantTimeZones();
    if (options.config.reloadMs > 0) {
      provider.timer = setInterval(() => void provider.refresh(), options.config.reloadMs);
      provider.timer.unref();
    }
    return provider;
  }

  /** The engine to decide with (the same instance across reloads; its bundle is swapped atomically). */
  current(): PolicyEngine {
    return this.engine;
  }

  /** The named network zone of a client address (ATTEST_POLICY_NETWORK_ZONES; `internet` when unlisted). */
  networkOf(address: string | undefined): string {
    return this.zones.zoneOf(address);
  }

  /** IANA time zone of a tenant (UTC for a tenant this replica does not know yet). */
  timeZoneOf(tenant: string): string {
    return this.timeZones.get(tenant) ?? 'UTC';
  }

  /** Checks once for a new bundle and new time zones; never throws (a failure keeps the current bundle). */
  refresh(): Promise<void> {
    this.refreshing ??= this.reload().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async reload(): Promise<void> {
    const log = this.options.log ?? new Logger(PolicyEngineProvider.name);
    try {
      this.timeZones = await this.options.repository.tenantTimeZones();
      const activeSha256 = await this.options.repository.activeSha256(this.options.config.tenant);
      if (activeSha256 === this.engine.bundleSha256) return;
      const bundle = await PolicyEngineProvider.loadBundle(this.options, activeSha256);
      if (bundle.sha256 === this.engine.bundleSha256) return;
      this.options.signatures.check(bundle);
      this.engine.replaceBundle(bundle);
      log.log(`policy bundle ${bundle.sha256} is now active`);
    } catch (error) {
      log.error(`policy reload refused, bundle ${this.engine.bundleSha256} stays active: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The activated bundle from the database, or the policy folder while none is activated. */
  private static async loadBundle(options: PolicyEngineProviderOptions, activeSha256: string | undefined): Promise<PolicyBundle> {
    if (activeSha256 === undefined) return PolicyBundle.fromDirectory(options.config.dir);
    const stored = await options.repository.findBySha256(options.config.tenant, activeSha256);
    if (!stored) throw new Error(`activated bundle ${activeSha256} is missing from policy_bundle`);
    return stored;
  }
}
