import { afterAll, describe, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, pgQuery, uniqueSchema } from '../../../test/helpers/postgres.js';
import { runStoreConformance } from '../conformance/conformance.js';
import { at, createFixtures } from '../conformance/fixtures.js';
import { runKeyStoreConformance } from '../conformance/key-store-cases.js';
import type { IngestOutcome } from '../port.js';
import { isStoreFull } from '../store-full.js';
import { channelListSql, messageListSql } from '../sqlite/list-queries.js';
import { applyPgMigrations, PG_STORE_MIGRATIONS } from './migrations.js';
import { PG_AUDIT_SCHEMA_VERSION as AUDIT_SCHEMA_VERSION } from './audit-migration.js';
import { verifyAuditChain } from '../../protocol/audit-chain.js';
import { createPool } from './pg-db.js';
import { openPgKeyStore } from './pg-key-store.js';
import { openPgStore, type PgStore } from './pg-store.js';

const schemas: string[] = [];
let schema = '';
const open = (s: string, migrate = true): Promise<PgStore> => openPgStore({ url: PG_URL, schema: s, poolSize: 3, migrate });
const fresh = (): string => {
  const s = uniqueSchema('store');
  schemas.push(s);
  return s;
};

afterAll(() => dropSchemas(schemas));

/*
 * The conformance suite runs in one schema of this run, emptied before each test (migrating a new schema per test
 * would cost more than the cases themselves); reopen opens the same schema with a new pool. The adapter's own
 * tests below each get a new schema.
 */
const TABLES = ['channel_integrity', 'signature_keys', 'feed_checkpoints', 'organisation_listings', 'ingestion_refusals', 'webhook_attempts', 'webhook_deliveries', 'webhook_endpoints', 'grant_events', 'grants', 'invitations', 'password_resets', 'totp_replacements', 'api_tokens', 'sessions', 'memberships', 'identities', 'registrations', 'users', 'organisations', 'messages', 'transaction_ledger', 'channels', 'customer_credentials', 'partner_credentials', 'parties', 'companies', 'audit_log', 'audit_tenants', 'audit_checkpoints', 'audit_keys'];
async function emptied(): Promise<PgStore> {
  if (schema === '') return open((schema = fresh()));
  await pgQuery(`BEGIN; ${TABLES.map((t) => `DELETE FROM ${schema}.${t};`).join(' ')} COMMIT`);
  return open(schema);
}

