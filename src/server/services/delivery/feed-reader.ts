import { VaultgateError } from '../../../protocol/index.js';
import type { Principal } from '../authenticate-request.js';
import { authorizeVaultRead, type VaultDeps, type VaultReader } from '../read-vault.js';
import type { ScopesFor } from '../sharing/read-scopes.js';

/** Who polls the change feed, and what it may see there. */
export interface FeedReader {
  /** The reading organisation (a company's id, or a vendor-only organisation's party id): the feed's reader. */
  organisationId: string;
  /** True when the reader sees its own vault (vault.read); false for a shared.read token: only what grants cover. */
  ownVault: boolean;
  /** The ledger namespace (the party of a MAC request, the client of a bearer one) and the id to consume. */
  ledger: Omit<VaultReader, 'company'>;
}

/**
 * Authorises a feed poll (issue 15, "for consumers behind firewalls"):
 * - a MAC customer credential with `vault.read` naming its own company: that company, its vault and its grants;
 * - a bearer token of a company's client with `vault.read`: the same;
 * - a bearer token with `shared.read` (a company's or a vendor-only organisation's client): that organisation, only
 *   what its grants cover (never its own vault);
 * - any other token: SCOPE_MISSING. The MAC scheme's refusals are authorizeVaultRead's (SERVICE_ACCESS_ERROR,
 *   SCOPE_MISSING).
 */
export async function authorizeFeedRead(d: VaultDeps, p: Principal, idempotencyKey: string | undefined): Promise<FeedReader> {
  if (p.scheme !== 'bearer') {
    const r = await authorizeVaultRead(d, p);
    return { organisationId: r.company.id, ownVault: true, ledger: { partyId: r.partyId, transactionId: r.transactionId } };
  }
  const ledger = { partyId: p.clientId, transactionId: idempotencyKey };
  if (p.roles.includes('vault.read') && p.ownerKind === 'company' && p.company) return { organisationId: p.company.id, ownVault: true, ledger };
  if (p.roles.includes('shared.read')) return { organisationId: p.ownerId, ownVault: false, ledger };
  throw new VaultgateError('SCOPE_MISSING', {
    detail: 'The change feed needs a token with the vault.read role (a company\'s client: its own vault and what its grants cover) or the shared.read role (what its grants cover).',
  });
}

/** The scopes of a reader without its own vault: those of its grants only (the owner's own scope has grantId null). */
export function grantScopesOnly(scopesFor: ScopesFor): ScopesFor {
  return async (...args) => (await scopesFor(...args)).filter((s) => s.grantId !== null);
}
