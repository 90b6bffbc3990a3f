import { describe, expect, it } from 'vitest';
import type { Store } from '../port.js';
import { collectPages, expectBytes } from './assertions.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';
import { expectMessage, metaOf } from './vault-cases.js';

async function everything(store: Store, companyId: string, partyId: string): Promise<unknown> {
  const all = <T>(fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>) =>
    collectPages(fetch).then((p) => p.items);
  return {
    companies: await all((cursor) => store.listCompanies({ cursor, limit: 2 })),
    parties: await all((cursor) => store.listParties({ cursor, limit: 2 })),
    partners: await all((cursor) => store.listPartnerCredentials(partyId, { cursor, limit: 2 })),
    customers: await all((cursor) => store.listCustomerCredentials(companyId, { cursor, limit: 2 })),
    channels: await all((cursor) => store.listChannels({ cursor, limit: 2 })),
    messages: await all((cursor) => store.listMessages({ companyId, cursor, limit: 2 })),
  };
}

export function describeDurabilityCases(ctx: ConformanceContext): void {
  describe('lifecycle', () => {
    it('closes idempotently', async () => {
      const store = ctx.store();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });

  // A harness that cannot reopen the same database skips these; the SQLite one always can.
  describe.skipIf(ctx.reopen === undefined)('durability (close and reopen the same database)', () => {
    it('reads back everything after a reopen, byte-exact', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party, channel } = await fx.seed(store);
      const partner = fx.partnerCredential(party.id, { keyCiphertext: cipherBytes(256) });
      const customer = fx.customerCredential(company.id, { scopes: ['ingest', 'vault.read'] });
      const disabledChannel = fx.channel(company.id, party.id);
      await store.createPartnerCredential(partner);
      await store.createCustomerCredential(customer);
      await store.createChannel(disabledChannel);
      await store.disableChannel(disabledChannel.id, at(40));
      const messages = [
        fx.message(channel, { bodyCiphertext: cipherBytes(256 * 1024) }),
        fx.message(channel, { transactionId: null }),
        fx.message(disabledChannel, { messageType: 'receipt', mediaType: 'application/pdf' }),
      ];
      await store.ingest(messages.map((message) => ({ message })));
      const consumed = fx.transactionId();
      expect(await store.consumeTransactionId(party.id, consumed, at(41))).toBe(true);
      const before = await everything(store, company.id, party.id);

      const again = await ctx.reopen!();
      expect(again.kind).toBe(store.kind);
      expect(await everything(again, company.id, party.id)).toEqual(before);
      expect(await again.getCompany(company.id)).toEqual(company);
      expect(await again.getCompanyByBusinessId(company.businessId)).toEqual(company);
      expect(await again.getParty(party.id)).toEqual(party);
      const gotPartner = await again.getPartnerCredential(partner.partnerId);
      expect(gotPartner).toEqual(partner);
      expectBytes(gotPartner?.keyCiphertext, partner.keyCiphertext);
      expect(await again.getCustomerCredential(customer.customerId)).toEqual(customer);
      expect(await again.getChannel(disabledChannel.id)).toEqual({
        ...disabledChannel,
        status: 'disabled',
        disabledAt: at(40),
      });
      for (const m of messages) expectMessage(await again.getMessage(company.id, m.id), m);
      expect((before as { messages: unknown }).messages).toEqual(messages.map(metaOf));

      // The ledger survives too: neither an ingested nor a consumed transaction id can be used again.
      const retry = fx.message(channel, { transactionId: messages[0]!.transactionId });
      expect(await again.ingest([{ message: retry }])).toEqual([
        { ok: false, reason: 'duplicate', existingMessageId: messages[0]!.id },
      ]);
      expect(await again.consumeTransactionId(party.id, consumed, at(42))).toBe(false);
    });

    it('continues sequence numbers and cursors across a reopen', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { channel } = await fx.seed(store);
      const early = [fx.message(channel), fx.message(channel), fx.message(channel)];
      const outcomes = await store.ingest(early.map((message) => ({ message })));
      const page1 = await store.listMessages({ companyId: channel.companyId, limit: 2 });

      const again = await ctx.reopen!();
      const late = fx.message(channel);
      const [outcome] = await again.ingest([{ message: late }]);
      const lastSeq = outcomes[2]?.ok ? outcomes[2].seq : Number.NaN;
      expect(outcome?.ok && outcome.seq > lastSeq).toBe(true);
      const page2 = await again.listMessages({ companyId: channel.companyId, cursor: page1.nextCursor!, limit: 5 });
      expect(page2).toEqual({ items: [early[2]!, late].map(metaOf), nextCursor: null });
    });
  });
}
