import type { DataKeyRecord, KeyStore } from '../port.js';
import { DATA_KEY_COLUMNS as COLUMNS, toDataKeyRecord, type DataKeyRow } from '../sqlite/sqlite-key-store.js';
import { applyPgMigrations, PG_KEYSTORE_MIGRATIONS, requirePgSchemaVersion, type MigrationResult } from './migrations.js';
import { closer, openSchema, run, type PgConnectionOptions } from './pg-db.js';

/*
 * The key store of a PostgreSQL deployment: its own connection (VAULTGATE_KEYSTORE_URL) and schema, so that it
 * can live in another database or cluster than the messages: a backup of the message database alone then holds
 * no usable key, and destroying an owner's keys makes its messages unreadable in every such backup. A destroyed
 * key's row is deleted and the table vacuumed at once, so its bytes do not linger as a dead tuple in the live
 * table (the key store's own backups and WAL archive still hold it until they expire).
 */

const bytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export interface PgKeyStore extends KeyStore {
  /** What opening did to the key store schema. */
  readonly migration: MigrationResult;
}

export async function openPgKeyStore(o: PgConnectionOptions & { migrate: boolean }): Promise<PgKeyStore> {
  const { pool, prepared: migration } = await openSchema({ ...o, applicationName: o.applicationName ?? 'vaultgate-keystore' }, 'key store', (p) =>
    o.migrate ? applyPgMigrations(p, o.schema, PG_KEYSTORE_MIGRATIONS) : requirePgSchemaVersion(p, o.schema, PG_KEYSTORE_MIGRATIONS));
  const rows = async (sql: string, params: Record<string, unknown>): Promise<DataKeyRecord[]> => (await run<DataKeyRow>(pool, sql, params)).rows.map(toDataKeyRecord);

  return {
    migration,
    async createDataKey(k) {
      await run(pool, 'INSERT INTO data_keys (id, owner_id, kek_id, wrapped, created_at) VALUES (@id, @ownerId, @kekId, @wrapped, @createdAt)', {
        ...k, wrapped: bytes(k.wrapped),
      });
    },
    getDataKey: async (id) => (await rows(`SELECT ${COLUMNS} FROM data_keys WHERE id = @id`, { id }))[0],
    currentDataKey: async (ownerId) => (await rows(`SELECT ${COLUMNS} FROM data_keys WHERE owner_id = @ownerId ORDER BY seq DESC LIMIT 1`, { ownerId }))[0],
    listDataKeysNotWrappedBy: (kekId, limit) => rows(`SELECT ${COLUMNS} FROM data_keys WHERE kek_id <> @kekId ORDER BY seq LIMIT @limit`, { kekId, limit }),
    async rewrapDataKey(id, fromKekId, toKekId, wrapped) {
      const r = await run(pool, 'UPDATE data_keys SET kek_id = @toKekId, wrapped = @wrapped WHERE id = @id AND kek_id = @fromKekId', {
        id, fromKekId, toKekId, wrapped: bytes(wrapped),
      });
      return (r.rowCount ?? 0) > 0;
    },
    async destroyDataKeys(ownerId) {
      const n = (await run(pool, 'DELETE FROM data_keys WHERE owner_id = @ownerId', { ownerId })).rowCount ?? 0;
      // Outside a transaction (VACUUM cannot run in one); a role that does not own the table only gets a warning.
      if (n > 0) await pool.query('VACUUM data_keys');
      return n;
    },
    async countDataKeysByKek() {
      const r = await pool.query<{ kek_id: string; n: number }>('SELECT kek_id, COUNT(*) AS n FROM data_keys GROUP BY kek_id');
      return Object.fromEntries(r.rows.map((row) => [row.kek_id, row.n]));
    },
    close: closer(pool),
  };
}


