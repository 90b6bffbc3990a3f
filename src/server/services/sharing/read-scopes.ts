import { ownerScope, type GrantAction, type ReadScope } from '../../../protocol/grant-scope.js';
import type { GrantRecord, Store } from '../../../store/index.js';

/*
 * The scope resolver (issue 15): what an organisation may read, at one instant, for one action. Consumer reads, the
 * change feed and webhook dispatch call it for every request, poll and delivery attempt, and keep nothing between
 * calls: a revocation or an expiry takes effect at the next one.
 */

/**
 * The scopes an organisation holds at `at` (ISO 8601) for `action`: its own vault's (ownerScope) if it is a company,
 * plus one per grant that is active at `at` (state active, notBefore <= at < notOnOrAfter) and allows `action`. With
 * `companyId`, only the scopes over that vault. Empty when it holds none (an unknown organisation included) and when the
 * organisation is suspended; a grant whose owner is suspended gives no scope while it is (an operator's suspension stops
 * every credential of the organisation at the next request, and its data's sharing with it; reinstating restores both).
 */
export type ScopesFor = (organisationId: string, action: GrantAction, at: string, companyId?: string) => Promise<ReadScope[]>;

/** Whether a grant is in force at `at` (ISO instants in the store's canonical form compare as strings). */
export function grantInForce(g: GrantRecord, at: string): boolean {
  return g.state === 'active' && g.terms.notBefore <= at && at < g.terms.notOnOrAfter;
}

/** The read scope a grant gives over its owner's vault. */
export function grantReadScope(g: GrantRecord): ReadScope {
  const { channelIds, messageTypes, receivedFrom, receivedBefore } = g.terms;
  return { companyId: g.ownerOrganisationId, grantId: g.id, channelIds, messageTypes, receivedFrom, receivedBefore };
}

/**
 * The resolver over a store. A grant's owner organisation is a company, so its id is the vault's company id.
 *
 * @example
 * const scopesFor = scopeResolver(store);
 * const scopes = await scopesFor('co_test_…', 'read', new Date().toISOString());
 */
export function scopeResolver(store: Store): ScopesFor {
  return async (organisationId, action, at, companyId) => {
    const instant = new Date(at).toISOString();
    const scopes: ReadScope[] = [];
    const org = await store.getOrganisation(organisationId);
    if (org?.status === 'suspended') return [];
    if (org?.companyId && (companyId === undefined || companyId === org.companyId)) scopes.push(ownerScope(org.companyId));
    // One lookup per owner per call (a consumer may hold several grants of one owner).
    const owners = new Map<string, Promise<boolean>>();
    const ownerSuspended = (id: string): Promise<boolean> => {
      let p = owners.get(id);
      if (!p) owners.set(id, (p = store.getOrganisation(id).then((o) => o?.status === 'suspended')));
      return p;
    };
    const grants = await store.listActiveGrants({ consumerOrganisationId: organisationId, at: instant, ownerOrganisationId: companyId });
    for (const g of grants) {
      // The store selects by the same rule; checked again here so that the time rule lives in one visible place.
      if (!grantInForce(g, instant) || !g.terms.actions.includes(action)) continue;
      if (await ownerSuspended(g.ownerOrganisationId)) continue;
      scopes.push(grantReadScope(g));
    }
    return scopes;
  };
}
