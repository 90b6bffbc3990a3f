import { afterEach, describe, expect, it } from 'vitest';
import { ownerScope } from '../../../protocol/grant-scope.js';
import { openSqliteStore, type GrantRecord, type Store } from '../../../store/index.js';
import { auditEvent } from '../../../store/conformance/audit-cases.js';
import { grantTerms } from '../../../store/conformance/sharing-cases.js';
import { at, createFixtures } from '../../../store/conformance/fixtures.js';
import { scopeResolver } from './read-scopes.js';

describe('scopeResolver', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it("gives a company its own vault's scope, plus one per grant in force at the instant that allows the action; only over one vault when asked", async () => {
    const store = openSqliteStore({ file: ':memory:' });
    stores.push(store);
    const fx = createFixtures();
    const [owner, other, consumer] = [fx.company(), fx.company(), fx.party()];
    await store.createCompany(owner);
    await store.createCompany(other);
    await store.createParty(consumer);
    let n = 0;
    const put = async (ownerId: string, over: Partial<GrantRecord>) => {
      const g: GrantRecord = {
        id: `grt_test_${String(++n).padStart(26, '0')}`, ownerOrganisationId: ownerId, consumerOrganisationId: consumer.id, state: 'active',
        terms: grantTerms(), requestedTerms: null, createdAt: at(1), updatedAt: at(1), requestedBy: null, decidedBy: 'u', ...over,
      };
      await store.createGrant(g, { id: `gev_test_${n}`, grantId: g.id, ownerOrganisationId: ownerId, consumerOrganisationId: consumer.id, type: 'grant.activated', at: at(1), actor: 'u', state: g.state, terms: g.terms }, auditEvent());
      return g;
    };
    const read = await put(owner.id, { terms: grantTerms({ messageTypes: ['invoice'], receivedFrom: at(5) }) });
    const both = await put(other.id, { terms: grantTerms({ actions: ['read', 'subscribe'] }) });
    await put(owner.id, { state: 'offered' });
    await put(owner.id, { state: 'revoked' });
    const resolve = scopeResolver(store);

    expect(await resolve(owner.id, 'read', at(150))).toEqual([ownerScope(owner.id)]);
    expect(await resolve(owner.id, 'read', at(150), other.id)).toEqual([]);
    expect(await resolve(consumer.id, 'read', at(99))).toEqual([]);
    expect(await resolve(consumer.id, 'read', at(100))).toEqual([
      { companyId: owner.id, grantId: read.id, channelIds: ['ch_test_a'], messageTypes: ['invoice'], receivedFrom: at(5), receivedBefore: null },
      { companyId: other.id, grantId: both.id, channelIds: ['ch_test_a'], messageTypes: null, receivedFrom: null, receivedBefore: null },
    ]);
    expect((await resolve(consumer.id, 'subscribe', at(150))).map((s) => s.grantId)).toEqual([both.id]);
    expect((await resolve(consumer.id, 'read', at(150), other.id)).map((s) => s.grantId)).toEqual([both.id]);
    // notOnOrAfter is exclusive; a non-canonical instant is normalised first.
    expect(await resolve(consumer.id, 'read', at(200))).toEqual([]);
    expect(await resolve(consumer.id, 'read', '2025-01-01T00:03:19+00:00')).toHaveLength(2);
    expect(await resolve('co_test_nobody', 'read', at(150))).toEqual([]);

    // An operator's suspension: a suspended owner's grants give nothing, a suspended consumer holds nothing; reinstating restores both.
    await store.setOrganisationStatus(other.id, 'suspended', auditEvent());
    expect((await resolve(consumer.id, 'read', at(150))).map((s) => s.grantId)).toEqual([read.id]);
    await store.setOrganisationStatus(consumer.id, 'suspended', auditEvent());
    expect(await resolve(consumer.id, 'read', at(150))).toEqual([]);
    await store.setOrganisationStatus(consumer.id, 'active', auditEvent());
    await store.setOrganisationStatus(other.id, 'active', auditEvent());
    expect(await resolve(consumer.id, 'read', at(150))).toHaveLength(2);
  });
});
