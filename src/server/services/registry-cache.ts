/**
 * A short-lived cache of registry reads on the request path (channels, companies, resolved credentials with their
 * decrypted keys). Every registry change made through this process clears it at once; entries also expire after
 * `ttlMs` (1 s by default), counted from when their read began, so a change made by another process sharing the
 * database is seen within that time. Concurrent misses of one key share one read, and a read that began before a
 * clear() is not cached.
 */
export class RegistryCache {
  readonly #entries = new Map<string, { value: unknown; expires: number }>();
  readonly #loading = new Map<string, Promise<unknown>>();
  #generation = 0;

  constructor(private readonly now: () => number, private readonly ttlMs = 1000, private readonly maxEntries = 10_000) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    const t = this.now();
    if (hit && hit.expires > t) return hit.value as T;
    const pending = this.#loading.get(key);
    if (pending) return pending as Promise<T>;
    const generation = this.#generation;
    const p = load().then((value) => {
      if (value !== undefined && generation === this.#generation) {
        if (this.#entries.size >= this.maxEntries) this.#entries.clear();
        this.#entries.set(key, { value, expires: t + this.ttlMs });
      }
      return value;
    }).finally(() => {
      if (this.#loading.get(key) === p) this.#loading.delete(key);
    });
    this.#loading.set(key, p);
    return p;
  }

  /** Forgets everything, reads in progress included: called after every registry change. */
  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
    this.#loading.clear();
  }
}
