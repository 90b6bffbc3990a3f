import { describe, expect, it } from 'vitest';
import type { ChannelRecord, MessageMeta, MessageQuery, MessageRecord, Store } from '../port.js';
import { collectPages, expectBytes, expectCode, expectInvalidCursorsRefused } from './assertions.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';

/** The metadata a list returns for a stored message: everything but the body and its key version. */
export function metaOf(m: MessageRecord): MessageMeta {
  const { bodyCiphertext: _body, keyVersion: _key, ...meta } = m;
  return meta;
}

/** Compares a read message with the stored one, the (possibly large) body byte by byte. */
export function expectMessage(got: MessageRecord | undefined, expected: MessageRecord): void {
  expect(got).toBeDefined();
  const { bodyCiphertext, ...rest } = got!;
  const { bodyCiphertext: expectedBody, ...expectedRest } = expected;
  expect(rest).toEqual(expectedRest);
  expectBytes(bodyCiphertext, expectedBody);
}

async function ingestOne(store: Store, message: MessageRecord): Promise<void> {
  expect(await store.ingest([{ message }])).toEqual([{ ok: true, seq: expect.any(Number) }]);
}

async function listIds(store: Store, q: Omit<MessageQuery, 'cursor' | 'limit'>, limit = 100): Promise<string[]> {
  const { items } = await collectPages((cursor) => store.listMessages({ ...q, cursor, limit }));
  return items.map((m) => m.id);
}

