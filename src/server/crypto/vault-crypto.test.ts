import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultgateError, type Clock } from '../../protocol/index.js';
import { openSqliteKeyStore, type SqliteKeyStore } from '../../store/index.js';
import { Keyring, parseMasterKey, type Kek } from './keyring.js';
import { SYSTEM_OWNER, VaultCrypto } from './vault-crypto.js';

const clock: Clock = { now: () => Date.now() };
const newKek = (): Kek => parseMasterKey(randomBytes(32).toString('base64'), 'test');
const ring = (current: Kek, ...previous: Kek[]): Keyring => new Keyring(current, previous, undefined);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(VaultgateError);
    return (err as VaultgateError).code;
  }
  throw new Error('expected a VaultgateError');
}

/** The data-key id a sealed value names (format 2: version, id length, id, …). */
const dekIdOf = (sealed: Uint8Array): string => Buffer.from(sealed.subarray(2, 2 + sealed[1]!)).toString('latin1');

describe('VaultCrypto', () => {
  let keys: SqliteKeyStore;
  let kek: Kek;
  let crypto: VaultCrypto;
  beforeEach(() => {
    keys = openSqliteKeyStore({ file: ':memory:' });
    kek = newKek();
    crypto = new VaultCrypto(keys, ring(kek), clock, 'test');
  });
  afterEach(() => keys.close());

  it('seals and opens: the same bytes back, a fresh IV each time, no plaintext in the sealed value', async () => {
    const body = Buffer.from('{"city":"Jyväskylä","marker":"UNIQUE-ROUNDTRIP"}', 'utf8');
    const a = await crypto.seal('co_test_a', body, 'message:co_test_a:m1');
    const b = await crypto.seal('co_test_a', body, 'message:co_test_a:m1');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('UNIQUE-ROUNDTRIP'))).toBe(false);
    expect(a[0]).toBe(2);
    // Version, id length, id, IV (12), tag (16), ciphertext as long as the body: nothing else, no padding.
    expect(a.length).toBe(2 + a[1]! + 12 + 16 + body.length);
    expect(dekIdOf(a)).toMatch(/^co_test_a:dek_test_[0-9a-z]{26}$/);
    expect((await crypto.open(a, 'message:co_test_a:m1')).equals(body)).toBe(true);
    // Another instance (a restart) reads it through the key store.
    const fresh = new VaultCrypto(keys, ring(kek), clock, 'test');
    expect((await fresh.open(b, 'message:co_test_a:m1')).equals(body)).toBe(true);
    // Binary and empty bodies survive too.
    const bin = randomBytes(1000);
    expect((await fresh.open(await crypto.seal('co_test_a', bin, 'x'), 'x')).equals(bin)).toBe(true);
    expect((await fresh.open(await crypto.seal('co_test_a', Buffer.alloc(0), 'y'), 'y')).length).toBe(0);
  });

  it('one data key per owner, created once even under concurrent first seals, wrapped by the master key', async () => {
    const sealed = await Promise.all(Array.from({ length: 20 }, (_, i) => crypto.seal('co_test_b', Buffer.from(`m${i}`), `a${i}`)));
    expect(new Set(sealed.map(dekIdOf)).size).toBe(1);
    await crypto.seal(SYSTEM_OWNER, Buffer.from('secret'), 'partner-key:p');
    expect(await crypto.countByMasterKey()).toEqual({ [kek.id]: 2 });
    const rec = await keys.currentDataKey('co_test_b');
    expect(rec).toMatchObject({ id: dekIdOf(sealed[0]!), ownerId: 'co_test_b', kekId: kek.id });
  });

  it('refuses a ciphertext under another AAD (moved to another vault or message): DATA_INTEGRITY_ERROR', async () => {
    const s = await crypto.seal('co_test_a', Buffer.from('hello'), 'message:co_test_a:m1');
    expect(await codeOf(crypto.open(s, 'message:co_test_a:m2'))).toBe('DATA_INTEGRITY_ERROR');
    expect(await codeOf(crypto.open(s, 'message:co_test_b:m1'))).toBe('DATA_INTEGRITY_ERROR');
  });

  it('refuses a ciphertext altered by one byte anywhere, or in an unknown format: DATA_INTEGRITY_ERROR', async () => {
    const s = await crypto.seal('co_test_a', Buffer.from('hello world'), 'aad');
    const idLength = s[1]!;
    // Every byte after the key id: IV, tag, ciphertext.
    for (let i = 2 + idLength; i < s.length; i++) {
      const t = Buffer.from(s);
      t[i]! ^= 0x01;
      expect(await codeOf(crypto.open(t, 'aad')), `byte ${i}`).toBe('DATA_INTEGRITY_ERROR');
    }
    // A flipped byte in the key id (or its length) names a key its owner never had: tampering, not destruction.
    for (let i = 1; i < 2 + idLength; i++) {
      const t = Buffer.from(s);
      t[i]! ^= 0x01;
      expect(await codeOf(crypto.open(t, 'aad', 'co_test_a')), `byte ${i}`).toBe('DATA_INTEGRITY_ERROR');
    }
    const v1 = Buffer.from(s);
    v1[0] = 1;
    expect(await codeOf(crypto.open(v1, 'aad'))).toBe('DATA_INTEGRITY_ERROR');
    expect(await codeOf(crypto.open(s.subarray(0, 2 + idLength + 27), 'aad'))).toBe('DATA_INTEGRITY_ERROR');
    expect(await codeOf(crypto.open(Buffer.alloc(0), 'aad'))).toBe('DATA_INTEGRITY_ERROR');
  });

  it('a ciphertext re-labelled with another owner\'s key id fails to open, never decrypts', async () => {
    const a = await crypto.seal('co_test_a', Buffer.from('for a'), 'aad');
    const b = await crypto.seal('co_test_b', Buffer.from('for b'), 'aad');
    const idA = Buffer.from(dekIdOf(a), 'latin1');
    const idB = Buffer.from(dekIdOf(b), 'latin1');
    expect(idA.length).toBe(idB.length);
    const relabelled = Buffer.concat([a.subarray(0, 2), idB, a.subarray(2 + idA.length)]);
    expect(await codeOf(crypto.open(relabelled, 'aad'))).toBe('DATA_INTEGRITY_ERROR');
  });

  it('openMany opens a page of one owner\'s values under several keys, in order; a value naming another owner\'s key or with a bad tag fails it', async () => {
    const values: { sealed: Buffer; aad: string; text: string }[] = [];
    const add = async (text: string): Promise<void> => {
      const aad = `message:co_test_a:${values.length}`;
      values.push({ sealed: await crypto.seal('co_test_a', Buffer.from(text), aad), aad, text });
    };
    await add('k1-a');
    await add('k1-b');
    await crypto.rotateOwner('co_test_a');
    await add('k2-a');
    values.push(values[0]!); // back to the first key after a run of the second
    await add('k2-b');
    expect(dekIdOf(values[0]!.sealed)).not.toBe(dekIdOf(values[2]!.sealed));
    const open = (vs: typeof values): Promise<Buffer[]> => crypto.openMany(vs, 'co_test_a', (v) => v.sealed, (v) => v.aad);
    // A fresh process: every key is looked up and unwrapped on the way.
    const fresh = new VaultCrypto(keys, ring(kek), clock, 'test');
    for (const c of [crypto, fresh]) {
      expect((await c.openMany(values, 'co_test_a', (v) => v.sealed, (v) => v.aad)).map((b) => b.toString())).toEqual(values.map((v) => v.text));
    }
    expect(await open([])).toEqual([]);

    // Within a run of one key, a value re-labelled with co_test_b's key id (same length) is still refused.
    const b = await crypto.seal('co_test_b', Buffer.from('for b'), 'aad');
    const v = values[1]!;
    const relabelled = Buffer.concat([v.sealed.subarray(0, 2), Buffer.from(dekIdOf(b), 'latin1'), v.sealed.subarray(2 + dekIdOf(v.sealed).length)]);
    expect(await codeOf(open([values[0]!, { ...v, sealed: relabelled }]))).toBe('DATA_INTEGRITY_ERROR');
    // A flipped tag bit, and a value moved to another message's AAD, fail authentication.
    const tampered = Buffer.from(v.sealed);
    tampered[2 + dekIdOf(v.sealed).length + 12]! ^= 1;
    expect(await codeOf(open([values[0]!, { ...v, sealed: tampered }]))).toBe('DATA_INTEGRITY_ERROR');
    expect(await codeOf(open([values[0]!, { ...v, aad: values[0]!.aad }]))).toBe('DATA_INTEGRITY_ERROR');
    // A truncated value after a run of the same key: not the format.
    expect(await codeOf(open([values[0]!, { ...v, sealed: v.sealed.subarray(0, 2 + dekIdOf(v.sealed).length + 20) }]))).toBe('DATA_INTEGRITY_ERROR');
  });

  it('destroying an owner makes its data DATA_KEY_DESTROYED, in this process and any other, and spares the others', async () => {
    const a1 = await crypto.seal('co_test_a', Buffer.from('a1'), 'aad');
    await crypto.rotateOwner('co_test_a');
    const a2 = await crypto.seal('co_test_a', Buffer.from('a2'), 'aad');
    const b = await crypto.seal('co_test_b', Buffer.from('b'), 'aad');
    const sys = await crypto.seal(SYSTEM_OWNER, Buffer.from('s'), 'aad');
    const other = new VaultCrypto(keys, ring(kek), clock, 'test');
    expect((await other.open(a1, 'aad')).toString()).toBe('a1'); // cached in the other process

    expect(await crypto.destroyOwner('co_test_a')).toBe(2);
    expect(await codeOf(crypto.open(a1, 'aad'))).toBe('DATA_KEY_DESTROYED');
    expect(await codeOf(crypto.open(a2, 'aad'))).toBe('DATA_KEY_DESTROYED');
    expect(await codeOf(new VaultCrypto(keys, ring(kek), clock, 'test').open(a2, 'aad'))).toBe('DATA_KEY_DESTROYED');
    // Another process learns of it when told to forget its cache.
    other.forgetOwner('co_test_a');
    expect(await codeOf(other.open(a1, 'aad'))).toBe('DATA_KEY_DESTROYED');
    expect((await crypto.open(b, 'aad')).toString()).toBe('b');
    expect((await crypto.open(sys, 'aad')).toString()).toBe('s');
    expect(await keys.currentDataKey('co_test_a')).toBeUndefined();
    expect(await crypto.destroyOwner('co_test_a')).toBe(0);
  });

  it('rotateOwner: new data uses the new key, older data stays readable under its own', async () => {
    const before = await crypto.seal('co_test_a', Buffer.from('old'), 'aad-old');
    const rec = await crypto.rotateOwner('co_test_a');
    expect(rec.ownerId).toBe('co_test_a');
    expect(rec.kekId).toBe(kek.id);
    expect(rec.id).not.toBe(dekIdOf(before));
    const after = await crypto.seal('co_test_a', Buffer.from('new'), 'aad-new');
    expect(dekIdOf(after)).toBe(rec.id);
    expect((await crypto.open(before, 'aad-old')).toString()).toBe('old');
    expect((await crypto.open(after, 'aad-new')).toString()).toBe('new');
    // A restart picks the newest key as current.
    const restarted = new VaultCrypto(keys, ring(kek), clock, 'test');
    expect(dekIdOf(await restarted.seal('co_test_a', Buffer.from('x'), 'x'))).toBe(rec.id);
    expect(await crypto.countByMasterKey()).toEqual({ [kek.id]: 2 });
    // Another owner is not rotated.
    const b = await crypto.seal('co_test_b', Buffer.from('b'), 'x');
    expect(dekIdOf(b).startsWith('co_test_b:')).toBe(true);
  });

  it('rewrapAll is resumable: interrupted after its first batch, a later run (another process) finishes the rest once', async () => {
    const owners = ['co_test_1', 'co_test_2', 'co_test_3', 'co_test_4', SYSTEM_OWNER];
    const sealed = await Promise.all(owners.map((o) => crypto.seal(o, Buffer.from(`data of ${o}`), `aad:${o}`)));
    expect(await crypto.countByMasterKey()).toEqual({ [kek.id]: 5 });

    const next = newKek();
    crypto.useKeyring(ring(next, kek));
    expect(crypto.keyring.current.id).toBe(next.id);
    const batches: number[] = [];
    await expect(crypto.rewrapAll({
      batch: 1,
      onBatch: (done) => {
        batches.push(done);
        throw new Error('interrupted');
      },
    })).rejects.toThrow('interrupted');
    expect(batches).toEqual([1]);
    expect(await crypto.countByMasterKey()).toEqual({ [next.id]: 1, [kek.id]: 4 });

    // Mid-rotation, a process holding both keys reads everything; new keys are wrapped by the new master key.
    const resumed = new VaultCrypto(keys, ring(next, kek), clock, 'test');
    for (const [i, o] of owners.entries()) expect((await resumed.open(sealed[i]!, `aad:${o}`)).toString()).toBe(`data of ${o}`);
    await resumed.rotateOwner('co_test_5');
    expect(await crypto.countByMasterKey()).toEqual({ [next.id]: 2, [kek.id]: 4 });

    const progress: number[] = [];
    expect(await resumed.rewrapAll({ batch: 1, onBatch: (n) => progress.push(n) })).toEqual({ rewrapped: 4 });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(await crypto.countByMasterKey()).toEqual({ [next.id]: 6 });
    expect(await resumed.rewrapAll({ batch: 1 })).toEqual({ rewrapped: 0 });
    expect(await crypto.rewrapAll()).toEqual({ rewrapped: 0 });

    // Only the new master key is needed from now on; the old one alone no longer opens anything.
    const onlyNew = new VaultCrypto(keys, ring(next), clock, 'test');
    for (const [i, o] of owners.entries()) expect((await onlyNew.open(sealed[i]!, `aad:${o}`)).toString()).toBe(`data of ${o}`);
    const onlyOld = new VaultCrypto(keys, ring(kek), clock, 'test');
    expect(await codeOf(onlyOld.open(sealed[0]!, 'aad:co_test_1'))).toBe('TECHNICAL_ERROR');
  });

  it('rewrapDataKey is compare-and-set on the old wrapping: a stale run re-wraps nothing', async () => {
    await crypto.seal('co_test_a', Buffer.from('a'), 'aad');
    const rec = (await keys.currentDataKey('co_test_a'))!;
    const next = newKek();
    const wrapped = ring(next, kek).wrap(Buffer.alloc(32), 'irrelevant');
    expect(await keys.rewrapDataKey(rec.id, 'kek_someoneelse', next.id, wrapped)).toBe(false);
    expect((await keys.getDataKey(rec.id))!.kekId).toBe(kek.id);
    expect(await keys.listDataKeysNotWrappedBy(kek.id, 10)).toEqual([]);
    expect((await keys.listDataKeysNotWrappedBy(next.id, 10)).map((k) => k.id)).toEqual([rec.id]);
  });

  it('rewrapAll fails with a coded error when a data key is wrapped by a master key this process lacks', async () => {
    const s = await crypto.seal('co_test_a', Buffer.from('a'), 'aad');
    const stranger = new VaultCrypto(keys, ring(newKek()), clock, 'test');
    expect(await codeOf(stranger.rewrapAll())).toBe('TECHNICAL_ERROR');
    expect(await codeOf(stranger.open(s, 'aad'))).toBe('TECHNICAL_ERROR');
    expect(await crypto.countByMasterKey()).toEqual({ [kek.id]: 1 });
  });
});

