import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createFixtures } from '../conformance/fixtures.js';
import type { ChannelRecord, Store } from '../port.js';
import { BlockedBloomFilter, BloomFilter, hashKey, hashParty, hashTransaction } from './bloom.js';
import { LedgerFilters, PartitionedLedger } from './ledger.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

let root = '';
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaultgate-ledger-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface PartitionRow {
  id: number;
  rows: number;
  sealed: number;
}

/** The catalog and the partition tables that exist, read with a plain connection. */
function partitions(file: string): { catalog: PartitionRow[]; tables: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      catalog: db.prepare<[], PartitionRow>('SELECT id, rows, filter IS NOT NULL AS sealed FROM transaction_ledger_partitions ORDER BY id').all(),
      tables: db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'transaction_ledger_[0-9]*' ORDER BY name").pluck().all(),
    };
  } finally {
    db.close();
  }
}

async function open(ledger: SqliteStoreOptions['ledger']): Promise<{ store: Store; file: string; channel: ChannelRecord; fx: ReturnType<typeof createFixtures> }> {
  const file = join(root, `ledger-${++n}`, 'vault.db');
  const store = openSqliteStore({ file, ledger });
  const fx = createFixtures();
  const { channel } = await fx.seed(store);
  return { store, file, channel, fx };
}

