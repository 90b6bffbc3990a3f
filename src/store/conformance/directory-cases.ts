import { describe, expect, it } from 'vitest';
import type { DirectoryListingRecord, FeedCheckpointRecord, Store } from '../port.js';
import { collectPages, expectInvalidCursorsRefused } from './assertions.js';
import { auditEvent } from './audit-cases.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';
import { grantTerms } from './sharing-cases.js';

/* Directory listings and search, and feed checkpoints (issue 16). */

const listing = (organisationId: string, name: string, over: Partial<DirectoryListingRecord> = {}): DirectoryListingRecord => ({
  organisationId, listed: true, description: '', nameKey: name.toLowerCase(), updatedAt: at(10), updatedBy: 'usr_test_1', ...over,
});

const checkpoint = (organisationId: string, name: string, over: Partial<FeedCheckpointRecord> = {}): FeedCheckpointRecord => ({
  organisationId, name, cursor: `cursor-of-${name}`, messageSeq: 0, grantEventSeq: 0, updatedAt: at(20), updatedBy: 'usr_test_1', ...over,
});

async function names(store: Store, nameContains: string, businessId?: string): Promise<string[]> {
  const { items } = await collectPages((cursor) => store.searchDirectory({ nameContains, businessId, cursor, limit: 2 }));
  return items.map((e) => e.name);
}

