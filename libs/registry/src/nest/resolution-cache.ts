/** How long a resolution is reused when nothing in this process changed the registry (other replicas, the CLI). */
export const DEFAULT_RESOLUTION_CACHE_MS = 1_000;
/** Distinct (tenant, model name) pairs kept; past this the cache starts over rather than grow without bound. */
const MAX_ENTRIES = 1_000;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Successful resolutions kept briefly, so the request path does not read the registry's tables on every call. This
 * process's own registry acts (register, approve, promote, deprecate, retire, alias changes) clear it at once; acts
 * of other processes take effect within `ttlMs`. Failures are never kept, so a model registered elsewhere is served
 * on the next request. A lookup that began before a clear does not store its (possibly stale) answer.
 */
export class ResolutionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    }
    return value;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