describe('partitioned transaction-id ledger (sqlite)', () => {
  it('seals a full partition, and still refuses its ids (in one batch too) after a restart, through the stored filter', async () => {
    const { store, file, channel, fx } = await open({ partitionRows: 3 });
    const first = [1, 2, 3].map(() => fx.message(channel));
    expect((await store.ingest(first.map((message) => ({ message })))).every((o) => o.ok)).toBe(true);
    const d = fx.message(channel);
    const e = fx.message(channel);
    const outcomes = await store.ingest([
      { message: d },
      { message: fx.message(channel, { transactionId: first[0]!.transactionId }) },
      { message: fx.message(channel, { transactionId: first[2]!.transactionId }) },
      { message: e },
      { message: fx.message(channel, { transactionId: e.transactionId }) },
    ]);
    expect(outcomes).toEqual([
      { ok: true, seq: expect.any(Number) },
      { ok: false, reason: 'duplicate', existingMessageId: first[0]!.id },
      { ok: false, reason: 'duplicate', existingMessageId: first[2]!.id },
      { ok: true, seq: expect.any(Number) },
      { ok: false, reason: 'duplicate', existingMessageId: e.id },
    ]);
    expect(await store.consumeTransactionId(channel.partyId, first[1]!.transactionId!, at(1100))).toBe(false);
    expect(await store.countTransactionIds()).toBe(5);
    await store.close();
    expect(partitions(file)).toEqual({
      catalog: [{ id: 1, rows: 3, sealed: 1 }, { id: 2, rows: 2, sealed: 0 }],
      tables: ['transaction_ledger_1', 'transaction_ledger_2'],
    });

    const again = openSqliteStore({ file, ledger: { partitionRows: 3 } });
    try {
      expect(await again.ingest([{ message: fx.message(channel, { transactionId: first[1]!.transactionId }) }])).toEqual([
        { ok: false, reason: 'duplicate', existingMessageId: first[1]!.id },
      ]);
      expect(await again.consumeTransactionId(channel.partyId, d.transactionId!, at(1101))).toBe(false);
      expect(await again.consumeTransactionId(channel.partyId, 'never-used', at(1101))).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('starts a new partition when its oldest id is partitionSeconds old, once it holds an eighth of a full one', async () => {
    const { store, file, channel, fx } = await open({ partitionSeconds: 60, partitionRows: 32 });
    await store.ingest([{ message: fx.message(channel, { receivedAt: at(0) }) }]);
    // Old, but 1 id (then 2, 3) of 32: kept.
    expect(await store.consumeTransactionId(channel.partyId, 'one', at(70))).toBe(true);
    expect(await store.consumeTransactionId(channel.partyId, 'two', at(71))).toBe(true);
    expect(partitions(file).catalog).toEqual([{ id: 1, rows: 3, sealed: 0 }]);
    await store.ingest([{ message: fx.message(channel, { receivedAt: at(72) }) }]);
    // Old and 4 ids of 32, an eighth: sealed.
    expect(await store.consumeTransactionId(channel.partyId, 'later', at(73))).toBe(true);
    await store.close();
    expect(partitions(file).catalog).toEqual([{ id: 1, rows: 4, sealed: 1 }, { id: 2, rows: 1, sealed: 0 }]);
  });

  it('prunes by dropping whole partitions past the cut-off and deleting rows only in the one straddling it', async () => {
    const { store, file, channel } = await open({ partitionRows: 2 });
    const party = channel.partyId;
    for (let s = 1; s <= 6; s++) expect(await store.consumeTransactionId(party, `t${s}`, at(s))).toBe(true);
    expect(partitions(file).tables).toEqual(['transaction_ledger_1', 'transaction_ledger_2', 'transaction_ledger_3']);
    // Partition 1 (t1, t2) is past at(3.5); partition 2 (t3, t4) straddles it.
    expect(await store.pruneTransactionIds(at(3.5), 1000)).toBe(3);
    expect(partitions(file)).toEqual({
      catalog: [{ id: 2, rows: 1, sealed: 1 }, { id: 3, rows: 2, sealed: 0 }],
      tables: ['transaction_ledger_2', 'transaction_ledger_3'],
    });
    expect(await store.countTransactionIds()).toBe(3);
    // t3's bit is still in partition 2's filter: the "maybe" is checked against the partition, which forgot it.
    for (const t of ['t1', 't2', 't3']) expect(await store.consumeTransactionId(party, t, at(10))).toBe(true);
    for (const t of ['t4', 't5', 't6']) expect(await store.consumeTransactionId(party, t, at(10))).toBe(false);
    await store.close();
  });

  it('prunes everything, newest partition included, and keeps working in a new one', async () => {
    const { store, file, channel } = await open({ partitionRows: 2 });
    for (let s = 1; s <= 3; s++) expect(await store.consumeTransactionId(channel.partyId, `t${s}`, at(s))).toBe(true);
    expect(await store.pruneTransactionIds(at(100), 1000)).toBe(3);
    expect(await store.countTransactionIds()).toBe(0);
    expect(partitions(file)).toEqual({ catalog: [{ id: 3, rows: 0, sealed: 0 }], tables: ['transaction_ledger_3'] });
    expect(await store.consumeTransactionId(channel.partyId, 't1', at(101))).toBe(true);
    expect(await store.consumeTransactionId(channel.partyId, 't1', at(101))).toBe(false);
    await store.close();
  });

  it('keeps two stores on one file (two processes) consistent: sealing, filters and drops by the other one', async () => {
    const { store: a, file, channel } = await open({ partitionRows: 2 });
    const b = openSqliteStore({ file, ledger: { partitionRows: 2 } });
    try {
      const party = channel.partyId;
      for (const [s, t] of [[1, 't1'], [2, 't2'], [3, 't3']] as const) expect(await a.consumeTransactionId(party, t, at(s))).toBe(true);
      // b sees a's sealed partition (its stored filter) and a's current one.
      for (const t of ['t1', 't2', 't3']) expect(await b.consumeTransactionId(party, t, at(4))).toBe(false);
      expect(await b.consumeTransactionId(party, 't4', at(4))).toBe(true);
      expect(await b.consumeTransactionId(party, 't5', at(5))).toBe(true);
      // b sealed partition 2 (t3, t4) and started 3 (t5): a, whose view is older, follows.
      for (const t of ['t3', 't4', 't5']) expect(await a.consumeTransactionId(party, t, at(6))).toBe(false);
      expect(await a.pruneTransactionIds(at(4.5), 1000)).toBe(4);
      for (const t of ['t1', 't4']) expect(await b.consumeTransactionId(party, t, at(7))).toBe(true);
      expect(await b.consumeTransactionId(party, 't5', at(7))).toBe(false);
      expect(await a.countTransactionIds()).toBe(3);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('tests fresh ids against generation filters, covers partitions progressively after a restart, and refuses every id throughout', async () => {
    const ledger = { partitionRows: 2, generationRows: 4, coverRowsPerBatch: 2 };
    const { store, file, channel, fx } = await open(ledger);
    const party = channel.partyId;
    const used: { t: string; id: string }[] = [];
    for (let b = 0; b < 6; b++) {
      const ms = [fx.message(channel), fx.message(channel)];
      expect((await store.ingest(ms.map((message) => ({ message })))).every((o) => o.ok)).toBe(true);
      for (const m of ms) used.push({ t: m.transactionId!, id: m.id });
    }
    const repeatAll = async (s: Store): Promise<void> => {
      const outcomes = await s.ingest(used.map((u) => ({ message: fx.message(channel, { transactionId: u.t }) })));
      expect(outcomes).toEqual(used.map((u) => ({ ok: false, reason: 'duplicate', existingMessageId: u.id })));
    };
    await repeatAll(store);
    await store.close();
    // Six partitions of 2, sealed as full (generations of 4 ids: two partitions each).
    expect(partitions(file).catalog.filter((p) => p.sealed === 1)).toHaveLength(6);

    // Restarted: 2 ids covered per batch, so the first batches see covered and uncovered partitions side by side.
    const again = openSqliteStore({ file, ledger });
    try {
      for (let i = 0; i < 4; i++) {
        expect(await again.consumeTransactionId(party, used[i * 3]!.t, at(2000 + i))).toBe(false);
        expect(await again.consumeTransactionId(party, `fresh-${i}`, at(2000 + i))).toBe(true);
      }
      await repeatAll(again);
    } finally {
      await again.close();
    }
  });

  it('keeps generations per generationRows ids, drops one with its last partition, and reports the filters memory', async () => {
    const { store, file, channel } = await open({ partitionRows: 2 });
    await store.close();
    const db = new Database(file);
    try {
      const filters = new LedgerFilters(4);
      const ledger = new PartitionedLedger(db, filters, { partitionRows: 2 });
      const batch = db.transaction((ids: string[], s: number) => {
        ledger.begin(at(s));
        const verdicts = ids.map((t) => ledger.consume(channel.partyId, t, `m-${t}`, at(s)));
        ledger.end();
        return verdicts;
      });
      for (let s = 1; s <= 9; s++) expect(batch([`t${s}`], s)).toEqual([undefined]);
      // 9 ids: partitions of 2 (4 sealed, the 5th taking inserts), generations of 4 ids (two partitions each).
      expect(filters.generations.map((g) => [...g.parts])).toEqual([[1, 2], [3, 4], [5]]);
      // Four sealed partitions' filters and the shadow (1024 bits each, the least), three generations (one block each).
      expect(filters.bytes()).toBe(4 * 128 + 128 + 3 * 64);
      expect(batch(['t1', 't4', 't9', 'new', 'new'], 10)).toEqual([
        { existingMessageId: 'm-t1' }, { existingMessageId: 'm-t4' }, { existingMessageId: 'm-t9' }, undefined, { existingMessageId: 'm-new' },
      ]);
      db.transaction(() => ledger.prune(at(4.5), 1000))();
      // Partitions 1 and 2 dropped, so is their generation; 5 (t9, new) takes inserts still.
      expect(filters.generations.map((g) => [...g.parts])).toEqual([[3, 4], [5]]);
      expect(batch(['t1', 't4', 't5', 't10'], 11)).toEqual([undefined, undefined, { existingMessageId: 'm-t5' }, undefined]);
      // 5 was full: sealed, and 6 (t1, t4, then t10) shares its generation.
      expect(filters.generations.map((g) => [...g.parts])).toEqual([[3, 4], [5, 6]]);
    } finally {
      db.close();
    }
  });

  it('re-reads the catalog after a batch that rolled back (its partition and counts are gone)', async () => {
    const { store, file, channel } = await open({ partitionRows: 2 });
    await store.close();
    const db = new Database(file);
    try {
      const ledger = new PartitionedLedger(db, new LedgerFilters(), { partitionRows: 2 });
      const run = (ids: string[], s: number, fail = false): unknown[] =>
        db.transaction(() => {
          ledger.begin(at(s));
          const v = ids.map((t) => ledger.consume(channel.partyId, t, `m-${t}`, at(s)));
          ledger.end();
          if (fail) throw new Error('rolled back');
          return v;
        })();
      expect(run(['a', 'b'], 1)).toEqual([undefined, undefined]);
      // Seals partition 1, starts 2 and fills it, then rolls back: 2 never existed.
      expect(() => run(['c', 'd'], 2, true)).toThrow('rolled back');
      expect(partitions(file).catalog).toEqual([{ id: 1, rows: 2, sealed: 0 }]);
      expect(run(['c', 'a', 'e'], 3)).toEqual([undefined, { existingMessageId: 'm-a' }, undefined]);
      expect(() => run(['f'], 4, true)).toThrow('rolled back');
      expect(run(['f', 'c', 'e', 'b'], 5)).toEqual([undefined, { existingMessageId: 'm-c' }, { existingMessageId: 'm-e' }, { existingMessageId: 'm-b' }]);
      expect(ledger.count()).toBe(5);
    } finally {
      db.close();
    }
  });

  it('opens a ledger written with larger partitions (the stored filters are read as they are)', async () => {
    const { store, file, channel } = await open({ partitionRows: 8 });
    const party = channel.partyId;
    for (let s = 1; s <= 20; s++) expect(await store.consumeTransactionId(party, `t${s}`, at(s))).toBe(true);
    await store.close();
    const again = openSqliteStore({ file, ledger: { partitionRows: 2 } });
    try {
      for (let s = 1; s <= 20; s++) expect(await again.consumeTransactionId(party, `t${s}`, at(30))).toBe(false);
      expect(await again.consumeTransactionId(party, 'u', at(31))).toBe(true);
      expect(await again.countTransactionIds()).toBe(21);
    } finally {
      await again.close();
    }
    // The 8-id partition that took inserts was sealed; the newest is a 2-id one.
    expect(partitions(file).catalog.map((p) => [p.rows, p.sealed])).toEqual([[8, 1], [8, 1], [4, 1], [1, 0]]);
  });

  it('refuses partition sizes that are not positive', () => {
    expect(() => openSqliteStore({ file: ':memory:', ledger: { partitionRows: 0 } })).toThrow(/partitionRows/);
    expect(() => openSqliteStore({ file: ':memory:', ledger: { partitionSeconds: 0 } })).toThrow(/partitionSeconds/);
    expect(() => openSqliteStore({ file: ':memory:', ledger: { generationRows: 0 } })).toThrow(/generationRows/);
    expect(() => openSqliteStore({ file: ':memory:', ledger: { coverRowsPerBatch: 0 } })).toThrow(/coverRowsPerBatch/);
  });
});

describe('ledger Bloom filter', () => {
  it('never misses a key it holds, says "maybe" for ~1 % of others, and survives its byte form', () => {
    const f = new BloomFilter(20_000);
    for (let i = 0; i < 20_000; i++) f.add(hashKey('tp_test_1', `held-${i}`));
    const copy = BloomFilter.fromBytes(f.toBytes());
    for (const g of [f, copy]) {
      for (let i = 0; i < 20_000; i++) expect(g.mayHave(hashKey('tp_test_1', `held-${i}`))).toBe(true);
      let maybes = 0;
      for (let i = 0; i < 20_000; i++) if (g.mayHave(hashKey('tp_test_1', `other-${i}`))) maybes++;
      expect(maybes / 20_000).toBeLessThan(0.02);
    }
    // Known answers: the stored filters of existing ledgers depend on these exact hashes.
    expect(hashKey('tp_test_1', '0f8fad5b-d9cb-469f-a165-70867728950e')).toEqual({ h1: 3080718446, h2: 2329656745 });
    expect(hashKey('', '')).toEqual({ h1: 84696351, h2: 2904356671 });
    expect(hashKey('tp_ä', '€x')).toEqual({ h1: 1935727362, h2: 4127106825 });
    expect(hashTransaction(hashParty('tp_ä'), '€x')).toEqual(hashKey('tp_ä', '€x'));
    // The party is part of the key.
    expect(hashKey('tp_a', 'x')).not.toEqual(hashKey('tp_b', 'x'));
    expect(hashKey('tp_a', 'bx')).not.toEqual(hashKey('tp_ab', 'x'));
    expect(() => BloomFilter.fromBytes(new Uint8Array(100))).toThrow(/malformed/);
  });

  it('blocked: never misses a key it holds and says "maybe" for under 0.5 % of others at its sized count', () => {
    const f = new BlockedBloomFilter(50_000);
    expect(f.bytes).toBe(2 ** 20 / 8);
    for (let i = 0; i < 50_000; i++) f.add(hashKey('tp_test_1', `held-${i}`));
    for (let i = 0; i < 50_000; i++) expect(f.mayHave(hashKey('tp_test_1', `held-${i}`))).toBe(true);
    let maybes = 0;
    for (let i = 0; i < 100_000; i++) if (f.mayHave(hashKey('tp_test_1', `other-${i}`))) maybes++;
    expect(maybes / 100_000).toBeLessThan(0.005);
  });
});
