import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../../../test/helpers/postgres.js';
import { createFixtures } from '../conformance/fixtures.js';
import { openPgStore, type PgStore } from './pg-store.js';

const schema = uniqueSchema('feedhz');
afterAll(() => dropSchemas([schema]));

/** Polls until `done` holds of the feed's ids (other transactions of the cluster may hold the horizon a moment). */
async function feedIds(store: PgStore, companyId: string, afterSeq: number, done: (ids: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ids = (await store.listFeedMessages({ companyId, afterSeq, limit: 10, bodies: false })).items.map((m) => m.id);
    if (done(ids) || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describePostgres('change feed horizon on PostgreSQL', () => {
  it('never passes a row that a transaction still in flight inserted with a smaller seq: a later commit waits for it', async () => {
    const store = await openPgStore({ url: PG_URL, schema, poolSize: 3, migrate: true });
    const held = new pg.Client({ connectionString: PG_URL });
    await held.connect();
    try {
      const fx = createFixtures();
      const { company, channel } = await fx.seed(store);
      const [m1, m2, m3] = [fx.message(channel), fx.message(channel), fx.message(channel)];
      await store.ingest([{ message: m1 }]);
      expect(await feedIds(store, company.id, 0, (ids) => ids.length === 1)).toEqual([m1.id]);

      // A second connection inserts m2 and keeps its transaction open (no advisory lock: any writer)…
      await held.query(`SET search_path TO ${schema}`);
      await held.query('BEGIN');
      const inserted = await held.query<{ seq: string }>(
        `INSERT INTO messages (id, company_id, channel_id, party_id, message_type, media_type, content_type, size, sha256, received_at, transaction_id, body_ciphertext, key_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING seq`,
        [m2.id, m2.companyId, m2.channelId, m2.partyId, m2.messageType, m2.mediaType, m2.contentType, m2.size, m2.sha256, m2.receivedAt, m2.transactionId, Buffer.from(m2.bodyCiphertext), m2.keyVersion],
      );
      // …while m3 is ingested after it, with a larger seq, and commits.
      const [o3] = await store.ingest([{ message: m3 }]);
      expect(o3!.ok && o3!.seq > Number(inserted.rows[0]!.seq)).toBe(true);

      // The feed shows m1 and stops: m3 is committed, but m2 before it could still commit.
      for (let i = 0; i < 5; i++) {
        const page = await store.listFeedMessages({ companyId: company.id, afterSeq: 0, limit: 10, bodies: false });
        expect(page.items.map((m) => m.id)).toEqual([m1.id]);
        expect(page.more).toBe(true);
        await new Promise((r) => setTimeout(r, 20));
      }
      const seq1 = (await store.listFeedMessages({ companyId: company.id, afterSeq: 0, limit: 1, bodies: false })).items[0]!.seq;
      expect((await store.listFeedMessages({ companyId: company.id, afterSeq: seq1, limit: 10, bodies: false })).items).toEqual([]);

      // Once m2 commits, a reader resuming after m1 gets m2, then m3: nothing skipped, in seq order.
      await held.query('COMMIT');
      expect(await feedIds(store, company.id, seq1, (ids) => ids.length === 2)).toEqual([m2.id, m3.id]);
    } finally {
      await held.query('ROLLBACK').catch(() => undefined);
      await held.end();
      await store.close();
    }
  });
});
