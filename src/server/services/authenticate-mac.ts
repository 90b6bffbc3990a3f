import {
  checkMacTimestamp,
  macForm,
  parseId,
  requestUrls,
  parseMacHeaders,
  resolveMacAlgorithm,
  verifyMac,
  VaultgateError,
  type Clock,
  type Environment,
  type HeaderBag,
  type MacAlgorithm,
  type ParsedMacHeaders,
} from '../../protocol/index.js';
import type { CustomerCredentialRecord, PartnerCredentialRecord, PartyRecord, Store } from '../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../crypto/vault-crypto.js';
import { customerKeyAad, partnerKeyAad } from './registry.js';
import type { RegistryCache } from './registry-cache.js';

export interface MacAuthDeps {
  store: Store;
  cache: RegistryCache;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  publicBaseUrl: () => string;
  timestampWindowS: number;
  allowMd5: boolean;
  /**
   * Called for every verified MAC request with the form that matched (`canonical`, or the fallbacks joined by `+`,
   * see macForm): the metrics count it, so an operator sees which integrations need fixing.
   */
  onMacVerified?: (v: { algorithm: MacAlgorithm; form: string; partnerId: string; customerId: string }) => void;
}

/** Who a verified MAC request comes from. */
export interface MacPrincipal {
  scheme: 'mac';
  headers: ParsedMacHeaders;
  party: PartyRecord;
  partner: PartnerCredentialRecord;
  customer: CustomerCredentialRecord;
}

/**
 * Verification steps 1-5 of mac-auth.md: headers well-formed, algorithm allowed, credentials known and active in
 * this environment, MAC equal (constant time), timestamp within the window. Authorization (step 6) is the caller's.
 * `rawTarget` is the request-target exactly as received.
 */
export async function authenticateMac(d: MacAuthDeps, headers: HeaderBag, rawTarget: string): Promise<MacPrincipal> {
  const parsed = parseMacHeaders(headers);
  if (!parsed.ok) throw new VaultgateError('AUTH_HEADERS_INVALID', { detail: parsed.problems.join('; '), extra: { problems: parsed.problems } });
  const h = parsed.value;
  const algorithm = resolveMacAlgorithm(h.algorithm, d.allowMd5);
  if (algorithm === 'HMACSHA256' && h.timestampUnix === undefined) {
    throw new VaultgateError('AUTH_HEADERS_INVALID', { detail: 'HMACSHA256 needs X-Netvisor-Authentication-TimestampUnix.' });
  }

  for (const [id, kind] of [[h.partnerId, 'partnerCredential'], [h.customerId, 'customerCredential']] as const) {
    const p = parseId(id, kind, d.environment);
    if (!p.ok && p.reason === 'other-environment') {
      throw new VaultgateError('ENVIRONMENT_MISMATCH', {
        detail: `The credential ${id} belongs to the ${p.environment} environment; this deployment is ${d.environment}.`,
      });
    }
  }
  const c = await d.cache.get(`credentials:${h.partnerId}|${h.customerId}`, () => resolveCredentials(d, h.partnerId, h.customerId));
  if (!c.ok) throw new VaultgateError('AUTHENTICATION_FAILED', { logReason: c.reason });
  const { partner, customer, party, keys } = c;
  // The canonical form first; the tolerated fallbacks of mac-auth.md only when it fails (at most MAX_MAC_CANDIDATES).
  const urls = requestUrls(d.publicBaseUrl(), rawTarget);
  let v = verifyMac(h, algorithm, urls, keys);
  // Within a rotation's overlap window the previous key of either credential also verifies (issue 14): tried only
  // after the current keys failed, so a client that switched costs nothing; at most 3 more key pairs.
  for (const alt of v.ok ? [] : previousKeyPairs(c, d.clock.now())) {
    const w = verifyMac(h, algorithm, urls, alt);
    if (w.ok) {
      v = w;
      break;
    }
  }
  if (!v.ok) {
    throw new VaultgateError('AUTHENTICATION_FAILED', {
      logReason: 'MAC mismatch',
      // Outside live, show the integrator the canonical string to hash (keys masked); never in live.
      extra: d.environment === 'live' ? undefined : { stringToHash: v.maskedInput },
    });
  }
  // From here on the values the client signed: a Sender or TransactionId that travelled as UTF-8 is its decoded text.
  const signed = v.headers!;
  const skew = checkMacTimestamp(signed, d.clock.now(), d.timestampWindowS);
  d.onMacVerified?.({ algorithm, form: macForm([...v.fallbacks, ...skew]), partnerId: h.partnerId, customerId: h.customerId });
  return { scheme: 'mac', headers: signed, party, partner, customer };
}

