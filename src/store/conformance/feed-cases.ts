import { describe, expect, it } from 'vitest';
import type { MessageRecord, Store } from '../port.js';
import type { ConformanceContext } from './context.js';

async function ingest(store: Store, messages: MessageRecord[]): Promise<number[]> {
  const outcomes = await store.ingest(messages.map((message) => ({ message })));
  return outcomes.map((o) => (o.ok ? o.seq : Number.NaN));
}

/** The change feed's reads (issue 15): one vault's messages after a position, in seq order, filters pushed down. */
export function describeFeedCases(ctx: ConformanceContext): void {
  describe('listFeedMessages', () => {
    it('returns one vault\'s messages after a position in seq order, with `more` while the limit is reached', async () => {
      const store = ctx.store();
      const { company, party, channel } = await ctx.fx().seed(store);
      const other = await ctx.fx().seed(store);
      const mine = Array.from({ length: 5 }, () => ctx.fx().message(channel));
      const seqs = await ingest(store, [mine[0]!, ctx.fx().message(other.channel), ...mine.slice(1)]);
      const page1 = await store.listFeedMessages({ companyId: company.id, afterSeq: 0, limit: 3, bodies: false });
      expect(page1.items.map((m) => m.id)).toEqual(mine.slice(0, 3).map((m) => m.id));
      expect(page1.more).toBe(true);
      expect(page1.items[0]).toEqual({ ...metaOnly(mine[0]!), seq: seqs[0] });
      expect(page1.items.every((m) => m.bodyCiphertext === undefined)).toBe(true);
      const page2 = await store.listFeedMessages({ companyId: company.id, afterSeq: page1.items[2]!.seq, limit: 3, bodies: true });
      expect(page2.items.map((m) => m.id)).toEqual(mine.slice(3).map((m) => m.id));
      expect(page2.more).toBe(false);
      expect(Buffer.from(page2.items[0]!.bodyCiphertext!)).toEqual(Buffer.from(mine[3]!.bodyCiphertext));
      expect(page2.items[0]!.keyVersion).toBe(mine[3]!.keyVersion);
      const none = await store.listFeedMessages({ companyId: company.id, afterSeq: page2.items[1]!.seq, limit: 3, bodies: false });
      expect(none).toEqual({ items: [], more: false });
      expect(party.id).toBe(channel.partyId);
    });

    it('filters by lists of channels and message types', async () => {
      const store = ctx.store();
      const { company, party, channel } = await ctx.fx().seed(store);
      const ch2 = ctx.fx().channel(company.id, party.id);
      await store.createChannel(ch2);
      const a = ctx.fx().message(channel, { messageType: 'salesinvoice' });
      const b = ctx.fx().message(channel, { messageType: 'receipt', mediaType: 'application/pdf' });
      const c = ctx.fx().message(ch2, { messageType: 'salesinvoice' });
      await ingest(store, [a, b, c]);
      const ids = async (q: { channelIds?: string[]; messageTypes?: string[] }) =>
        (await store.listFeedMessages({ companyId: company.id, afterSeq: 0, limit: 10, bodies: false, ...q })).items.map((m) => m.id);
      expect(await ids({ channelIds: [channel.id] })).toEqual([a.id, b.id]);
      expect(await ids({ channelIds: [ch2.id, 'ch_test_none'] })).toEqual([c.id]);
      expect(await ids({ messageTypes: ['salesinvoice'] })).toEqual([a.id, c.id]);
      expect(await ids({ channelIds: [channel.id], messageTypes: ['receipt', 'other'] })).toEqual([b.id]);
      expect(await ids({ channelIds: [] })).toEqual([]);
    });
  });
}

function metaOnly(m: MessageRecord) {
  const { bodyCiphertext: _b, keyVersion: _k, ...meta } = m;
  return meta;
}
