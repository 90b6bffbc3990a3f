import { sessionNow } from '../../session.js';

/*
 * Where a vault browser reads (issue 16): the organisation's own vault (`/vault/v1`) or an owner's data shared with it
 * (`/vault/v1/shared/{ownerCompanyId}`). Both answer the same routes below the base: `messages?channelId=&messageType=
 * &from=&to=&cursor=&limit=`, `messages/{messageId}` (the original bytes) and `export` (NDJSON). A person reads with
 * the session cookie and `Vaultgate-Organisation: <current organisation id>` (docs/api.md, people reading the vault).
 */

/** The base path of a vault's routes: `/vault/v1` or `/vault/v1/shared/{owner}`. */
export type VaultBase = string;

export const OWN_VAULT: VaultBase = '/vault/v1';
export const sharedVault = (owner: string): VaultBase => `/vault/v1/shared/${encodeURIComponent(owner)}`;

/** The metadata of a message (`GET …/messages` items). size in bytes; receivedAt ISO 8601. */
export interface MessageMeta {
  messageId: string; channelId: string; partyId: string; messageType: string; mediaType: string; contentType?: string;
  size: number; sha256: string; receivedAt: string; transactionId?: string | null;
}

/** The selection of the list and the export (the URL query of the page). from/to ISO 8601 (to exclusive). */
export interface Selection { channelId?: string; messageType?: string; from?: string; to?: string }

/** The header naming the organisation a person reads for. */
export function organisationHeader(): Record<string, string> {
  const id = sessionNow().current?.organisationId;
  return id ? { 'vaultgate-organisation': id } : {};
}
