import { afterEach, describe, expect, it } from 'vitest';
import { MAC_HEADERS } from '../../../protocol/index.js';
import { openSqliteStore, type SqliteStore } from '../../../store/index.js';
import { createFixtures } from '../../../store/conformance/fixtures.js';
import { RegistryCache } from '../registry-cache.js';
import { RefusalRecorder, type RefusalSighting } from './refusal-recorder.js';
import { pruneIngestionRefusals } from './refusal-retention.js';

/* The recorder of refused ingestion requests (issue 16) over a real SQLite store: batching, the queue bound, shutdown. */

const now = Date.parse('2026-11-29T12:00:00.000Z');
const clock = { now: () => now };
let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const sighting = (n: number, over: Partial<RefusalSighting> = {}): RefusalSighting => ({
  at: now, code: 'AUTHENTICATION_FAILED', status: 200, channelId: 'ch_test_none', headers: {}, requestId: `req-${n}`, clientAddress: '192.0.2.7', ...over,
});
const all = async (s: SqliteStore) => (await s.listIngestionRefusals({ limit: 1000 })).items;

describe('refusal recorder', () => {
  it('writes nothing on record(): a batch goes in one write after flushMs, or at once when batchSize wait', async () => {
    store = openSqliteStore({ file: ':memory:' });
    const writes: number[] = [];
    const s = store;
    const spy = Object.assign(Object.create(s) as SqliteStore, { appendIngestionRefusals: async (rows: readonly unknown[]) => { writes.push(rows.length); return s.appendIngestionRefusals(rows as never); } });
    const recorder = new RefusalRecorder({ store: spy, clock, cache: new RegistryCache(clock.now), batchSize: 3, flushMs: 30 });
    recorder.record(sighting(1));
    recorder.record(sighting(2));
    expect(recorder.queued).toBe(2);
    expect(await all(s)).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(writes).toEqual([2]);
    for (const n of [3, 4, 5]) recorder.record(sighting(n));
    await new Promise((r) => setTimeout(r, 10));
    expect(writes).toEqual([2, 3]);
    expect((await all(s)).map((r) => r.requestId)).toEqual(['req-5', 'req-4', 'req-3', 'req-2', 'req-1']);
    await recorder.close();
  });

  it('drops and counts refusals beyond maxQueued, and writes what waits on close', async () => {
    store = openSqliteStore({ file: ':memory:' });
    const dropped: string[] = [];
    const recorder = new RefusalRecorder({ store, clock, cache: new RegistryCache(clock.now), maxQueued: 5, batchSize: 100, flushMs: 60_000, onDropped: (n, why) => dropped.push(`${n} ${why}`) });
    for (let n = 1; n <= 8; n++) recorder.record(sighting(n));
    expect(recorder.queued).toBe(5);
    expect(dropped).toEqual(['1 queue-full', '1 queue-full', '1 queue-full']);
    await recorder.close();
    expect((await all(store)).map((r) => r.requestId)).toEqual(['req-5', 'req-4', 'req-3', 'req-2', 'req-1']);
  });

  it('attributes by the channel of the URL: the party only when the claimed partner is the channel party\'s; the catalogue status', async () => {
    store = openSqliteStore({ file: ':memory:' });
    const fx = createFixtures();
    const { company, party, channel } = await fx.seed(store);
    const own = fx.partnerCredential(party.id);
    const otherParty = fx.party();
    await store.createParty(otherParty);
    const foreign = fx.partnerCredential(otherParty.id);
    await store.createPartnerCredential(own);
    await store.createPartnerCredential(foreign);
    const mac = (partnerId: string) => ({ [MAC_HEADERS.partnerId]: partnerId, [MAC_HEADERS.customerId]: 'cid_test_x', [MAC_HEADERS.transactionId]: 'x'.repeat(150) });
    const recorder = new RefusalRecorder({ store, clock, cache: new RegistryCache(clock.now) });
    recorder.record(sighting(1, { channelId: channel.id, headers: mac(own.partnerId) }));
    recorder.record(sighting(2, { channelId: channel.id, headers: mac(foreign.partnerId) }));
    recorder.record(sighting(3, { channelId: channel.id, headers: {}, code: 'NO_SUCH_CODE_IN_CATALOGUE', status: 418 }));
    recorder.record(sighting(4, { headers: mac(own.partnerId) }));
    await recorder.close();
    const rows = Object.fromEntries((await all(store)).map((r) => [r.requestId, r]));
    expect(rows['req-1']).toMatchObject({ companyId: company.id, partyId: party.id, scheme: 'mac', credentialId: `${own.partnerId}/cid_test_x`, transactionId: 'x'.repeat(100), status: 401 });
    expect(rows['req-2']).toMatchObject({ companyId: company.id, partyId: null, credentialId: `${foreign.partnerId}/cid_test_x` });
    expect(rows['req-3']).toMatchObject({ companyId: company.id, partyId: party.id, scheme: 'none', credentialId: null, transactionId: null, status: 418 });
    expect(rows['req-4']).toMatchObject({ companyId: null, partyId: null, channelId: 'ch_test_none' });
  });

  it('a batch that cannot be written is dropped and counted, not retried forever', async () => {
    store = openSqliteStore({ file: ':memory:' });
    const dropped: string[] = [];
    const broken = Object.assign(Object.create(store) as SqliteStore, { appendIngestionRefusals: async () => { throw new Error('disk on fire'); } });
    const recorder = new RefusalRecorder({ store: broken, clock, cache: new RegistryCache(clock.now), onDropped: (n, why) => dropped.push(`${n} ${why}`) });
    recorder.record(sighting(1));
    recorder.record(sighting(2));
    await recorder.close();
    expect(dropped).toEqual(['2 write-failed']);
  });

  it('the retention prune deletes refusals older than the days given, in batches', async () => {
    store = openSqliteStore({ file: ':memory:' });
    const day = 86_400_000;
    const rows = Array.from({ length: 1203 }, (_, i) => ({
      at: new Date(now - (i < 1201 ? 8 : 6) * day - i).toISOString(), code: 'AUTHENTICATION_FAILED', status: 401, channelId: null, companyId: null, partyId: null,
      scheme: 'none' as const, credentialId: null, transactionId: null, requestId: `r-${i}`, clientAddress: null,
    }));
    await store.appendIngestionRefusals(rows);
    expect(await pruneIngestionRefusals({ store, clock, days: 7 })).toBe(1201);
    expect((await all(store)).map((r) => r.requestId).sort()).toEqual(['r-1201', 'r-1202']);
  });
});
