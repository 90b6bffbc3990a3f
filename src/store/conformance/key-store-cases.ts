import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataKeyRecord, KeyStore } from '../port.js';
import { expectBytes } from './assertions.js';
import { at, cipherBytes } from './fixtures.js';

/** Compares a key read back with the one stored, the wrapped bytes byte by byte (a Buffer is a Uint8Array too). */
function expectKey(got: DataKeyRecord | undefined, expected: DataKeyRecord): void {
  expect(got).toBeDefined();
  const { wrapped, ...rest } = got!;
  const { wrapped: expectedWrapped, ...expectedRest } = expected;
  expect(rest).toEqual(expectedRest);
  expectBytes(wrapped, expectedWrapped);
}

/**
 * The key store's conformance cases: every KeyStore adapter runs these, through the port only. `open` must return
 * an empty key store each time; the suite closes it after each test.
 *
 * @example
 * runKeyStoreConformance('sqlite', () => openSqliteKeyStore({ file: ':memory:' }));
 */
export function runKeyStoreConformance(name: string, open: () => Promise<KeyStore> | KeyStore): void {
  describe(`key store conformance: ${name}`, () => {
    let keys: KeyStore;
    let n = 0;
    const key = (ownerId: string, over: Partial<DataKeyRecord> = {}): DataKeyRecord => {
      n += 1;
      return { id: `${ownerId}:dk_test_${String(n).padStart(6, '0')}`, ownerId, kekId: 'kek_a', wrapped: cipherBytes(60), createdAt: at(n), ...over };
    };

    beforeEach(async () => {
      keys = await open();
    });
    afterEach(async () => {
      await keys.close();
    });

    it('stores wrapped keys byte-exact; the newest key of an owner is its current one', async () => {
      const first = key('co_1', { wrapped: cipherBytes(300) });
      const second = key('co_1');
      const other = key('co_2');
      for (const k of [first, second, other]) await keys.createDataKey(k);
      expectKey(await keys.getDataKey(first.id), first);
      expectKey(await keys.currentDataKey('co_1'), second);
      expectKey(await keys.currentDataKey('co_2'), other);
      expect(await keys.currentDataKey('co_none')).toBeUndefined();
      expect(await keys.getDataKey('co_1:dk_test_missing')).toBeUndefined();
      await expect(keys.createDataKey({ ...other, ownerId: 'co_3' })).rejects.toThrow();
    });

    it('lists keys of other master keys oldest first, re-wraps each once (compare-and-set) and counts per master key', async () => {
      const ks = [key('co_1'), key('co_2'), key('co_1', { kekId: 'kek_b' }), key('co_3')];
      for (const k of ks) await keys.createDataKey(k);
      expect(await keys.countDataKeysByKek()).toEqual({ kek_a: 3, kek_b: 1 });
      expect((await keys.listDataKeysNotWrappedBy('kek_b', 2)).map((k) => k.id)).toEqual([ks[0]!.id, ks[1]!.id]);
      const rewrapped = cipherBytes(61);
      expect(await keys.rewrapDataKey(ks[0]!.id, 'kek_a', 'kek_b', rewrapped)).toBe(true);
      expect(await keys.rewrapDataKey(ks[0]!.id, 'kek_a', 'kek_b', cipherBytes(62))).toBe(false);
      const got = await keys.getDataKey(ks[0]!.id);
      expect(got?.kekId).toBe('kek_b');
      expectBytes(got?.wrapped, rewrapped);
      expect((await keys.listDataKeysNotWrappedBy('kek_b', 10)).map((k) => k.id)).toEqual([ks[1]!.id, ks[3]!.id]);
      expect(await keys.countDataKeysByKek()).toEqual({ kek_a: 2, kek_b: 2 });
    });

    it("destroys every key of one owner and only those", async () => {
      const mine = [key('co_1'), key('co_1')];
      const theirs = key('co_2');
      for (const k of [...mine, theirs]) await keys.createDataKey(k);
      expect(await keys.destroyDataKeys('co_1')).toBe(2);
      expect(await keys.destroyDataKeys('co_1')).toBe(0);
      for (const k of mine) expect(await keys.getDataKey(k.id)).toBeUndefined();
      expect(await keys.currentDataKey('co_1')).toBeUndefined();
      expectKey(await keys.getDataKey(theirs.id), theirs);
    });

    it('closes idempotently', async () => {
      await keys.close();
      await expect(keys.close()).resolves.toBeUndefined();
    });
  });
}
