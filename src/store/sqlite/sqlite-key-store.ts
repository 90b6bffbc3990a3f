import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DataKeyRecord, KeyStore } from '../port.js';
import { applyMigrations, type Migration } from './migrations.js';

/*
 * The key store of the embedded default: its own SQLite file beside the database (keystore.db), so that a backup
 * of the database alone holds no usable key. secure_delete overwrites destroyed keys in the file, and a checkpoint
 * with truncation after a destruction keeps them out of the WAL too.
 */
const KEYSTORE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    sql: `
CREATE TABLE data_keys (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL,
  kek_id TEXT NOT NULL,
  wrapped BLOB NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX data_keys_owner ON data_keys (owner_id, seq);
CREATE INDEX data_keys_kek ON data_keys (kek_id, seq);
`,
  },
]);

/** A data_keys row as both adapters return it. */
export interface DataKeyRow {
  id: string;
  owner_id: string;
  kek_id: string;
  wrapped: Buffer;
  created_at: string;
}

export const toDataKeyRecord = (r: DataKeyRow): DataKeyRecord => ({ id: r.id, ownerId: r.owner_id, kekId: r.kek_id, wrapped: r.wrapped, createdAt: r.created_at });
export const DATA_KEY_COLUMNS = 'id, owner_id, kek_id, wrapped, created_at';

export class SqliteKeyStore implements KeyStore {
  readonly #db: Database.Database;
  readonly #s;

  constructor(db: Database.Database) {
    this.#db = db;
    const p = <R = unknown>(sql: string) => db.prepare<[Record<string, unknown>], R>(sql);
    this.#s = {
      insert: p('INSERT INTO data_keys (id, owner_id, kek_id, wrapped, created_at) VALUES (@id, @ownerId, @kekId, @wrapped, @createdAt)'),
      get: p<DataKeyRow>(`SELECT ${DATA_KEY_COLUMNS} FROM data_keys WHERE id = @id`),
      current: p<DataKeyRow>(`SELECT ${DATA_KEY_COLUMNS} FROM data_keys WHERE owner_id = @ownerId ORDER BY seq DESC LIMIT 1`),
      notWrappedBy: p<DataKeyRow>(`SELECT ${DATA_KEY_COLUMNS} FROM data_keys WHERE kek_id <> @kekId ORDER BY seq LIMIT @limit`),
      rewrap: p('UPDATE data_keys SET kek_id = @toKekId, wrapped = @wrapped WHERE id = @id AND kek_id = @fromKekId'),
      destroy: p('DELETE FROM data_keys WHERE owner_id = @ownerId'),
      count: p<{ kek_id: string; n: number }>('SELECT kek_id, COUNT(*) AS n FROM data_keys GROUP BY kek_id'),
    };
  }

  async createDataKey(k: DataKeyRecord): Promise<void> {
    this.#s.insert.run({ ...k, wrapped: Buffer.from(k.wrapped) });
  }

  async getDataKey(id: string): Promise<DataKeyRecord | undefined> {
    const r = this.#s.get.get({ id });
    return r && toDataKeyRecord(r);
  }

  async currentDataKey(ownerId: string): Promise<DataKeyRecord | undefined> {
    const r = this.#s.current.get({ ownerId });
    return r && toDataKeyRecord(r);
  }

  async listDataKeysNotWrappedBy(kekId: string, limit: number): Promise<DataKeyRecord[]> {
    return this.#s.notWrappedBy.all({ kekId, limit }).map(toDataKeyRecord);
  }

  async rewrapDataKey(id: string, fromKekId: string, toKekId: string, wrapped: Uint8Array): Promise<boolean> {
    return this.#s.rewrap.run({ id, fromKekId, toKekId, wrapped: Buffer.from(wrapped) }).changes > 0;
  }

  async destroyDataKeys(ownerId: string): Promise<number> {
    const n = this.#s.destroy.run({ ownerId }).changes;
    // Move the overwritten pages out of the WAL into the main file and truncate the WAL.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return n;
  }

  async countDataKeysByKek(): Promise<Record<string, number>> {
    return Object.fromEntries(this.#s.count.all({}).map((r) => [r.kek_id, r.n]));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

/** Opens (creating if needed) the key store file: WAL, synchronous=FULL, secure_delete on. */
export function openSqliteKeyStore(options: { file: string }): SqliteKeyStore {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    applyMigrations(db, KEYSTORE_MIGRATIONS);
    return new SqliteKeyStore(db);
  } catch (err) {
    db.close();
    throw err;
  }
}
