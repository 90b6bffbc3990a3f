import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GrantEventRecord, GrantRecord, GrantState, GrantTerms, Store } from '../port.js';
import { collectPages, expectInvalidCursorsRefused } from './assertions.js';
import { auditEvent } from './audit-cases.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';

/* Sharing (issue 15): grants with compare-and-set transitions, each with its grant event and audit event. */

const tag = randomBytes(4).toString('hex');
let n = 0;
const id = (prefix: string) => `${prefix}_test_${tag}${String(++n).padStart(10, '0')}`;

export const grantTerms = (over: Partial<GrantTerms> = {}): GrantTerms => ({
  channelIds: ['ch_test_a'], messageTypes: null, receivedFrom: null, receivedBefore: null, actions: ['read'], purpose: 'Customs declarations',
  notBefore: at(100), notOnOrAfter: at(200), ...over,
});

function grant(owner: string, consumer: string, over: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: id('grt'), ownerOrganisationId: owner, consumerOrganisationId: consumer, state: 'requested', terms: grantTerms(), requestedTerms: grantTerms(),
    createdAt: at(1), updatedAt: at(1), requestedBy: 'usr_test_1', decidedBy: null, ...over,
  };
}

function eventOf(g: GrantRecord, type: GrantEventRecord['type'], state: GrantState = g.state, terms: GrantTerms = g.terms): GrantEventRecord {
  return { id: id('gev'), grantId: g.id, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId, type, at: at(2), actor: 'usr_test_1', state, terms };
}

async function create(store: Store, g: GrantRecord): Promise<GrantRecord> {
  await store.createGrant(g, eventOf(g, g.state === 'active' ? 'grant.activated' : 'grant.requested'), auditEvent({ action: 'grant.request', subject: g.id, tenants: [g.ownerOrganisationId, g.consumerOrganisationId] }));
  return g;
}

