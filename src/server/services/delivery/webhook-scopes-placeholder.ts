import { ownerScope, type GrantAction, type ReadScope } from '../../../protocol/grant-scope.js';
import type { Store } from '../../../store/index.js';

/**
 * The scopes an organisation holds at `at` for `action` (issue 15; the real resolver is grants'
 * src/server/services/sharing/read-scopes.ts `scopeResolver`). With `companyId`, only the scopes over that vault.
 */
export type ScopesFor = (organisationId: string, action: GrantAction, at: string, companyId?: string) => Promise<ReadScope[]>;

/**
 * Until grants lands: an organisation that is a company holds its own vault's scope, nothing else. Swapped for
 * scopeResolver(store) at the merge; dispatch and every delivery attempt take it as an injected dependency.
 */
export function ownerScopesOnly(store: Store): ScopesFor {
  return async (organisationId, _action, _at, companyId) => {
    const org = await store.getOrganisation(organisationId);
    if (!org?.companyId || org.status !== 'active') return [];
    if (companyId !== undefined && companyId !== org.companyId) return [];
    return [ownerScope(org.companyId)];
  };
}
