import { describe, expect, it } from 'vitest';
import type { MessageRecord, Store } from '../port.js';
import { auditEvent } from './audit-cases.js';
import { collectPages, expectBytes } from './assertions.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';

/*
 * What happens to data over time: company deletion and its audit trail, retention deletions, the ledger's size,
 * and exports that stream bodies and resume after the last item received.
 */

async function ids(store: Store, companyId: string): Promise<string[]> {
  return (await collectPages((cursor) => store.listMessages({ companyId, cursor, limit: 50 }))).items.map((m) => m.id);
}

/** Calls `step` with `limit` until it deletes less than that; returns what each call deleted. */
async function inBatches(limit: number, step: (limit: number) => Promise<number>): Promise<number[]> {
  const counts: number[] = [];
  for (let n = limit; n === limit; ) counts.push((n = await step(limit)));
  return counts;
}

export function describeLifecycleCases(ctx: ConformanceContext): void {
  describe('readiness', () => {
    it('an open store with room is readable and not full (free bytes, where reported, are a count of bytes)', async () => {
      const store = ctx.store();
      await ctx.fx().seed(store);
      const r = await store.checkReadiness();
      expect(r).toMatchObject({ readable: true, full: false });
      if (r.freeBytes !== undefined) expect(Number.isSafeInteger(r.freeBytes) && r.freeBytes > 0).toBe(true);
    });
  });

  describe('company deletion', () => {
    it('tombstones the company, disables its credentials and channels and records the audit event in one step', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party, channel } = await fx.seed(store);
      const active = fx.customerCredential(company.id);
      const disabledEarlier = fx.customerCredential(company.id, { status: 'disabled', disabledAt: at(3) });
      await store.createCustomerCredential(active);
      await store.createCustomerCredential(disabledEarlier);
      const audit = auditEvent({ at: at(50), action: 'company.delete', subject: company.id, tenants: [company.id], details: { businessId: company.businessId } });

      expect(await store.deleteCompany(company.id, at(50), audit)).toBe(true);
      expect(await store.getCompany(company.id)).toEqual({ ...company, deletedAt: at(50) });
      expect(await store.getCompanyByBusinessId(company.businessId)).toBeUndefined();
      expect(await store.getCustomerCredential(active.customerId)).toEqual({ ...active, status: 'disabled', disabledAt: at(50) });
      expect(await store.getCustomerCredential(disabledEarlier.customerId)).toEqual(disabledEarlier);
      expect(await store.getChannel(channel.id)).toEqual({ ...channel, status: 'disabled', disabledAt: at(50) });
      expect(await store.getParty(party.id)).toEqual(party);
      expect((await store.listAudit({ tenant: company.id, limit: 10 })).items).toMatchObject([audit]);

      // Deleting again keeps the first time; an unknown company is false; the business id is free again.
      expect(await store.deleteCompany(company.id, at(60), auditEvent({ at: at(60) }))).toBe(true);
      expect((await store.getCompany(company.id))?.deletedAt).toBe(at(50));
      expect(await store.deleteCompany('co_test_missing', at(60), auditEvent())).toBe(false);
      const successor = fx.company({ businessId: company.businessId });
      await store.createCompany(successor);
      expect(await store.getCompanyByBusinessId(company.businessId)).toEqual(successor);
    });

    it("purges a deleted company's messages in bounded batches, and only its own", async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, channel } = await fx.seed(store);
      const { channel: otherChannel } = await fx.seed(store);
      await store.ingest(Array.from({ length: 5 }, () => ({ message: fx.message(channel) })));
      const kept = fx.message(otherChannel);
      await store.ingest([{ message: kept }]);
      expect(await store.listDeletedCompanyIds()).toEqual([]);
      await store.deleteCompany(company.id, at(70), auditEvent({ at: at(70), action: 'company.delete', subject: company.id }));

      expect(await store.listDeletedCompanyIds()).toEqual([company.id]);
      expect(await inBatches(2, (limit) => store.deleteCompanyMessages(company.id, limit))).toEqual([2, 2, 1]);
      expect(await ids(store, company.id)).toEqual([]);
      expect(await store.listDeletedCompanyIds()).toEqual([]);
      expect(await ids(store, otherChannel.companyId)).toEqual([kept.id]);
    });
  });

  describe('retention', () => {
    it('deletes messages of one channel and type older than a time, oldest first, in bounded batches', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party, channel } = await fx.seed(store);
      const other = fx.channel(company.id, party.id);
      await store.createChannel(other);
      const old = [1, 2, 3].map((n) => fx.message(channel, { receivedAt: at(n) }));
      const recent = fx.message(channel, { receivedAt: at(100) });
      const otherType = fx.message(channel, { receivedAt: at(1), messageType: 'receipt', mediaType: 'application/pdf' });
      const otherChannel = fx.message(other, { receivedAt: at(1) });
      await store.ingest([...old, recent, otherType, otherChannel].map((message) => ({ message })));
      const q = { channelId: channel.id, messageType: 'salesinvoice', before: at(50) };
      expect(await inBatches(2, (limit) => store.deleteExpiredMessages({ ...q, limit }))).toEqual([2, 1]);
      expect(await ids(store, company.id)).toEqual([recent, otherType, otherChannel].map((m) => m.id));
    });

    it('keeps only the newest messages of one channel and type, alone or with an age limit', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, channel } = await fx.seed(store);
      const messages = Array.from({ length: 6 }, (_, i) => fx.message(channel, { receivedAt: at(10 + i) }));
      const otherType = fx.message(channel, { messageType: 'receipt', mediaType: 'application/pdf' });
      await store.ingest([...messages, otherType].map((message) => ({ message })));
      const q = { channelId: channel.id, messageType: 'salesinvoice' };
      expect(await inBatches(1, (limit) => store.deleteExpiredMessages({ ...q, keepLast: 4, limit }))).toEqual([1, 1, 0]);
      expect(await ids(store, company.id)).toEqual([...messages.slice(2), otherType].map((m) => m.id));
      // Both limits: the age limit takes the oldest, the count limit what is still beyond the newest 2.
      expect(await store.deleteExpiredMessages({ ...q, before: at(13), keepLast: 2, limit: 10 })).toBe(2);
      expect(await ids(store, company.id)).toEqual([...messages.slice(4), otherType].map((m) => m.id));
    });
  });

  describe('ledger size and exports', () => {
    it('counts the transaction ids kept, consumed by ingestion or by reads', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { channel } = await fx.seed(store);
      expect(await store.countTransactionIds()).toBe(0);
      await store.ingest([fx.message(channel), fx.message(channel), fx.message(channel, { transactionId: null })].map((message) => ({ message })));
      await store.consumeTransactionId(channel.partyId, fx.transactionId(), at(1));
      expect(await store.countTransactionIds()).toBe(3);
    });

    it('streams bodies with a cursor per item, and resumes after any item received', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, channel } = await fx.seed(store);
      const messages: MessageRecord[] = Array.from({ length: 5 }, (_, i) => fx.message(channel, { bodyCiphertext: cipherBytes(300 + i), keyVersion: i }));
      await store.ingest(messages.map((message) => ({ message })));
      const first = await store.listMessagesWithBodies({ companyId: company.id, limit: 3 });
      expect(first.items.map((m) => m.id)).toEqual(messages.slice(0, 3).map((m) => m.id));
      first.items.forEach((item, i) => {
        const { bodyCiphertext, cursor, ...rest } = item;
        const { bodyCiphertext: expectedBody, ...expectedRest } = messages[i]!;
        expect(rest).toEqual(expectedRest);
        expectBytes(bodyCiphertext, expectedBody);
        expect(cursor).toEqual(expect.any(String));
      });
      expect(first.nextCursor).toBe(first.items[2]!.cursor);
      // A client that received only the first item resumes after it.
      const resumed = await store.listMessagesWithBodies({ companyId: company.id, cursor: first.items[0]!.cursor, limit: 10 });
      expect(resumed.items.map((m) => m.id)).toEqual(messages.slice(1).map((m) => m.id));
      expect(resumed.nextCursor).toBeNull();
      const filtered = await store.listMessagesWithBodies({ companyId: company.id, channelId: channel.id, from: messages[3]!.receivedAt, limit: 10 });
      expect(filtered.items.map((m) => m.id)).toEqual(messages.slice(3).map((m) => m.id));
    });
  });
}
