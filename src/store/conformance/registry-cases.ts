import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { collectPages, expectBytes, expectCode, expectInvalidCursorsRefused } from './assertions.js';
import { at } from './fixtures.js';

export function describeRegistryCases(ctx: ConformanceContext): void {
  describe('companies', () => {
    it('creates a company and reads it back by id and by business id', async () => {
      const store = ctx.store();
      const company = ctx.fx().company({ name: 'Ääkkönen & Söner Ab' });
      await store.createCompany(company);
      expect(await store.getCompany(company.id)).toEqual(company);
      expect(await store.getCompanyByBusinessId(company.businessId)).toEqual(company);
      expect(await store.getCompany('co_test_missing')).toBeUndefined();
      expect(await store.getCompanyByBusinessId('0000000-0')).toBeUndefined();
    });

    it('refuses a second company with the same business id (BUSINESS_ID_TAKEN) and keeps the first', async () => {
      const store = ctx.store();
      const first = ctx.fx().company();
      await store.createCompany(first);
      const second = ctx.fx().company({ businessId: first.businessId });
      await expectCode(store.createCompany(second), 'BUSINESS_ID_TAKEN');
      expect(await store.getCompany(second.id)).toBeUndefined();
      expect(await store.getCompanyByBusinessId(first.businessId)).toEqual(first);
      expect((await store.listCompanies({ limit: 10 })).items).toEqual([first]);
    });

    it('lists oldest first across pages, ending with a null cursor', async () => {
      const store = ctx.store();
      const companies = Array.from({ length: 5 }, () => ctx.fx().company());
      for (const c of companies) await store.createCompany(c);
      const first = await store.listCompanies({ limit: 2 });
      expect(first.items).toEqual(companies.slice(0, 2));
      expect(first.nextCursor).toEqual(expect.any(String));
      const all = await collectPages((cursor) => store.listCompanies({ cursor, limit: 2 }));
      expect(all).toEqual({ items: companies, pages: 3 });
    });

    it('gives a null cursor when the last page is exactly full, and an empty page for no rows', async () => {
      const store = ctx.store();
      expect(await store.listCompanies({ limit: 3 })).toEqual({ items: [], nextCursor: null });
      const companies = Array.from({ length: 4 }, () => ctx.fx().company());
      for (const c of companies) await store.createCompany(c);
      const all = await collectPages((cursor) => store.listCompanies({ cursor, limit: 2 }));
      expect(all).toEqual({ items: companies, pages: 2 });
      expect(await store.listCompanies({ limit: 4 })).toEqual({ items: companies, nextCursor: null });
    });

    it('keeps a cursor valid while rows are added after it', async () => {
      const store = ctx.store();
      const early = [ctx.fx().company(), ctx.fx().company(), ctx.fx().company()];
      for (const c of early) await store.createCompany(c);
      const page1 = await store.listCompanies({ limit: 2 });
      const late = ctx.fx().company();
      await store.createCompany(late);
      const page2 = await store.listCompanies({ cursor: page1.nextCursor!, limit: 2 });
      expect(page2).toEqual({ items: [early[2], late], nextCursor: null });
    });
  });

  describe('parties and partner credentials', () => {
    it('creates parties and lists them across pages', async () => {
      const store = ctx.store();
      const parties = [ctx.fx().party(), ctx.fx().party({ name: 'Kirjanpito Oy' }), ctx.fx().party()];
      for (const p of parties) await store.createParty(p);
      expect(await store.getParty(parties[1]!.id)).toEqual(parties[1]);
      expect(await store.getParty('tp_test_missing')).toBeUndefined();
      expect(await collectPages((cursor) => store.listParties({ cursor, limit: 2 }))).toEqual({
        items: parties,
        pages: 2,
      });
    });

    it('stores partner credentials byte-exact and lists them per party', async () => {
      const store = ctx.store();
      const [a, b] = [ctx.fx().party(), ctx.fx().party()];
      await store.createParty(a);
      await store.createParty(b);
      const ofA = Array.from({ length: 3 }, () => ctx.fx().partnerCredential(a.id));
      const ofB = ctx.fx().partnerCredential(b.id);
      await store.createPartnerCredential(ofA[0]!);
      await store.createPartnerCredential(ofB);
      await store.createPartnerCredential(ofA[1]!);
      await store.createPartnerCredential(ofA[2]!);
      const got = await store.getPartnerCredential(ofA[0]!.partnerId);
      expect(got).toEqual(ofA[0]);
      expectBytes(got?.keyCiphertext, ofA[0]!.keyCiphertext);
      expect(await store.getPartnerCredential('pid_test_missing')).toBeUndefined();
      const listed = await collectPages((cursor) => store.listPartnerCredentials(a.id, { cursor, limit: 2 }));
      expect(listed).toEqual({ items: ofA, pages: 2 });
      expect((await store.listPartnerCredentials(b.id, { limit: 10 })).items).toEqual([ofB]);
      expect(await store.listPartnerCredentials('tp_test_missing', { limit: 10 })).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('disables a partner credential once, keeping the first disabledAt', async () => {
      const store = ctx.store();
      const party = ctx.fx().party();
      await store.createParty(party);
      const cred = ctx.fx().partnerCredential(party.id);
      await store.createPartnerCredential(cred);
      expect(await store.disablePartnerCredential(cred.partnerId, at(50))).toBe(true);
      expect(await store.disablePartnerCredential(cred.partnerId, at(60))).toBe(true);
      expect(await store.getPartnerCredential(cred.partnerId)).toEqual({
        ...cred,
        status: 'disabled',
        disabledAt: at(50),
      });
      expect(await store.disablePartnerCredential('pid_test_missing', at(50))).toBe(false);
      expect(await store.getParty(party.id)).toEqual(party);
    });

    it('disables a party with its partner credentials and channels in one step', async () => {
      const store = ctx.store();
      const company = ctx.fx().company();
      const [party, other] = [ctx.fx().party(), ctx.fx().party()];
      await store.createCompany(company);
      await store.createParty(party);
      await store.createParty(other);
      const creds = [ctx.fx().partnerCredential(party.id), ctx.fx().partnerCredential(party.id)];
      const early = ctx.fx().partnerCredential(party.id);
      const channels = [ctx.fx().channel(company.id, party.id), ctx.fx().channel(company.id, party.id)];
      const otherCred = ctx.fx().partnerCredential(other.id);
      const otherChannel = ctx.fx().channel(company.id, other.id);
      for (const c of [...creds, early, otherCred]) await store.createPartnerCredential(c);
      for (const c of [...channels, otherChannel]) await store.createChannel(c);
      await store.disablePartnerCredential(early.partnerId, at(10));

      expect(await store.disableParty(party.id, at(20))).toBe(true);
      const off = { status: 'disabled', disabledAt: at(20) };
      expect(await store.getParty(party.id)).toEqual({ ...party, ...off });
      for (const c of creds) expect(await store.getPartnerCredential(c.partnerId)).toEqual({ ...c, ...off });
      for (const c of channels) expect(await store.getChannel(c.id)).toEqual({ ...c, ...off });
      expect((await store.getPartnerCredential(early.partnerId))?.disabledAt).toBe(at(10));
      expect(await store.getParty(other.id)).toEqual(other);
      expect(await store.getPartnerCredential(otherCred.partnerId)).toEqual(otherCred);
      expect(await store.getChannel(otherChannel.id)).toEqual(otherChannel);
      expect(await store.getCompany(company.id)).toEqual(company);

      expect(await store.disableParty(party.id, at(30))).toBe(true);
      expect((await store.getParty(party.id))?.disabledAt).toBe(at(20));
      expect((await store.getChannel(channels[0]!.id))?.disabledAt).toBe(at(20));
      expect(await store.disableParty('tp_test_missing', at(30))).toBe(false);
    });
  });

  describe('customer credentials', () => {
    it('stores scopes and key bytes, lists per company across pages, and disables', async () => {
      const store = ctx.store();
      const [a, b] = [ctx.fx().company(), ctx.fx().company()];
      await store.createCompany(a);
      await store.createCompany(b);
      const ofA = [
        ctx.fx().customerCredential(a.id, { scopes: ['ingest', 'vault.read'] }),
        ctx.fx().customerCredential(a.id, { scopes: [] }),
        ctx.fx().customerCredential(a.id),
      ];
      const ofB = ctx.fx().customerCredential(b.id);
      for (const c of [ofA[0]!, ofB, ofA[1]!, ofA[2]!]) await store.createCustomerCredential(c);
      const got = await store.getCustomerCredential(ofA[0]!.customerId);
      expect(got).toEqual(ofA[0]);
      expectBytes(got?.keyCiphertext, ofA[0]!.keyCiphertext);
      expect(await store.getCustomerCredential('cid_test_missing')).toBeUndefined();
      const listed = await collectPages((cursor) => store.listCustomerCredentials(a.id, { cursor, limit: 2 }));
      expect(listed).toEqual({ items: ofA, pages: 2 });
      expect((await store.listCustomerCredentials(b.id, { limit: 10 })).items).toEqual([ofB]);

      expect(await store.disableCustomerCredential(ofB.customerId, at(70))).toBe(true);
      expect(await store.disableCustomerCredential(ofB.customerId, at(80))).toBe(true);
      expect(await store.getCustomerCredential(ofB.customerId)).toEqual({
        ...ofB,
        status: 'disabled',
        disabledAt: at(70),
      });
      expect(await store.disableCustomerCredential('cid_test_missing', at(70))).toBe(false);
    });
  });

  describe('channels', () => {
    it('stores message-type agreements and filters lists by company and party across pages', async () => {
      const store = ctx.store();
      const [c1, c2] = [ctx.fx().company(), ctx.fx().company()];
      const [p1, p2] = [ctx.fx().party(), ctx.fx().party()];
      for (const c of [c1, c2]) await store.createCompany(c);
      for (const p of [p1, p2]) await store.createParty(p);
      const channels = [
        ctx.fx().channel(c1.id, p1.id, { messageTypes: [] }),
        ctx.fx().channel(c1.id, p2.id),
        ctx.fx().channel(c2.id, p1.id),
        ctx.fx().channel(c1.id, p1.id),
        ctx.fx().channel(c2.id, p2.id),
        ctx.fx().channel(c1.id, p1.id),
      ];
      for (const c of channels) await store.createChannel(c);
      expect(await store.getChannel(channels[1]!.id)).toEqual(channels[1]);
      expect(await store.getChannel('ch_test_missing')).toBeUndefined();

      const filters = [{}, { companyId: c1.id }, { partyId: p1.id }, { companyId: c1.id, partyId: p1.id }];
      for (const f of filters) {
        const expected = channels.filter(
          (c) => (f.companyId ?? c.companyId) === c.companyId && (f.partyId ?? c.partyId) === c.partyId,
        );
        const listed = await collectPages((cursor) => store.listChannels({ ...f, cursor, limit: 2 }));
        expect(listed.items).toEqual(expected);
      }
      expect((await store.listChannels({ companyId: c2.id, partyId: p2.id, limit: 5 })).items).toEqual([
        channels[4],
      ]);
    });

    it('disables a channel once, keeping the first disabledAt', async () => {
      const store = ctx.store();
      const { channel } = await ctx.fx().seed(store);
      expect(await store.disableChannel(channel.id, at(90))).toBe(true);
      expect(await store.disableChannel(channel.id, at(95))).toBe(true);
      expect(await store.getChannel(channel.id)).toEqual({ ...channel, status: 'disabled', disabledAt: at(90) });
      expect(await store.disableChannel('ch_test_missing', at(90))).toBe(false);
    });

    it('refuses a channel for a company or party that does not exist', async () => {
      const store = ctx.store();
      const party = ctx.fx().party();
      await store.createParty(party);
      await expect(store.createChannel(ctx.fx().channel('co_test_missing', party.id))).rejects.toThrow();
      expect((await store.listChannels({ limit: 10 })).items).toEqual([]);
    });
  });

  describe('list arguments', () => {
    it('refuses an invalid cursor on every registry list with CURSOR_INVALID', async () => {
      const store = ctx.store();
      const { company, party } = await ctx.fx().seed(store);
      await expectInvalidCursorsRefused((q) => store.listCompanies(q));
      await expectInvalidCursorsRefused((q) => store.listParties(q));
      await expectInvalidCursorsRefused((q) => store.listPartnerCredentials(party.id, q));
      await expectInvalidCursorsRefused((q) => store.listCustomerCredentials(company.id, q));
      await expectInvalidCursorsRefused((q) => store.listChannels(q));
      await expectInvalidCursorsRefused((q) => store.listChannels({ ...q, companyId: company.id }));
    });

    it('refuses a limit that is not a positive integer (a programming error)', async () => {
      const store = ctx.store();
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await expect(store.listCompanies({ limit })).rejects.toThrow();
        await expect(store.listChannels({ limit })).rejects.toThrow();
      }
    });
  });
}
