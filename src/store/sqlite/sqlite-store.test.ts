import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoreConformance } from '../conformance/conformance.js';
import { cipherBytes, createFixtures } from '../conformance/fixtures.js';
import { channelListSql, leanMessageListSql } from './list-queries.js';
import { MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';

let root = '';
let count = 0;
let file = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaultgate-sqlite-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Each test gets its own file in a directory that does not exist yet, so opening also creates the directory.
runStoreConformance(
  'sqlite',
  () => {
    count += 1;
    file = join(root, `test-${count}`, 'vault.db');
    return openSqliteStore({ file });
  },
  { reopen: () => openSqliteStore({ file }) },
);

// Again with ledger partitions of 2 ids, so every ledger case also runs across partition boundaries (sealed
// partitions, their filters, drops by pruning).
runStoreConformance(
  'sqlite, ledger partitions of 2 ids',
  () => {
    count += 1;
    file = join(root, `test-${count}`, 'vault.db');
    return openSqliteStore({ file, ledger: { partitionRows: 2 } });
  },
  { reopen: () => openSqliteStore({ file, ledger: { partitionRows: 2 } }) },
);

function freshFile(): string {
  count += 1;
  return join(root, `specific-${count}`, 'vault.db');
}

/** Reads a closed store's file with a plain connection. */
function inspect<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('sqlite adapter', () => {
  it('runs in WAL with synchronous FULL (ingest: NORMAL + fdatasync, wal-sync.test.ts), foreign keys and a busy timeout, and the file stays WAL', async () => {
    const path = freshFile();
    const store = openSqliteStore({ file: path });
    expect(store.kind).toBe('sqlite');
    expect(store.connectionSettings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: 5000,
      ingestSynchronous: 1,
    });
    await createFixtures().seed(store);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    expect(inspect(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('opens a file already at the current version without applying or changing anything', async () => {
    const path = freshFile();
    const first = openSqliteStore({ file: path });
    expect(first.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version));
    await first.close();
    const snapshot = (db: Database.Database): unknown => ({
      schema: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
      migrations: db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all(),
    });
    const before = inspect(path, snapshot);
    const second = openSqliteStore({ file: path });
    expect(second.appliedMigrations).toEqual([]);
    await second.close();
    expect(inspect(path, snapshot)).toEqual(before);
  });

  it('refuses a file written by a newer build and leaves it alone', async () => {
    const path = freshFile();
    await openSqliteStore({ file: path }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'future')").run();
    db.close();
    expect(() => openSqliteStore({ file: path })).toThrow(/newer than this build/);
    expect(inspect(path, (d) => d.prepare('SELECT MAX(version) AS v FROM schema_migrations').get())).toEqual({
      v: 999,
    });
  });

  it('serves every list shape from the one list index, without a sort step', async () => {
    const path = freshFile();
    await openSqliteStore({ file: path }).close();
    const plan = (sql: string, params: Record<string, unknown>): string =>
      inspect(path, (db) =>
        db
          .prepare<[Record<string, unknown>], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(params)
          .map((r) => r.detail)
          .join(' | '),
      );
    const base = { companyId: 'co', channelId: 'ch', messageType: 't', from: 'a', to: 'b', after: 0, limit: 10 };
    for (let bits = 0; bits < 16; bits++) {
      const shape = { channelId: !!(bits & 1), messageType: !!(bits & 2), from: !!(bits & 4), to: !!(bits & 8) };
      const sql = leanMessageListSql(shape);
      const params = Object.fromEntries(Object.entries(base).filter(([k]) => sql.includes(`@${k}`)));
      const detail = plan(sql, params);
      expect(detail, JSON.stringify(shape)).not.toMatch(/TEMP B-TREE/);
      // Channel and type are tested on the index entry (company_seq, seq, channel_seq, message_type).
      expect(detail, JSON.stringify(shape)).toMatch(/^SEARCH m USING INDEX messages_list \(company_seq=\? AND seq>\?\)/);
    }
    for (const [shape, index] of [
      [{ companyId: true, partyId: false }, /INDEX channels_company /],
      [{ companyId: false, partyId: true }, /INDEX channels_party /],
      [{ companyId: true, partyId: true }, /INDEX channels_(company|party) /],
      [{ companyId: false, partyId: false }, /SCAN channels|USING INTEGER PRIMARY KEY/],
    ] as const) {
      const sql = channelListSql(shape);
      const params = Object.fromEntries(
        Object.entries({ companyId: 'co', partyId: 'tp', after: 0, limit: 10 }).filter(([k]) => sql.includes(`@${k}`)),
      );
      const detail = plan(sql, params);
      expect(detail).not.toMatch(/TEMP B-TREE/);
      expect(detail).toMatch(index);
    }
  });
});

describe('sqlite adapter: the checkpointer thread', () => {
  it('leaves checkpoints to the checkpointer thread: the database file grows while nothing is checkpointed on commit', async () => {
    const path = freshFile();
    const store = openSqliteStore({ file: path, checkpointIntervalMs: 50 });
    const fx = createFixtures();
    const { channel } = await fx.seed(store);
    const before = statSync(path).size;
    const messages = Array.from({ length: 200 }, () => ({ message: fx.message(channel, { bodyCiphertext: cipherBytes(1024) }) }));
    expect((await store.ingest(messages)).every((o) => o.ok)).toBe(true);
    // The committed pages are in the WAL; only the checkpointer copies them into the database file.
    let grown = false;
    for (let i = 0; i < 100 && !grown; i++) {
      await new Promise((r) => setTimeout(r, 50));
      grown = statSync(path).size > before + 100 * 1024;
    }
    expect(grown).toBe(true);
    await store.close();
    expect(inspect(path, (db) => db.prepare('SELECT COUNT(*) AS n FROM messages').get())).toEqual({ n: 200 });
  });

  it('bounds the WAL: once readers let go, a WAL grown over walLimitBytes is checkpointed and truncated back under it', async () => {
    const path = freshFile();
    const limit = 1 << 20;
    const store = openSqliteStore({ file: path, checkpointIntervalMs: 100, walLimitBytes: limit });
    expect(inspect(path, () => true)).toBe(true);
    const fx = createFixtures();
    const { channel } = await fx.seed(store);
    const walSize = (): number => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    const settles = async (): Promise<boolean> => {
      for (let i = 0; i < 200; i++) {
        if (walSize() <= limit) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    const batch = (n: number) => Array.from({ length: n }, () => ({ message: fx.message(channel, { bodyCiphertext: cipherBytes(1024) }) }));
    // A long reader pins the WAL: no checkpoint can complete, so ~4 MiB of commits grow it past the bound.
    const reader = new Database(path, { fileMustExist: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT COUNT(*) FROM messages').get();
    for (let i = 0; i < 20; i++) expect((await store.ingest(batch(100))).every((o) => o.ok)).toBe(true);
    expect(walSize()).toBeGreaterThan(2 * limit);
    reader.exec('COMMIT');
    reader.close();
    // The reader gone, the next checkpoint completes and truncates (PASSIVE alone would leave a 4 MiB file).
    expect(await settles()).toBe(true);
    // Sustained writes with no reader in the way: after the checkpoint the WAL is under the bound again.
    for (let i = 0; i < 40; i++) expect((await store.ingest(batch(50))).every((o) => o.ok)).toBe(true);
    expect(await settles()).toBe(true);
    expect(store.connectionSettings().journalMode).toBe('wal');
    await store.close();
    expect(inspect(path, (db) => db.prepare('SELECT COUNT(*) AS n FROM messages').get())).toEqual({ n: 4000 });
  });

  it('commits in the process for an in-memory database', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    const fx = createFixtures();
    const { company, channel } = await fx.seed(store);
    const message = fx.message(channel);
    expect(await store.ingest([{ message }])).toEqual([{ ok: true, seq: 1 }]);
    expect((await store.getMessage(company.id, message.id))?.id).toBe(message.id);
    await store.close();
  });
});
