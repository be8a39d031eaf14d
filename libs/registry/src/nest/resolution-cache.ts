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
 * on the next request. A lookup that began before a clear does not store its (possibly stale) answer. Callers that miss
 * while a lookup of their key is on its way share it: a burst of requests after the answer expired reads the tables
 * once, not once per request.
 */
export class ResolutionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, Promise<T>>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const lookup = load()
      .then((value) => {
        if (generation === this.generation) {
          if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
          this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
        }
        return value;
      })
      .finally(() => {
        if (this.inFlight.get(key) === lookup) this.inFlight.delete(key);
      });
    this.inFlight.set(key, lookup);
    return lookup;
  }

  /** Forgets every answer, and lets no later caller join a lookup that began before (it may read the old registry). */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.inFlight.clear();
  }
}
