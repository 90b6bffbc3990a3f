import { describe, expect, it } from 'vitest';
import type { IngestionRefusalInput } from '../port.js';
import { collectPages } from './assertions.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';

/* Ingestion insights (issue 16): refused ingestion requests by scope, their retention, and message counts by day. */

let n = 0;
function refusal(over: Partial<IngestionRefusalInput> = {}): IngestionRefusalInput {
  n++;
  return {
    at: at(n), code: 'SERVICE_ACCESS_ERROR', status: 403, channelId: null, companyId: null, partyId: null, scheme: 'mac',
    credentialId: 'pid_test_x/cid_test_y', transactionId: `tx-${n}`, requestId: `req-${n}`, clientAddress: '192.0.2.1', ...over,
  };
}

export function describeInsightsCases(ctx: ConformanceContext): void {
  describe('ingestion insights', () => {
    it('keeps refusals as given and lists them newest first by scope: company, party, or all', async () => {
      const store = ctx.store();
      const a = refusal({ companyId: 'co_test_a', partyId: 'tp_test_p', channelId: 'ch_test_1', code: 'MAC_INVALID', status: 401, clientAddress: null });
      const b = refusal({ companyId: 'co_test_a', partyId: null, channelId: 'ch_test_1', scheme: 'bearer', credentialId: 'https://idp|other', transactionId: null });
      const c = refusal({ channelId: 'ch_test_unknown', code: 'CHANNEL_NOT_FOUND', status: 404, scheme: 'none', credentialId: null });
      const d = refusal({ companyId: 'co_test_b', partyId: 'tp_test_p', channelId: 'ch_test_2', code: 'MESSAGE_TYPE_NOT_AGREED', status: 400 });
      await store.appendIngestionRefusals([a, b]);
      await store.appendIngestionRefusals([c, d]);
      await store.appendIngestionRefusals([]);
      const { items: all } = await collectPages((cursor) => store.listIngestionRefusals({ cursor, limit: 3 }));
      expect(all.map(({ seq: _s, ...r }) => r)).toEqual([d, c, b, a]);
      expect(all.map((r) => r.seq)).toEqual([...all.map((r) => r.seq)].sort((x, y) => y - x));
      const company = await store.listIngestionRefusals({ companyId: 'co_test_a', limit: 10 });
      expect(company.items.map((r) => r.requestId)).toEqual([b.requestId, a.requestId]);
      const party = await store.listIngestionRefusals({ partyId: 'tp_test_p', limit: 10 });
      expect(party.items.map((r) => r.requestId)).toEqual([d.requestId, a.requestId]);
      expect((await store.listIngestionRefusals({ companyId: 'co_test_none', limit: 10 })).items).toEqual([]);
      const both = await store.listIngestionRefusals({ companyId: 'co_test_b', partyId: 'tp_test_p', limit: 10 });
      expect(both.items.map((r) => r.requestId)).toEqual([d.requestId, a.requestId]);
      const either = await store.listIngestionRefusals({ companyId: 'co_test_a', partyId: 'tp_test_none', limit: 10 });
      expect(either.items.map((r) => r.requestId)).toEqual([b.requestId, a.requestId]);
    });

    it('filters by time, code and channel, and counts by code since a time', async () => {
      const store = ctx.store();
      const rows = [
        refusal({ companyId: 'co_test_c', at: at(100), code: 'MAC_INVALID', channelId: 'ch_test_1' }),
        refusal({ companyId: 'co_test_c', at: at(200), code: 'MAC_INVALID', channelId: 'ch_test_2' }),
        refusal({ companyId: 'co_test_c', at: at(300), code: 'REQUEST_NOT_UNIQUE', channelId: 'ch_test_1' }),
        refusal({ companyId: 'co_test_c', at: at(400), code: 'MAC_INVALID', channelId: 'ch_test_1' }),
        refusal({ companyId: 'co_test_other', at: at(400), code: 'MAC_INVALID', channelId: 'ch_test_9' }),
      ];
      await store.appendIngestionRefusals(rows);
      const ids = async (q: Parameters<typeof store.listIngestionRefusals>[0]) => (await store.listIngestionRefusals(q)).items.map((r) => r.requestId);
      expect(await ids({ companyId: 'co_test_c', since: at(200), limit: 10 })).toEqual([rows[3]!, rows[2]!, rows[1]!].map((r) => r.requestId));
      expect(await ids({ companyId: 'co_test_c', code: 'MAC_INVALID', limit: 10 })).toEqual([rows[3]!, rows[1]!, rows[0]!].map((r) => r.requestId));
      expect(await ids({ companyId: 'co_test_c', channelId: 'ch_test_1', code: 'MAC_INVALID', limit: 10 })).toEqual([rows[3]!, rows[0]!].map((r) => r.requestId));
      expect(await store.countIngestionRefusals({ companyId: 'co_test_c', since: at(150) })).toEqual([{ code: 'MAC_INVALID', count: 2 }, { code: 'REQUEST_NOT_UNIQUE', count: 1 }]);
      expect(await store.countIngestionRefusals({ since: at(0) })).toEqual([{ code: 'MAC_INVALID', count: 4 }, { code: 'REQUEST_NOT_UNIQUE', count: 1 }]);
      expect(await store.countIngestionRefusals({ partyId: 'tp_test_none', since: at(0) })).toEqual([]);
    });

    it('prunes refusals older than a time, oldest first, at most a limit per call', async () => {
      const store = ctx.store();
      await store.appendIngestionRefusals([10, 20, 30, 40].map((s) => refusal({ at: at(s) })));
      expect(await store.pruneIngestionRefusals(at(35), 2)).toBe(2);
      expect((await store.listIngestionRefusals({ limit: 10 })).items.map((r) => r.at)).toEqual([at(40), at(30)]);
      expect(await store.pruneIngestionRefusals(at(35), 10)).toBe(1);
      expect(await store.pruneIngestionRefusals(at(35), 10)).toBe(0);
      expect((await store.listIngestionRefusals({ limit: 10 })).items.map((r) => r.at)).toEqual([at(40)]);
    });

    it('counts a company\'s messages by UTC day, channel and type since a time, and names each channel\'s newest', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party, channel } = await fx.seed(store);
      const second = fx.channel(company.id, party.id);
      await store.createChannel(second);
      const { channel: elsewhere } = await fx.seed(store);
      const day = 86_400;
      const msgs = [
        fx.message(channel, { receivedAt: at(10) }),
        fx.message(channel, { receivedAt: at(day + 10) }),
        fx.message(channel, { receivedAt: at(day + 20), messageType: 'receipt' }),
        fx.message(channel, { receivedAt: at(day + 30) }),
        fx.message(second, { receivedAt: at(2 * day + 5) }),
        fx.message(elsewhere, { receivedAt: at(day + 40) }),
      ];
      await store.ingest(msgs.map((message) => ({ message })));
      const counts = await store.countMessagesByDay({ companyId: company.id, channelIds: [channel.id, second.id], since: at(day) });
      expect(counts).toEqual([
        { date: '2025-01-02', channelId: channel.id, messageType: 'receipt', count: 1 },
        { date: '2025-01-02', channelId: channel.id, messageType: 'salesinvoice', count: 2 },
        { date: '2025-01-03', channelId: second.id, messageType: 'salesinvoice', count: 1 },
      ].sort((x, y) => (x.date + x.channelId + x.messageType < y.date + y.channelId + y.messageType ? -1 : 1)));
      expect(await store.countMessagesByDay({ companyId: company.id, channelIds: [elsewhere.id], since: at(0) })).toEqual([]);
      expect(await store.countMessagesByDay({ companyId: company.id, channelIds: [], since: at(0) })).toEqual([]);
      const last = await store.lastMessages({ companyId: company.id, channelIds: [channel.id, second.id, elsewhere.id] });
      expect(last).toEqual([
        { channelId: channel.id, at: at(day + 30), messageType: 'salesinvoice' },
        { channelId: second.id, at: at(2 * day + 5), messageType: 'salesinvoice' },
      ]);
    });
  });
}
