import { afterAll, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../../../test/helpers/postgres.js';
import { auditEvent } from '../conformance/audit-cases.js';
import { grantTerms } from '../conformance/sharing-cases.js';
import { at } from '../conformance/fixtures.js';
import type { GrantEventRecord, GrantRecord } from '../port.js';
import { grantEventParams, grantParams, SHARING_SQL } from '../sqlite/sharing-store.js';
import { appendPgAudit } from './audit.js';
import { createPool, run } from './pg-db.js';
import { openPgStore } from './pg-store.js';

/*
 * Grant events on PostgreSQL with several writers (issue 15): the feed reads grant_events by seq, so a later seq must
 * never commit before an earlier one. Every grant change takes the audit lock before it inserts its event, so a
 * writer that starts while another holds it waits, and gets the larger seq only after the other committed.
 */
describePostgres('grant events on PostgreSQL', () => {
  const schema = uniqueSchema('grantseq');
  afterAll(() => dropSchemas([schema]));

  it('an event inserted while another transaction holds an uncommitted one commits after it, with a larger seq', async () => {
    const store = await openPgStore({ url: PG_URL, schema, poolSize: 3, migrate: true });
    const pool = createPool({ url: PG_URL, schema, poolSize: 1 });
    const grant = (n: number): GrantRecord => ({
      id: `grt_test_seq${String(n).padStart(22, '0')}`, ownerOrganisationId: 'co_test_owner', consumerOrganisationId: 'co_test_consumer', state: 'requested',
      terms: grantTerms(), requestedTerms: grantTerms(), createdAt: at(1), updatedAt: at(1), requestedBy: 'u', decidedBy: null,
    });
    const event = (g: GrantRecord): GrantEventRecord => ({ id: `gev_${g.id}`, grantId: g.id, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId, type: 'grant.requested', at: at(2), actor: 'u', state: g.state, terms: g.terms });
    const client = await pool.connect();
    try {
      // A writer in flight: its grant, audit event (taking the lock) and grant event, not committed yet.
      const first = grant(1);
      await client.query('BEGIN');
      await run(client, SHARING_SQL.insertGrant, grantParams(first));
      await appendPgAudit(client, auditEvent({ subject: first.id }));
      await run(client, SHARING_SQL.insertEvent, grantEventParams(event(first)));
      const second = grant(2);
      let done = false;
      const later = store.createGrant(second, event(second), auditEvent({ subject: second.id })).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      // A reader meanwhile sees neither (the second is not even numbered yet).
      expect(await store.listGrantEvents({ organisationId: 'co_test_owner', afterSeq: 0, limit: 10 })).toEqual([]);
      await client.query('COMMIT');
      await later;
      const seen = await store.listGrantEvents({ organisationId: 'co_test_owner', afterSeq: 0, limit: 10 });
      expect(seen.map((e) => e.grantId)).toEqual([first.id, second.id]);
      expect(seen[0]!.seq).toBeLessThan(seen[1]!.seq);
    } finally {
      client.release();
      await pool.end();
      await store.close();
    }
  });
});
