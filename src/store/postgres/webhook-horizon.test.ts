import { afterAll, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../../../test/helpers/postgres.js';
import { createFixtures } from '../conformance/fixtures.js';
import { createPool } from './pg-db.js';
import { openPgStore } from './pg-store.js';
import { HORIZON_SETTLE_MS } from './webhooks.js';

/*
 * The PostgreSQL message horizon (issue 15): with several writers seq order is not commit order. A transaction holds
 * seq s1 open on a second connection while a later one commits s2 > s1: the newest visible seq is s2, yet dispatch
 * must not pass s1 until its transaction ends, or s1 would be skipped for good.
 */

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describePostgres('postgres message horizon', () => {
  it('stays below a seq whose transaction is still open while later seqs commit, and passes it once that transaction commits', async () => {
    const schema = uniqueSchema('horizon');
    schemas.push(schema);
    const store = await openPgStore({ url: PG_URL, schema, poolSize: 3, migrate: true });
    const other = createPool({ url: PG_URL, schema, poolSize: 1 });
    try {
      const fx = createFixtures();
      const { company, channel } = await fx.seed(store);
      await store.ingest([{ message: fx.message(channel) }]);
      const before = await store.messageHorizon();
      expect(before).toBeGreaterThan(0);

      const held = await other.connect();
      await held.query('BEGIN');
      const m1 = fx.message(channel);
      const s1 = (await held.query<{ seq: number }>(
        `INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, 1) RETURNING seq`,
        [m1.id, m1.companyId, m1.channelId, m1.partyId, m1.messageType, m1.mediaType, m1.contentType, m1.size, m1.sha256, m1.receivedAt, Buffer.from(m1.bodyCiphertext)],
      )).rows[0]!.seq;
      const m2 = fx.message(channel);
      const [o2] = await store.ingest([{ message: m2 }]);
      const s2 = (o2 as { seq: number }).seq;
      expect(s2).toBeGreaterThan(s1);
      // What a naive reader sees: s2 committed, s1 not visible. Passing s2 now would lose s1.
      const visible = await store.listPositionedMessages({ companyId: company.id, afterSeq: before, throughSeq: Number.MAX_SAFE_INTEGER, limit: 10 });
      expect(visible.map((m) => m.seq)).toEqual([s2]);
      for (let i = 0; i < 8; i++) {
        expect(await store.messageHorizon()).toBeLessThan(s1);
        await sleep(HORIZON_SETTLE_MS / 2);
      }
      await held.query('COMMIT');
      held.release();
      let horizon = 0;
      for (let i = 0; i < 100 && horizon < s2; i++) {
        horizon = await store.messageHorizon();
        await sleep(HORIZON_SETTLE_MS / 4);
      }
      expect(horizon).toBeGreaterThanOrEqual(s2);
      const after = await store.listPositionedMessages({ companyId: company.id, afterSeq: before, throughSeq: horizon, limit: 10 });
      expect(after.map((m) => m.id)).toEqual([m1.id, m2.id]);
    } finally {
      await other.end();
      await store.close();
    }
  });

  it('is not fooled by interleaved transactions: an older transaction that committed a larger seq does not settle a smaller one still open', async () => {
    const schema = uniqueSchema('horizon');
    schemas.push(schema);
    const store = await openPgStore({ url: PG_URL, schema, poolSize: 3, migrate: true });
    const other = createPool({ url: PG_URL, schema, poolSize: 2 });
    let cleanup = async () => undefined as unknown as void;
    const insert = async (c: import('pg').PoolClient, m: ReturnType<ReturnType<typeof createFixtures>['message']>) => (await c.query<{ seq: number }>(
      `INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, 1) RETURNING seq`,
      [m.id, m.companyId, m.channelId, m.partyId, m.messageType, m.mediaType, m.contentType, m.size, m.sha256, m.receivedAt, Buffer.from(m.bodyCiphertext)],
    )).rows[0]!.seq;
    try {
      const fx = createFixtures();
      const { company, channel } = await fx.seed(store);
      const u = await other.connect();
      const t = await other.connect();
      cleanup = async () => { await t.query('ROLLBACK').catch(() => undefined); t.release(); };
      // U takes its xid first (row a), T second (row b), U goes on (row c) and commits; T stays open.
      await u.query('BEGIN');
      await t.query('BEGIN');
      const a = await insert(u, fx.message(channel));
      const b = await insert(t, fx.message(channel));
      const c = await insert(u, fx.message(channel));
      await u.query('COMMIT');
      u.release();
      expect(a < b && b < c).toBe(true);
      // A rule "settled when its xmin is older than the oldest transaction in flight" would take a and c as settled (U is
      // older than T) and, once past c, skip b for good.
      for (let i = 0; i < 8; i++) {
        expect(await store.messageHorizon()).toBeLessThan(b);
        await sleep(HORIZON_SETTLE_MS / 2);
      }
      await t.query('COMMIT');
      t.release();
      cleanup = async () => undefined;
      let horizon = 0;
      for (let i = 0; i < 100 && horizon < c; i++) {
        horizon = await store.messageHorizon();
        await sleep(HORIZON_SETTLE_MS / 4);
      }
      const seen = await store.listPositionedMessages({ companyId: company.id, afterSeq: 0, throughSeq: horizon, limit: 10 });
      expect(seen.map((m) => m.seq)).toEqual([a, b, c]);
    } finally {
      await cleanup();
      await other.end();
      await store.close();
    }
  });
});