interface PreviousKey { key: string; validUntilMs: number }
type ResolvedCredentials =
  | {
    ok: true; party: PartyRecord; partner: PartnerCredentialRecord; customer: CustomerCredentialRecord; keys: { partnerKey: string; customerKey: string };
    /** The keys the credentials had before their last rotation, with the end of the overlap window (cached: checked at use). */
    previous: { partner?: PreviousKey | undefined; customer?: PreviousKey | undefined };
  }
  | { ok: false; reason: string };

/** The key pairs with a previous key still inside its overlap window at `now`. */
function previousKeyPairs(c: Extract<ResolvedCredentials, { ok: true }>, now: number): { partnerKey: string; customerKey: string }[] {
  const p = c.previous.partner && c.previous.partner.validUntilMs > now ? c.previous.partner.key : undefined;
  const q = c.previous.customer && c.previous.customer.validUntilMs > now ? c.previous.customer.key : undefined;
  const out: { partnerKey: string; customerKey: string }[] = [];
  if (p !== undefined) out.push({ partnerKey: p, customerKey: c.keys.customerKey });
  if (q !== undefined) out.push({ partnerKey: c.keys.partnerKey, customerKey: q });
  if (p !== undefined && q !== undefined) out.push({ partnerKey: p, customerKey: q });
  return out;
}

/** A credential's previous MAC key, if it was rotated and the key is sealed (never a secret hash). */
async function previousKey(d: MacAuthDeps, id: string, aad: string): Promise<PreviousKey | undefined> {
  const prev = await d.store.getPreviousSecret(id);
  if (!prev?.keyCiphertext || Date.parse(prev.validUntil) <= d.clock.now()) return undefined;
  return { key: (await d.crypto.open(prev.keyCiphertext, aad, SYSTEM_OWNER)).toString('latin1'), validUntilMs: Date.parse(prev.validUntil) };
}

/** Verification step 3: both credentials known and active, the party active; their keys decrypted. */
async function resolveCredentials(d: MacAuthDeps, partnerId: string, customerId: string): Promise<ResolvedCredentials> {
  const partner = await d.store.getPartnerCredential(partnerId);
  const customer = await d.store.getCustomerCredential(customerId);
  const party = partner ? await d.store.getParty(partner.partyId) : undefined;
  if (!partner) return { ok: false, reason: 'unknown partner id' };
  if (partner.status !== 'active') return { ok: false, reason: 'partner credential disabled' };
  if (!party || party.status !== 'active') return { ok: false, reason: 'party disabled' };
  if (!customer) return { ok: false, reason: 'unknown customer id' };
  if (customer.status !== 'active') return { ok: false, reason: 'customer credential disabled' };
  const keys = {
    partnerKey: (await d.crypto.open(partner.keyCiphertext, partnerKeyAad(partner.partnerId), SYSTEM_OWNER)).toString('latin1'),
    customerKey: (await d.crypto.open(customer.keyCiphertext, customerKeyAad(customer.customerId), SYSTEM_OWNER)).toString('latin1'),
  };
  const previous = {
    partner: await previousKey(d, partner.partnerId, partnerKeyAad(partner.partnerId)),
    customer: await previousKey(d, customer.customerId, customerKeyAad(customer.customerId)),
  };
  return { ok: true, party, partner, customer, keys, previous };
}
