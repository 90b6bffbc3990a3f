import { scopeWithin, VaultgateError, type GrantAction } from '../../../protocol/index.js';
import type { ChannelRecord, GrantTerms } from '../../../store/index.js';

/*
 * A grant's terms as a client sends them, checked and brought to the stored form: lists deduplicated (an empty list
 * is no restriction, stored as null), instants in the canonical ISO form (milliseconds, Z) so that they compare as
 * strings, notBefore defaulting to now.
 */

/** The longest purpose text (characters). */
export const MAX_PURPOSE_CHARS = 500;
export const GRANT_ACTIONS: readonly GrantAction[] = ['read', 'subscribe'];

export interface GrantTermsInput {
  channelIds?: string[] | null | undefined;
  messageTypes?: string[] | null | undefined;
  receivedFrom?: string | null | undefined;
  receivedBefore?: string | null | undefined;
  actions?: GrantAction[] | undefined;
  purpose?: string | undefined;
  notBefore?: string | undefined;
  notOnOrAfter?: string | undefined;
}

const list = (xs: string[] | null | undefined): string[] | null => (xs && xs.length > 0 ? [...new Set(xs)] : null);

function instant(name: string, v: string, code: 'GRANT_SCOPE_INVALID' | 'GRANT_VALIDITY_INVALID'): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new VaultgateError(code, { detail: `${name} must be an ISO 8601 date-time.` });
  return new Date(t).toISOString();
}
const optionalInstant = (name: string, v: string | null | undefined): string | null => (v === null || v === undefined ? null : instant(name, v, 'GRANT_SCOPE_INVALID'));

/**
 * Checks terms and returns them in stored form; `base` fills in what `input` leaves out (an offer starts from the
 * request). GRANT_SCOPE_INVALID (no channel and no type, an empty window, no or unknown actions, subscribe without read, a purpose too long
 * or missing), GRANT_VALIDITY_INVALID (notBefore not before notOnOrAfter, or notOnOrAfter not after `now`).
 */
export function normalizeGrantTerms(input: GrantTermsInput, now: string, base?: GrantTerms): GrantTerms {
  const pick = <K extends keyof GrantTermsInput>(k: K) => (input[k] !== undefined ? input[k] : base?.[k as keyof GrantTerms]) as GrantTermsInput[K];
  const channelIds = list(pick('channelIds'));
  const messageTypes = list(pick('messageTypes'));
  if (channelIds === null && messageTypes === null) throw new VaultgateError('GRANT_SCOPE_INVALID', { detail: 'Name at least one channel (channelIds) or message type (messageTypes).' });
  const receivedFrom = optionalInstant('receivedFrom', pick('receivedFrom'));
  const receivedBefore = optionalInstant('receivedBefore', pick('receivedBefore'));
  if (receivedFrom !== null && receivedBefore !== null && receivedFrom >= receivedBefore) {
    throw new VaultgateError('GRANT_SCOPE_INVALID', { detail: 'receivedFrom must precede receivedBefore.' });
  }
  const actions = [...new Set(pick('actions') ?? [])];
  if (actions.length === 0 || actions.some((a) => !GRANT_ACTIONS.includes(a))) {
    throw new VaultgateError('GRANT_SCOPE_INVALID', { detail: `actions must name one or both of ${GRANT_ACTIONS.join(', ')}.` });
  }
  // A webhook delivers a thin payload (ids and metadata); its body is a read: subscribe alone would be useless.
  if (actions.includes('subscribe') && !actions.includes('read')) {
    throw new VaultgateError('GRANT_SCOPE_INVALID', { detail: 'subscribe needs read as well: a webhook delivers ids and metadata, and the body is read with the read action. Ask for actions ["read", "subscribe"].' });
  }
  const purpose = (pick('purpose') ?? '').trim();
  if (purpose.length === 0 || purpose.length > MAX_PURPOSE_CHARS) throw new VaultgateError('GRANT_SCOPE_INVALID', { detail: `purpose must be 1 to ${MAX_PURPOSE_CHARS} characters.` });
  const nb = pick('notBefore');
  const end = pick('notOnOrAfter');
  if (end === undefined) throw new VaultgateError('GRANT_VALIDITY_INVALID', { detail: 'notOnOrAfter is required.' });
  const notBefore = nb === undefined ? now : instant('notBefore', nb, 'GRANT_VALIDITY_INVALID');
  const notOnOrAfter = instant('notOnOrAfter', end, 'GRANT_VALIDITY_INVALID');
  if (notBefore >= notOnOrAfter) throw new VaultgateError('GRANT_VALIDITY_INVALID', { detail: 'notBefore must precede notOnOrAfter.' });
  checkNotEnded(notOnOrAfter, now);
  return { channelIds, messageTypes, receivedFrom, receivedBefore, actions: GRANT_ACTIONS.filter((a) => actions.includes(a)), purpose, notBefore, notOnOrAfter };
}

/** GRANT_VALIDITY_INVALID when the window has ended at `now` (a grant is never made or activated already over). */
export function checkNotEnded(notOnOrAfter: string, now: string, hint = ''): void {
  if (notOnOrAfter <= now) throw new VaultgateError('GRANT_VALIDITY_INVALID', { detail: `notOnOrAfter (${notOnOrAfter}) has passed.${hint}` });
}

/** GRANT_SCOPE_INVALID unless every channel named is one of the owner company's. */
export async function checkOwnerChannels(terms: GrantTerms, ownerCompanyId: string, getChannel: (id: string) => Promise<ChannelRecord | undefined>): Promise<void> {
  for (const id of terms.channelIds ?? []) {
    const c = await getChannel(id);
    if (!c || c.companyId !== ownerCompanyId) throw new VaultgateError('GRANT_SCOPE_INVALID', { detail: `${id} is not a channel of ${ownerCompanyId}.` });
  }
}

/**
 * GRANT_SCOPE_WIDENED unless `offer` asks for no more than `request`: its scope within (scopeWithin), its actions a
 * subset, its validity inside the requested one.
 */
export function checkWithin(offer: GrantTerms, request: GrantTerms): void {
  const problems = [
    !scopeWithin(offer, request) && 'the scope (channels, message types, received-at window)',
    offer.actions.some((a) => !request.actions.includes(a)) && 'the actions',
    (offer.notBefore < request.notBefore || offer.notOnOrAfter > request.notOnOrAfter) && 'the validity window',
  ].filter(Boolean);
  if (problems.length > 0) throw new VaultgateError('GRANT_SCOPE_WIDENED', { detail: `The offer widens ${problems.join(', ')} of the request.` });
}