describePostgres('postgres store', () => {
  runStoreConformance('postgres', emptied, { reopen: () => open(schema) });

  runKeyStoreConformance('postgres', () => openPgKeyStore({ url: PG_URL, schema: fresh(), poolSize: 2, migrate: true }));

  describe('postgres adapter', () => {
    it('a write refused with SQLSTATE 53100 (disk_full) is recognised as a full store, reported not ready, and clears on the next write that succeeds', async () => {
      const s = fresh();
      const store = await open(s);
      const fx = createFixtures();
      const { channel } = await fx.seed(store);
      expect(await store.checkReadiness()).toEqual({ readable: true, full: false });
      // The server's own disk_full, raised by PostgreSQL itself where the insert would extend the table.
      await pgQuery(`CREATE FUNCTION ${s}.disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END $$;
        CREATE TRIGGER disk_full BEFORE INSERT ON ${s}.messages FOR EACH ROW EXECUTE FUNCTION ${s}.disk_full()`);
      const refused = fx.message(channel);
      const err = await store.ingest([{ message: refused }]).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('53100');
      expect(isStoreFull(err)).toBe(true);
      expect(await store.checkReadiness()).toEqual({ readable: true, full: true });
      // Nothing half-written: the ledger row of the refused message was rolled back with it.
      expect(await store.countTransactionIds()).toBe(0);
      await pgQuery(`DROP TRIGGER disk_full ON ${s}.messages`);
      expect((await store.ingest([{ message: refused }]))[0]!.ok).toBe(true);
      expect(await store.checkReadiness()).toEqual({ readable: true, full: false });
      await store.close();
    });

    it('lets exactly one of concurrent batches on separate pools claim each transaction id, naming the winner to the rest', async () => {
      const s = fresh();
      const stores = await Promise.all([open(s), open(s), open(s)]);
      const fx = createFixtures();
      const { channel } = await fx.seed(stores[0]!);
      const txids = Array.from({ length: 20 }, () => fx.transactionId());
      // 3 pools x 5 batches x 20 messages; every transaction id appears 15 times, in different orders per batch.
      const batches = stores.flatMap((store, p) => Array.from({ length: 5 }, (_, b) => {
        const items = Array.from({ length: 20 }, (_, i) => ({ message: fx.message(channel, { transactionId: txids[(i * 7 + b * 3 + p) % 20]!, receivedAt: at(5000) }) }));
        return { items, outcomes: store.ingest(items) };
      }));
      const results: { txid: string; id: string; outcome: IngestOutcome }[] = [];
      for (const b of batches) {
        const outcomes = await b.outcomes;
        b.items.forEach(({ message }, i) => results.push({ txid: message.transactionId!, id: message.id, outcome: outcomes[i]! }));
      }
      const winners = new Map(results.filter((r) => r.outcome.ok).map((r) => [r.txid, r.id]));
      expect(winners.size).toBe(20);
      expect(results.filter((r) => r.outcome.ok)).toHaveLength(20);
      for (const r of results.filter((x) => !x.outcome.ok)) {
        expect(r.outcome).toEqual({ ok: false, reason: 'duplicate', existingMessageId: winners.get(r.txid) });
      }
      const listed = await stores[1]!.listMessages({ companyId: channel.companyId, limit: 1000 });
      expect(listed.items.map((m) => m.id).sort()).toEqual([...winners.values()].sort());
      await Promise.all(stores.map((x) => x.close()));
    });


    const ALL = PG_STORE_MIGRATIONS.map((m) => m.version);
    const LATEST = ALL[ALL.length - 1]!;

    it('migrates a new schema once; later opens apply nothing and leave the schema as it was', async () => {
      const s = fresh();
      const first = await open(s);
      expect(first.migration).toEqual({ applied: PG_STORE_MIGRATIONS.map((m) => m.version), version: LATEST });
      await first.close();
      const snapshot = () => pgQuery(
        `SELECT table_name, column_name, data_type, collation_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2`, [s]);
      const before = await snapshot();
      const second = await open(s);
      expect(second.migration).toEqual({ applied: [], version: LATEST });
      await second.close();
      expect(await snapshot()).toEqual(before);
    });

    it('migrates once when several processes open a new schema at the same time', async () => {
      const s = fresh();
      const stores = await Promise.all([open(s), open(s), open(s)]);
      expect(stores.map((x) => x.migration.applied).sort()).toEqual([[], [], ALL]);
      await Promise.all(stores.map((x) => x.close()));
    });

    it('imports the version-1 audit_events rows into the chain when the audit step is applied, and drops that table', async () => {
      const s = fresh();
      const pool = createPool({ url: PG_URL, schema: s, poolSize: 1 });
      try {
        await applyPgMigrations(pool, s, PG_STORE_MIGRATIONS.filter((m) => m.version < AUDIT_SCHEMA_VERSION));
        await pool.query("INSERT INTO audit_events (at, actor, action, subject_id, details) VALUES ('2026-01-01T00:00:00.000Z', 'operator', 'company.delete', 'co_test_01jabcdefghjkmnpqrstvwxyz0', '{\"businessId\":\"1967543-8\"}')");
      } finally {
        await pool.end();
      }
      const store = await open(s);
      try {
        expect(store.migration.applied[0]).toBe(AUDIT_SCHEMA_VERSION);
        const chain = await store.readAuditChain(0, 10);
        expect(chain).toMatchObject([{ seq: 1, action: 'company.delete', tenants: ['co_test_01jabcdefghjkmnpqrstvwxyz0'], details: { businessId: '1967543-8', importedFrom: 'audit_events' } }]);
        expect(verifyAuditChain(chain, [], []).ok).toBe(true);
        expect(await pgQuery('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [s, 'audit_events'])).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('leaves the schema as it was when a migration step fails', async () => {
      const s = fresh();
      await (await open(s)).close();
      const broken = [...PG_STORE_MIGRATIONS, { version: LATEST + 1, sql: 'CREATE TABLE half_done (id TEXT); ALTER TABLE messages ADD COLUMN x NO_SUCH_TYPE' }];
      const pool = createPool({ url: PG_URL, schema: s, poolSize: 1 });
      try {
        await expect(applyPgMigrations(pool, s, broken)).rejects.toThrow(/no_such_type/);
      } finally {
        await pool.end();
      }
      expect(await pgQuery(`SELECT version FROM ${s}.schema_migrations ORDER BY version`)).toEqual(ALL.map((version) => ({ version })));
      expect(await pgQuery('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [s, 'half_done'])).toEqual([]);
      const reopened = await open(s);
      expect(reopened.migration).toEqual({ applied: [], version: LATEST });
      await reopened.close();
    });

    it('without migrate, refuses a schema that is behind (saying to run vaultgate migrate) or ahead', async () => {
      const s = fresh();
      await expect(open(s, false)).rejects.toThrow(new RegExp(`version 0, this build needs ${LATEST}: run \`vaultgate migrate\``));
      await (await open(s)).close();
      await (await open(s, false)).close();
      await pgQuery(`INSERT INTO ${s}.schema_migrations (version) VALUES (999)`);
      await expect(open(s, false)).rejects.toThrow(/newer than this build/);
      await expect(open(s)).rejects.toThrow(/newer than this build/);
    });

    it('serves every list shape from an index in seq order, without a sort step', async () => {
      const s = fresh();
      await (await open(s)).close();
      const values: Record<string, string> = { companyId: "'co'", channelId: "'ch'", partyId: "'tp'", messageType: "'t'", from: "'a'", to: "'b'", after: '0', limit: '10' };
      // Tiny tables make a sequential scan cheapest; forbid it to see which index the planner can use.
      const plan = async (sql: string): Promise<string> => {
        const rows = await pgQuery<{ 'QUERY PLAN': string }>(`SET search_path TO ${s}; SET enable_seqscan = off; EXPLAIN ${sql.replace(/@(\w+)/g, (_, n: string) => values[n]!)}`);
        return rows.map((r) => r['QUERY PLAN']).join(' | ');
      };
      for (let bits = 0; bits < 16; bits++) {
        const shape = { channelId: !!(bits & 1), messageType: !!(bits & 2), from: !!(bits & 4), to: !!(bits & 8) };
        const detail = await plan(messageListSql(shape));
        expect(detail, JSON.stringify(shape)).not.toMatch(/Sort|Seq Scan/);
        const narrowed = shape.channelId || shape.messageType;
        expect(detail, JSON.stringify(shape)).toMatch(narrowed ? /Index Scan using messages_(company_channel|company_type|channel_type) / : /Index Scan using messages_company /);
      }
      for (const [shape, index] of [
        [{ companyId: true, partyId: false }, /Index Scan using channels_company /],
        [{ companyId: false, partyId: true }, /Index Scan using channels_party /],
        [{ companyId: false, partyId: false }, /Index Scan using channels_pkey /],
      ] as const) {
        const detail = await plan(channelListSql(shape));
        expect(detail).not.toMatch(/Sort|Seq Scan/);
        expect(detail).toMatch(index);
      }
    });

    it('commits synchronously and names every index the vault lists use', async () => {
      const s = fresh();
      const store = await open(s);
      expect(await store.connectionSettings()).toEqual({ synchronousCommit: 'on', searchPath: s, poolSize: 3 });
      await createFixtures().seed(store);
      await store.close();
      const indexes = (await pgQuery<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [s, 'messages']))
        .map((r) => r.indexname);
      expect(indexes).toEqual(expect.arrayContaining(['messages_company', 'messages_company_channel', 'messages_company_type', 'messages_channel_type']));
    });
  });
});