export function describeVaultCases(ctx: ConformanceContext): void {
  describe('ingest and getMessage', () => {
    it('stores messages and reads them back byte-exact, bodies included', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const big = ctx.fx().message(channel, { bodyCiphertext: cipherBytes(1024 * 1024 + 3), keyVersion: 7 });
      const view = ctx.fx().message(channel, {
        bodyCiphertext: cipherBytes(5000).subarray(100, 4100),
        contentType: 'application/json;charset=UTF-8',
        mediaType: 'application/json',
        transactionId: null,
      });
      const outcomes = await store.ingest([{ message: big }, { message: view }]);
      expect(outcomes).toEqual([
        { ok: true, seq: expect.any(Number) },
        { ok: true, seq: expect.any(Number) },
      ]);
      expectMessage(await store.getMessage(channel.companyId, big.id), big);
      expectMessage(await store.getMessage(channel.companyId, view.id), view);
    });

    it('never returns a message to another company, nor an unknown id', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const { company: other } = await ctx.fx().seed(store);
      const message = ctx.fx().message(channel);
      await ingestOne(store, message);
      expect(await store.getMessage(other.id, message.id)).toBeUndefined();
      expect(await store.getMessage('co_test_missing', message.id)).toBeUndefined();
      expect(await store.getMessage(channel.companyId, 'msg_test_missing')).toBeUndefined();
    });

    it('answers in input order with sequence numbers that only grow', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      expect(await store.ingest([])).toEqual([]);
      const first = await store.ingest([1, 2, 3].map(() => ({ message: ctx.fx().message(channel) })));
      const second = await store.ingest([{ message: ctx.fx().message(channel) }]);
      const seqs = [...first, ...second].map((o) => (o.ok ? o.seq : Number.NaN));
      expect(seqs.every(Number.isSafeInteger)).toBe(true);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(4);
    });
  });

  describe('transaction ids', () => {
    it('refuses a transaction id used in an earlier batch and stores nothing for it', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const original = ctx.fx().message(channel);
      await ingestOne(store, original);
      const retry = ctx.fx().message(channel, { transactionId: original.transactionId });
      const fresh = ctx.fx().message(channel);
      const outcomes = await store.ingest([{ message: retry }, { message: fresh }]);
      expect(outcomes).toEqual([
        { ok: false, reason: 'duplicate', existingMessageId: original.id },
        { ok: true, seq: expect.any(Number) },
      ]);
      expect(await store.getMessage(channel.companyId, retry.id)).toBeUndefined();
      expect(await listIds(store, { companyId: channel.companyId })).toEqual([original.id, fresh.id]);
    });

    it('refuses a transaction id repeated in one batch: the first wins, the rest is stored', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const a = ctx.fx().message(channel);
      const b = ctx.fx().message(channel, { transactionId: a.transactionId });
      const c = ctx.fx().message(channel, { transactionId: null });
      const d = ctx.fx().message(channel);
      const outcomes = await store.ingest([a, b, c, d].map((message) => ({ message })));
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
      expect(outcomes[1]).toEqual({ ok: false, reason: 'duplicate', existingMessageId: a.id });
      expect(await listIds(store, { companyId: channel.companyId })).toEqual([a.id, c.id, d.id]);
    });

    it('prunes transaction ids consumed before a time, in bounded batches, and only those', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const old = [1, 2, 3].map((n) => ctx.fx().message(channel, { receivedAt: at(n) }));
      const recent = ctx.fx().message(channel, { receivedAt: at(100) });
      await store.ingest([...old, recent].map((message) => ({ message })));
      expect(await store.consumeTransactionId(channel.partyId, 'read-old', at(4))).toBe(true);
      expect(await store.pruneTransactionIds(at(50), 2)).toBe(2);
      expect(await store.pruneTransactionIds(at(50), 2)).toBe(2);
      expect(await store.pruneTransactionIds(at(50), 2)).toBe(0);
      // Forgotten ids can be used again; the recent one is still refused. The messages themselves stay.
      expect(await store.consumeTransactionId(channel.partyId, old[0]!.transactionId!, at(101))).toBe(true);
      expect(await store.consumeTransactionId(channel.partyId, 'read-old', at(101))).toBe(true);
      expect(await store.consumeTransactionId(channel.partyId, recent.transactionId!, at(101))).toBe(false);
      expect(await listIds(store, { companyId: channel.companyId })).toEqual([...old, recent].map((m) => m.id));
    });

    it('keeps the transaction ids of different parties apart', async () => {
      const store = ctx.store();
      const { company, channel } = await ctx.fx().seed(store);
      const otherParty = ctx.fx().party();
      await store.createParty(otherParty);
      const otherChannel: ChannelRecord = ctx.fx().channel(company.id, otherParty.id);
      await store.createChannel(otherChannel);
      const txid = ctx.fx().transactionId();
      const mine = ctx.fx().message(channel, { transactionId: txid });
      const theirs = ctx.fx().message(otherChannel, { transactionId: txid });
      expect((await store.ingest([{ message: mine }, { message: theirs }])).map((o) => o.ok)).toEqual([true, true]);
      expect(await store.consumeTransactionId(channel.partyId, txid, at(1))).toBe(false);
      expect(await store.consumeTransactionId(otherParty.id, txid, at(1))).toBe(false);
    });

    it('stores every message without a transaction id', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const batch = [1, 2].map(() => ctx.fx().message(channel, { transactionId: null }));
      const more = ctx.fx().message(channel, { transactionId: null });
      expect((await store.ingest(batch.map((message) => ({ message })))).map((o) => o.ok)).toEqual([true, true]);
      await ingestOne(store, more);
      expectMessage(await store.getMessage(channel.companyId, more.id), more);
      expect(await listIds(store, { companyId: channel.companyId })).toEqual([...batch, more].map((m) => m.id));
    });

    it('consumes a transaction id without a message once, sharing the ledger with ingest', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const party = channel.partyId;
      const txid = ctx.fx().transactionId();
      expect(await store.consumeTransactionId(party, txid, at(5))).toBe(true);
      expect(await store.consumeTransactionId(party, txid, at(6))).toBe(false);
      expect(await store.consumeTransactionId('tp_test_someone_else', txid, at(6))).toBe(true);
      const reuse = ctx.fx().message(channel, { transactionId: txid });
      expect(await store.ingest([{ message: reuse }])).toEqual([
        { ok: false, reason: 'duplicate', existingMessageId: null },
      ]);
      const stored = ctx.fx().message(channel);
      await ingestOne(store, stored);
      expect(await store.consumeTransactionId(party, stored.transactionId!, at(7))).toBe(false);
    });

    it('stores nothing of a batch whose transaction fails, and stays usable', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const first = ctx.fx().message(channel);
      const clash = ctx.fx().message(channel, { id: first.id });
      await expect(store.ingest([{ message: first }, { message: clash }])).rejects.toThrow();
      expect(await store.getMessage(channel.companyId, first.id)).toBeUndefined();
      expect(await listIds(store, { companyId: channel.companyId })).toEqual([]);
      expect(await store.consumeTransactionId(channel.partyId, clash.transactionId!, at(8))).toBe(true);
      await ingestOne(store, first);
      expectMessage(await store.getMessage(channel.companyId, first.id), first);
    });
  });

  describe('listMessages', () => {
    it('lists metadata only, oldest first, across pages', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const messages = Array.from({ length: 7 }, () => ctx.fx().message(channel));
      await store.ingest(messages.slice(0, 4).map((message) => ({ message })));
      await store.ingest(messages.slice(4).map((message) => ({ message })));
      const first = await store.listMessages({ companyId: channel.companyId, limit: 3 });
      expect(first.items).toEqual(messages.slice(0, 3).map(metaOf));
      for (const item of first.items) expect(item).not.toHaveProperty('bodyCiphertext');
      const companyId = channel.companyId;
      const all = await collectPages((cursor) => store.listMessages({ companyId, cursor, limit: 3 }));
      expect(all).toEqual({ items: messages.map(metaOf), pages: 3 });
      const exact = await collectPages((cursor) => store.listMessages({ companyId, cursor, limit: 7 }));
      expect(exact.pages).toBe(1);
    });

    it('filters by channel, message type and time window in every combination, across pages', async () => {
      const store = ctx.store();
      const { company, party, channel: ch1 } = await ctx.fx().seed(store);
      const ch2 = ctx.fx().channel(company.id, party.id);
      await store.createChannel(ch2);
      const { channel: foreign } = await ctx.fx().seed(store);
      const dataset: MessageRecord[] = [];
      for (let i = 0; i < 12; i++) {
        const fields = { messageType: i % 3 === 0 ? 'receipt' : 'salesinvoice', receivedAt: at(2000 + i * 10) };
        dataset.push(ctx.fx().message(i % 2 === 0 ? ch1 : ch2, fields));
        if (i % 4 === 0) dataset.push(ctx.fx().message(foreign, fields));
      }
      await store.ingest(dataset.slice(0, 9).map((message) => ({ message })));
      await store.ingest(dataset.slice(9).map((message) => ({ message })));

      for (const channelId of [undefined, ch1.id]) {
        for (const messageType of [undefined, 'receipt']) {
          for (const from of [undefined, at(2030)]) {
            for (const to of [undefined, at(2090)]) {
              const q = { companyId: company.id, channelId, messageType, from, to };
              const expected = dataset.filter(
                (m) =>
                  m.companyId === company.id &&
                  (channelId === undefined || m.channelId === channelId) &&
                  (messageType === undefined || m.messageType === messageType) &&
                  (from === undefined || m.receivedAt >= from) &&
                  (to === undefined || m.receivedAt < to),
              );
              expect(expected.length, JSON.stringify(q)).toBeGreaterThan(0);
              const pages = await collectPages((cursor) => store.listMessages({ ...q, cursor, limit: 2 }));
              expect(pages.items, JSON.stringify(q)).toEqual(expected.map(metaOf));
              expect(pages.pages).toBe(Math.max(1, Math.ceil(expected.length / 2)));
            }
          }
        }
      }
      expect(await listIds(store, { companyId: company.id, messageType: 'no-such-type' })).toEqual([]);
    });

    it('filters by lists of channels and of message types (any of each; an empty list matches nothing), with the other filters, across pages, bodies too', async () => {
      const store = ctx.store();
      const { company, party, channel: ch1 } = await ctx.fx().seed(store);
      const [ch2, ch3] = [ctx.fx().channel(company.id, party.id), ctx.fx().channel(company.id, party.id)];
      await store.createChannel(ch2);
      await store.createChannel(ch3);
      const { channel: foreign } = await ctx.fx().seed(store);
      const types = ['receipt', 'salesinvoice', 'order'];
      const dataset: MessageRecord[] = [];
      for (let i = 0; i < 15; i++) {
        const fields = { messageType: types[i % 3]!, receivedAt: at(3000 + i * 10) };
        dataset.push(ctx.fx().message([ch1, ch2, ch3][i % 5 % 3]!, fields));
        if (i % 4 === 0) dataset.push(ctx.fx().message(foreign, fields));
      }
      await store.ingest(dataset.map((message) => ({ message })));

      for (const channelIds of [undefined, [ch1.id, ch3.id], [ch2.id, foreign.id, 'ch_test_none'], []]) {
        for (const messageTypes of [undefined, ['receipt', 'order'], ['salesinvoice'], []]) {
          for (const extra of [{}, { channelId: ch1.id, from: at(3040) }, { messageType: 'receipt' }]) {
            const q = { companyId: company.id, channelIds, messageTypes, ...extra };
            const expected = dataset.filter((m) => m.companyId === company.id
              && (channelIds === undefined || channelIds.includes(m.channelId)) && (messageTypes === undefined || messageTypes.includes(m.messageType))
              && (!('channelId' in extra) || m.channelId === extra.channelId) && (!('from' in extra) || m.receivedAt >= extra.from!)
              && (!('messageType' in extra) || m.messageType === extra.messageType));
            const pages = await collectPages((cursor) => store.listMessages({ ...q, cursor, limit: 2 }));
            expect(pages.items, JSON.stringify(q)).toEqual(expected.map(metaOf));
            const withBodies = await collectPages((cursor) => store.listMessagesWithBodies({ ...q, cursor, limit: 3 }));
            expect(withBodies.items.map((m) => m.id), JSON.stringify(q)).toEqual(expected.map((m) => m.id));
          }
        }
      }
    });

    it('treats from as inclusive and to as exclusive', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      const times = [at(100), at(101), at(102)];
      const messages = times.map((receivedAt) => ctx.fx().message(channel, { receivedAt }));
      await store.ingest(messages.map((message) => ({ message })));
      const ids = await listIds(store, { companyId: channel.companyId, from: times[1], to: times[2] });
      expect(ids).toEqual([messages[1]!.id]);
      expect(await listIds(store, { companyId: channel.companyId, from: times[1], to: times[1] })).toEqual([]);
    });

    it('refuses an invalid cursor with CURSOR_INVALID and a bad limit', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      await ingestOne(store, ctx.fx().message(channel));
      await expectInvalidCursorsRefused((q) => store.listMessages({ ...q, companyId: channel.companyId }));
      await expectCode(
        store.listMessages({ companyId: channel.companyId, channelId: channel.id, cursor: '***', limit: 5 }),
        'CURSOR_INVALID',
      );
      await expect(store.listMessages({ companyId: channel.companyId, limit: 0 })).rejects.toThrow();
    });
  });
}
