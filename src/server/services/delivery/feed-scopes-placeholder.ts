import { ownerScope, type GrantAction, type ReadScope } from '../../../protocol/index.js';

/**
 * The scopes an organisation holds at `at` for `action` (the contract of src/server/services/sharing/read-scopes.ts,
 * issue 15): its own vault's if it is a company, plus one per active grant. With `companyId`, only those over that
 * vault.
 */
export type ScopesFor = (organisationId: string, action: GrantAction, at: string, companyId?: string) => Promise<ReadScope[]>;

/** Until the grants resolver is wired: a company organisation reads only its own vault. */
export const ownerOnlyScopes: ScopesFor = async (organisationId, _action, _at, companyId) =>
  companyId === undefined || companyId === organisationId ? [ownerScope(organisationId)] : [];
