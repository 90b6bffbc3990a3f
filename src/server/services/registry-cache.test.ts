import { describe, expect, it } from 'vitest';
import { RegistryCache } from './registry-cache.js';

/** A read whose result the test hands over when it wants: stands for a registry read in progress. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RegistryCache', () => {
  it('serves a value until one TTL after its read began, then reads again', async () => {
    let now = 1000;
    const cache = new RegistryCache(() => now, 1000);
    let reads = 0;
    const load = async (): Promise<string> => `v${++reads}`;
    expect(await cache.get('k', load)).toBe('v1');
    now = 1999;
    expect(await cache.get('k', load)).toBe('v1');
    now = 2000;
    expect(await cache.get('k', load)).toBe('v2');
  });

  it('shares one read between concurrent misses of a key', async () => {
    const cache = new RegistryCache(() => 0);
    const read = deferred<string>();
    let reads = 0;
    const load = (): Promise<string> => {
      reads++;
      return read.promise;
    };
    const all = Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    read.resolve('value');
    expect(await all).toEqual(['value', 'value', 'value']);
    expect(reads).toBe(1);
  });

  it('does not cache a read that began before a clear(), and does not cache absent values', async () => {
    const cache = new RegistryCache(() => 0);
    const stale = deferred<string>();
    const before = cache.get('k', () => stale.promise);
    cache.clear(); // e.g. the credential was revoked through this process while the read was under way
    stale.resolve('active');
    expect(await before).toBe('active');
    expect(await cache.get('k', async () => 'disabled')).toBe('disabled');
    let reads = 0;
    const missing = async (): Promise<undefined> => {
      reads++;
      return undefined;
    };
    await cache.get('gone', missing);
    await cache.get('gone', missing);
    expect(reads).toBe(2);
  });
});