export function describeDirectoryCases(ctx: ConformanceContext): void {
  describe('directory', () => {
    it('finds listed, active organisations by a part of the name (Unicode case folded), oldest first, paged', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const a = fx.company({ name: 'Äänekosken Sähkö Oy' });
      const b = fx.company({ name: 'Sähkötalo Ab' });
      const hidden = fx.company({ name: 'Sähkö Unlisted Oy' });
      const vendor = fx.party({ name: 'Sähköinen Kirjanpito' });
      for (const c of [a, b, hidden]) await store.createCompany(c);
      await store.createParty(vendor);
      expect(await store.getDirectoryListing(a.id)).toBeUndefined();
      for (const o of [a, b, vendor]) expect(await store.setDirectoryListing(listing(o.id, o.name, { description: `About ${o.name}` }), auditEvent({ action: 'organisation.directory-listing', subject: o.id }))).toBe(true);
      expect(await store.setDirectoryListing(listing('co_test_missing', 'x'), auditEvent())).toBe(false);
      expect(await store.getDirectoryListing(a.id)).toEqual(listing(a.id, a.name, { description: `About ${a.name}` }));

      expect(await names(store, 'sähkö')).toEqual([a.name, b.name, vendor.name]);
      expect(await names(store, 'ääne')).toEqual([a.name]);
      expect(await names(store, '')).toEqual([a.name, b.name, vendor.name]);
      expect(await names(store, 'unlisted')).toEqual([]);
      // LIKE's wildcards in the text match only themselves.
      expect(await names(store, '%')).toEqual([]);
      expect(await names(store, '_')).toEqual([]);
      const [first] = (await store.searchDirectory({ nameContains: 'kirjanpito', limit: 10 })).items;
      expect(first).toEqual({ organisationId: vendor.id, name: vendor.name, companyId: null, partyId: vendor.id, businessId: null, description: `About ${vendor.name}` });

      // Unlisting hides it again.
      await store.setDirectoryListing(listing(b.id, b.name, { listed: false, updatedAt: at(11) }), auditEvent());
      expect(await names(store, 'sähkö')).toEqual([a.name, vendor.name]);
      await expectInvalidCursorsRefused((q) => store.searchDirectory({ ...q, nameContains: '' }));
    });

    it('finds the one company whose business id is given, listed or not (without its description), never a suspended one', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const unlisted = fx.company({ name: 'Hidden Oy' });
      const listed = fx.company({ name: 'Shown Oy' });
      await store.createCompany(unlisted);
      await store.createCompany(listed);
      await store.setDirectoryListing(listing(unlisted.id, unlisted.name, { listed: false, description: 'private words' }), auditEvent());
      await store.setDirectoryListing(listing(listed.id, listed.name, { description: 'public words' }), auditEvent());
      const byId = await store.searchDirectory({ nameContains: unlisted.businessId.toLowerCase(), businessId: unlisted.businessId, limit: 10 });
      expect(byId.items).toEqual([{ organisationId: unlisted.id, name: unlisted.name, companyId: unlisted.id, partyId: null, businessId: unlisted.businessId, description: '' }]);
      expect(await names(store, 'nothing matches', listed.businessId)).toEqual([listed.name]);
      // A name search and the business id together: each once.
      expect(await names(store, 'oy', listed.businessId)).toEqual([listed.name]);

      await store.setOrganisationStatus(unlisted.id, 'suspended', auditEvent());
      await store.setOrganisationStatus(listed.id, 'suspended', auditEvent());
      expect(await names(store, 'x', unlisted.businessId)).toEqual([]);
      expect(await names(store, 'shown', listed.businessId)).toEqual([]);
    });
  });

  describe('feed checkpoints', () => {
    it('creates, replaces, lists oldest first, deletes; names are per organisation', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const org = fx.company();
      const other = fx.company();
      await store.createCompany(org);
      await store.createCompany(other);
      const before = (await store.auditHead())?.seq ?? 0;
      expect(await store.putFeedCheckpoint(checkpoint(org.id, 'main'), 100, undefined)).toBe('created');
      expect((await store.auditHead())?.seq ?? 0).toBe(before); // a plain commit is not audited
      expect(await store.putFeedCheckpoint(checkpoint(org.id, 'backup.v2_x-1'), 100, auditEvent({ action: 'feed-checkpoint.set' }))).toBe('created');
      expect((await store.auditHead())!.seq).toBe(before + 1);
      expect(await store.putFeedCheckpoint(checkpoint(other.id, 'main', { cursor: 'theirs' }), 100, undefined)).toBe('created');
      const moved = checkpoint(org.id, 'main', { cursor: 'later', messageSeq: 42, grantEventSeq: 7, updatedAt: at(30), updatedBy: 'cid_test_1' });
      expect(await store.putFeedCheckpoint(moved, 100, undefined)).toBe('updated');
      expect(await store.getFeedCheckpoint(org.id, 'main')).toEqual(moved);
      expect(await store.getFeedCheckpoint(other.id, 'main')).toMatchObject({ cursor: 'theirs' });
      expect(await store.getFeedCheckpoint(org.id, 'missing')).toBeUndefined();
      const { items, pages } = await collectPages((cursor) => store.listFeedCheckpoints(org.id, { cursor, limit: 1 }));
      expect(items.map((c) => c.name)).toEqual(['main', 'backup.v2_x-1']);
      expect(pages).toBe(2);
      await expectInvalidCursorsRefused((q) => store.listFeedCheckpoints(org.id, q));
      expect(await store.deleteFeedCheckpoint(org.id, 'main', auditEvent())).toBe(true);
      expect(await store.deleteFeedCheckpoint(org.id, 'main', auditEvent())).toBe(false);
      expect(await store.getFeedCheckpoint(other.id, 'main')).toBeDefined();
    });

    it('refuses a checkpoint past the limit, also when created concurrently; replacing one at the limit still works', async () => {
      const store = ctx.store();
      const org = ctx.fx().company();
      await store.createCompany(org);
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store.putFeedCheckpoint(checkpoint(org.id, `c${i}`), 3, undefined)));
      expect(results.filter((r) => r === 'created')).toHaveLength(3);
      expect(results.filter((r) => r === 'limit')).toHaveLength(2);
      expect((await store.listFeedCheckpoints(org.id, { limit: 10 })).items).toHaveLength(3);
      const kept = (await store.listFeedCheckpoints(org.id, { limit: 10 })).items[0]!;
      expect(await store.putFeedCheckpoint({ ...kept, cursor: 'moved' }, 3, undefined)).toBe('updated');
      const head = (await store.auditHead())?.seq ?? 0;
      expect(await store.putFeedCheckpoint(checkpoint(org.id, 'one-more'), 3, auditEvent())).toBe('limit');
      expect((await store.auditHead())?.seq ?? 0).toBe(head);
    });

    it('gives the position of the newest grant event of an organisation, as owner or consumer', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const owner = fx.company();
      const consumer = fx.company();
      for (const c of [owner, consumer]) await store.createCompany(c);
      expect(await store.lastGrantEventSeq(consumer.id)).toBe(0);
      const terms = grantTerms();
      const g = { id: 'grt_test_dir1', ownerOrganisationId: owner.id, consumerOrganisationId: consumer.id, state: 'requested' as const, terms, requestedTerms: terms, createdAt: at(1), updatedAt: at(1), requestedBy: 'usr_test_1', decidedBy: null };
      await store.createGrant(g, { id: 'gev_test_dir1', grantId: g.id, ownerOrganisationId: owner.id, consumerOrganisationId: consumer.id, type: 'grant.requested', at: at(1), actor: 'usr_test_1', state: 'requested', terms }, auditEvent());
      const events = await store.listGrantEvents({ organisationId: consumer.id, afterSeq: 0, limit: 10 });
      expect(await store.lastGrantEventSeq(consumer.id)).toBe(events[events.length - 1]!.seq);
      expect(await store.lastGrantEventSeq(owner.id)).toBe(events[events.length - 1]!.seq);
    });
  });
}