export function describeSharingCases(ctx: ConformanceContext): void {
  describe('sharing', () => {
    const orgs = () => ({ owner: id('co'), consumer: id('co'), third: id('tp') });

    it('stores a grant with its terms and requested terms, its event and its audit event for both sides', async () => {
      const store = ctx.store();
      const { owner, consumer } = orgs();
      const g = await create(store, grant(owner, consumer, { terms: grantTerms({ messageTypes: ['invoice'], receivedFrom: at(5), actions: ['read', 'subscribe'] }) }));
      expect(await store.getGrant(g.id)).toEqual(g);
      expect(await store.getGrant('grt_test_missing')).toBeUndefined();
      const events = await store.listGrantEvents({ organisationId: consumer, afterSeq: 0, limit: 10 });
      expect(events.map(({ seq: _seq, ...e }) => e)).toEqual([eventOf(g, 'grant.requested')].map((e) => ({ ...e, id: events[0]!.id })));
      expect((await store.listAudit({ tenant: owner, limit: 10 })).items.map((e) => e.subject)).toEqual([g.id]);
      expect((await store.listAudit({ tenant: consumer, limit: 10 })).items.map((e) => e.subject)).toEqual([g.id]);
    });

    it('transitions by compare-and-set: of two concurrent transitions from one state one wins, the other writes nothing', async () => {
      const store = ctx.store();
      const { owner, consumer } = orgs();
      const g = await create(store, grant(owner, consumer));
      const offered = grantTerms({ notOnOrAfter: at(150) });
      const auditBefore = (await store.listAudit({ limit: 1000 })).items.length;
      const results = await Promise.all([
        store.transitionGrant(g.id, { from: 'requested', to: 'offered', at: at(3), terms: offered, decidedBy: 'usr_test_2' }, eventOf(g, 'grant.offered', 'offered', offered), auditEvent({ action: 'grant.offer', subject: g.id })),
        store.transitionGrant(g.id, { from: 'requested', to: 'declined', at: at(3), decidedBy: 'usr_test_3' }, eventOf(g, 'grant.declined', 'declined'), auditEvent({ action: 'grant.decline', subject: g.id })),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.listAudit({ limit: 1000 })).items.length).toBe(auditBefore + 1);
      expect(await store.listGrantEvents({ organisationId: owner, afterSeq: 0, limit: 10 })).toHaveLength(2);
      const after = (await store.getGrant(g.id))!;
      if (results[0]) {
        expect(after).toMatchObject({ state: 'offered', terms: offered, requestedTerms: g.requestedTerms, updatedAt: at(3), decidedBy: 'usr_test_2' });
      } else {
        expect(after).toMatchObject({ state: 'declined', terms: g.terms, decidedBy: 'usr_test_3' });
      }
      // From a state it is not in: false, nothing written.
      expect(await store.transitionGrant(g.id, { from: 'requested', to: 'active', at: at(4), decidedBy: 'x' }, eventOf(g, 'grant.activated', 'active'), auditEvent())).toBe(false);
      expect(await store.transitionGrant('grt_test_missing', { from: 'requested', to: 'active', at: at(4), decidedBy: 'x' }, eventOf(g, 'grant.activated', 'active'), auditEvent())).toBe(false);
      expect((await store.listAudit({ limit: 1000 })).items.length).toBe(auditBefore + 1);
      expect(await store.listGrantEvents({ organisationId: owner, afterSeq: 0, limit: 10 })).toHaveLength(2);
    });

    it('lists grants of an organisation as owner or as consumer, by state, in pages', async () => {
      const store = ctx.store();
      const { owner, consumer, third } = orgs();
      const made: GrantRecord[] = [];
      for (let i = 0; i < 5; i++) made.push(await create(store, grant(owner, i < 3 ? consumer : third, { state: i % 2 === 0 ? 'active' : 'requested' })));
      const ids = (gs: GrantRecord[]) => gs.map((g) => g.id);
      expect(ids((await collectPages((cursor) => store.listGrants({ organisationId: owner, role: 'owner', cursor, limit: 2 }))).items)).toEqual(ids(made));
      expect(ids((await store.listGrants({ organisationId: owner, role: 'consumer', limit: 10 })).items)).toEqual([]);
      expect(ids((await store.listGrants({ organisationId: consumer, role: 'consumer', limit: 10 })).items)).toEqual(ids(made.slice(0, 3)));
      expect(ids((await store.listGrants({ organisationId: owner, role: 'owner', state: 'active', limit: 10 })).items)).toEqual(ids([made[0]!, made[2]!, made[4]!]));
      expect(ids((await store.listGrants({ organisationId: third, role: 'consumer', state: 'requested', limit: 10 })).items)).toEqual(ids([made[3]!]));
      await expectInvalidCursorsRefused((q) => store.listGrants({ ...q, organisationId: owner, role: 'owner' }));
    });

    it('lists the active grants of a consumer valid at an instant (notBefore inclusive, notOnOrAfter exclusive), optionally of one owner', async () => {
      const store = ctx.store();
      const { owner, consumer } = orgs();
      const other = id('co');
      const a = await create(store, grant(owner, consumer, { state: 'active' }));
      const b = await create(store, grant(other, consumer, { state: 'active', terms: grantTerms({ notBefore: at(150), notOnOrAfter: at(300) }) }));
      await create(store, grant(owner, consumer, { state: 'offered' }));
      const r = await create(store, grant(owner, consumer, { state: 'active' }));
      expect(await store.transitionGrant(r.id, { from: 'active', to: 'revoked', at: at(5), decidedBy: 'u' }, eventOf(r, 'grant.revoked', 'revoked'), auditEvent())).toBe(true);
      const active = async (t: number, ownerOrganisationId?: string) => (await store.listActiveGrants({ consumerOrganisationId: consumer, at: at(t), ownerOrganisationId })).map((g) => g.id);
      expect(await active(99)).toEqual([]);
      expect(await active(100)).toEqual([a.id]);
      expect(await active(160)).toEqual([a.id, b.id]);
      expect(await active(160, other)).toEqual([b.id]);
      expect(await active(200)).toEqual([b.id]);
      expect(await active(300)).toEqual([]);
      expect(await store.listActiveGrants({ consumerOrganisationId: owner, at: at(160) })).toEqual([]);
    });

    it('lists active grants past notOnOrAfter for the expiry sweep, soonest first; an offer moves the window', async () => {
      const store = ctx.store();
      const { owner, consumer } = orgs();
      const late = await create(store, grant(owner, consumer, { state: 'active', terms: grantTerms({ notOnOrAfter: at(180) }) }));
      const early = await create(store, grant(owner, consumer, { state: 'active', terms: grantTerms({ notOnOrAfter: at(120) }) }));
      const offered = await create(store, grant(owner, consumer));
      const narrowed = grantTerms({ notOnOrAfter: at(110) });
      await store.transitionGrant(offered.id, { from: 'requested', to: 'offered', at: at(3), terms: narrowed, decidedBy: 'u' }, eventOf(offered, 'grant.offered', 'offered', narrowed), auditEvent());
      const lapsed = async (t: number, limit = 10) => (await store.listLapsedGrants(at(t), limit)).map((g) => g.id);
      expect(await lapsed(119)).toEqual([]);
      expect(await lapsed(120)).toEqual([early.id]);
      expect(await lapsed(500)).toEqual([early.id, late.id]);
      expect(await lapsed(500, 1)).toEqual([early.id]);
      await store.transitionGrant(offered.id, { from: 'offered', to: 'active', at: at(4), decidedBy: 'u' }, eventOf(offered, 'grant.activated', 'active', narrowed), auditEvent());
      expect(await lapsed(110)).toEqual([offered.id]);
    });

    it("lists grant events of either side by seq, after a position, at most limit; never another organisation's", async () => {
      const store = ctx.store();
      const { owner, consumer, third } = orgs();
      const g1 = await create(store, grant(owner, consumer));
      const g2 = await create(store, grant(third, owner));
      await create(store, grant(third, consumer));
      await store.transitionGrant(g1.id, { from: 'requested', to: 'active', at: at(3), decidedBy: 'u' }, eventOf(g1, 'grant.activated', 'active'), auditEvent());
      const all = await store.listGrantEvents({ organisationId: owner, afterSeq: 0, limit: 100 });
      expect(all.map((e) => [e.grantId, e.type])).toEqual([[g1.id, 'grant.requested'], [g2.id, 'grant.requested'], [g1.id, 'grant.activated']]);
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));
      expect(new Set(all.map((e) => e.seq)).size).toBe(3);
      expect((await store.listGrantEvents({ organisationId: owner, afterSeq: all[0]!.seq, limit: 1 })).map((e) => e.id)).toEqual([all[1]!.id]);
      expect(await store.listGrantEvents({ organisationId: owner, afterSeq: all[2]!.seq, limit: 10 })).toEqual([]);
      expect(await store.listGrantEvents({ organisationId: consumer, afterSeq: 0, limit: 100 })).toHaveLength(3);
      expect(await store.listGrantEvents({ organisationId: 'co_test_nobody', afterSeq: 0, limit: 100 })).toEqual([]);
    });
  });
}