describe('VaultCrypto over a key-store file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vg-vc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a wrapped data key moved onto another key row is refused (DATA_INTEGRITY_ERROR), and destroyed keys leave the file', async () => {
    const file = join(dir, 'keystore.db');
    const keys = openSqliteKeyStore({ file });
    const kek = newKek();
    const crypto = new VaultCrypto(keys, ring(kek), clock, 'test');
    const a = await crypto.seal('co_test_a', Buffer.from('a'), 'aad');
    const b = await crypto.seal('co_test_b', Buffer.from('b'), 'aad');
    const recA = (await keys.getDataKey(dekIdOf(a)))!;
    const recB = (await keys.getDataKey(dekIdOf(b)))!;

    const db = new Database(file);
    db.prepare('UPDATE data_keys SET wrapped = ? WHERE id = ?').run(Buffer.from(recA.wrapped), recB.id);
    db.close();
    const fresh = new VaultCrypto(keys, ring(kek), clock, 'test');
    expect(await codeOf(fresh.open(b, 'aad'))).toBe('DATA_INTEGRITY_ERROR');
    expect((await fresh.open(a, 'aad')).toString()).toBe('a');

    const onDisk = (): Buffer => Buffer.concat(['', '-wal'].flatMap((s) => {
      try {
        return [readFileSync(`${file}${s}`)];
      } catch {
        return [];
      }
    }));
    expect(onDisk().includes(Buffer.from(recA.wrapped))).toBe(true);
    expect(onDisk().includes(Buffer.from(recA.id, 'latin1'))).toBe(true);
    // B's row now holds A's wrapping: destroy both owners, and neither wrapping nor id is left in the files.
    expect(await crypto.destroyOwner('co_test_a')).toBe(1);
    expect(await crypto.destroyOwner('co_test_b')).toBe(1);
    const bytes = onDisk();
    for (const r of [recA, recB]) {
      expect(bytes.includes(Buffer.from(r.wrapped))).toBe(false);
      expect(bytes.includes(Buffer.from(r.id, 'latin1'))).toBe(false);
    }
    fresh.forgetOwner('co_test_a');
    expect(await codeOf(fresh.open(a, 'aad'))).toBe('DATA_KEY_DESTROYED');
    await keys.close();
  });
});
