/**
 * A short-lived cache of registry reads on the request path (channels, companies, resolved credentials with their
 * decrypted keys). Every registry change made through this process clears it at once; entries also expire after
 * `ttlMs` (1 s by default), so a change made by another process sharing the database is seen within that time.
 */
export class RegistryCache {
  readonly #entries = new Map<string, { value: unknown; expires: number }>();

  constructor(private readonly now: () => number, private readonly ttlMs = 1000, private readonly maxEntries = 10_000) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    const t = this.now();
    if (hit && hit.expires > t) return hit.value as T;
    const value = await load();
    if (value !== undefined) {
      if (this.#entries.size >= this.maxEntries) this.#entries.clear();
      this.#entries.set(key, { value, expires: t + this.ttlMs });
    }
    return value;
  }

  /** Forgets everything: called after every registry change. */
  clear(): void {
    this.#entries.clear();
  }
}
