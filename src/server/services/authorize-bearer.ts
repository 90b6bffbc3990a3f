import { VaultgateError, type HeaderBag } from '../../protocol/index.js';
import type { ChannelRecord } from '../../store/index.js';
import type { BearerPrincipal } from './authenticate-bearer.js';
import type { VaultReader } from './read-vault.js';

/*
 * Authorization of bearer requests: the same rules as the MAC scheme's, expressed on a bearer principal.
 * Sending: a client of the channel's party with the `ingest` role. Reading a vault: a client of the company with
 * `vault.read`. Kept apart from the routes so that another router can apply them unchanged.
 */

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The request's `Idempotency-Key`: the bearer counterpart of the MAC TransactionId (same ledger, same rules:
 * 1-255 characters without control characters); undefined when absent.
 */
export function readIdempotencyKey(headers: HeaderBag): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? undefined : raw;
  if (key === undefined || key.length === 0 || key.length > 255 || CONTROL.test(key)) {
    throw new VaultgateError('INVALID_REQUEST', { detail: 'Idempotency-Key must be one header of 1-255 characters without control characters.' });
  }
  return key;
}

/** A bearer client may send into a channel only for the channel's party, with the ingest role. */
export function authorizeBearerIngestion(p: BearerPrincipal, channel: ChannelRecord): void {
  if (p.ownerKind !== 'party' || p.ownerId !== channel.partyId) {
    throw new VaultgateError('SERVICE_ACCESS_ERROR', {
      detail: 'Only a client of the channel\'s party may send into it.',
      logReason: `client ${p.clientId} (${p.ownerKind} ${p.ownerId}) is not of the channel party`,
    });
  }
  if (!p.roles.includes('ingest')) {
    throw new VaultgateError('SCOPE_MISSING', { detail: 'Sending needs a token with the ingest role.' });
  }
}

/** A bearer client reads only its own company's vault, with the vault.read role. */
export function authorizeBearerVaultRead(p: BearerPrincipal, idempotencyKey: string | undefined): VaultReader {
  if (p.ownerKind !== 'company' || !p.company) {
    throw new VaultgateError('SERVICE_ACCESS_ERROR', { detail: 'Reading a vault needs a client of the company.', logReason: `client ${p.clientId} is a ${p.ownerKind} client` });
  }
  if (!p.roles.includes('vault.read')) {
    throw new VaultgateError('SCOPE_MISSING', { detail: 'Reading a vault needs a token with the vault.read role.' });
  }
  // Reads by one client share its own namespace of the ledger.
  return { company: p.company, partyId: p.clientId, transactionId: idempotencyKey };
}
