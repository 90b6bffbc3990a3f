import { decodeJwt } from 'jose';
import { MAC_HEADERS, usesBearerScheme, VaultgateError, type HeaderBag } from '../../protocol/index.js';
import { authenticateMac, type MacAuthDeps, type MacPrincipal } from './authenticate-mac.js';
import type { BearerAuthenticator, BearerPrincipal } from './authenticate-bearer.js';
import type { AuthThrottle } from './auth-throttle.js';
import { refuseSuspended } from './accounts/people.js';

/** Who an authenticated request comes from: a MAC-signed partner/customer pair, or a bearer token's client. */
export type Principal = MacPrincipal | BearerPrincipal;

export interface AuthDeps extends MacAuthDeps {
  bearer: BearerAuthenticator;
  /** Throttles failed authentication per credential id and client address (absent: no throttling). */
  throttle?: AuthThrottle | undefined;
}

/** Where a request comes from, for the throttle and its log line. */
export interface RequestOrigin {
  address: string | undefined;
  requestId?: string | undefined;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The credential id a MAC request names: `PartnerId/CustomerId` (ids, never keys). */
export function macCredentialId(headers: HeaderBag): string | undefined {
  const partner = one(headers[MAC_HEADERS.partnerId]);
  const customer = one(headers[MAC_HEADERS.customerId]);
  return partner === undefined && customer === undefined ? undefined : `${partner ?? ''}/${customer ?? ''}`;
}

/** The credential id a bearer token claims, unverified: `iss|client id` (azp, appid, client_id or sub). */
export function bearerCredentialId(headers: HeaderBag): string | undefined {
  const token = /^bearer\s+(\S+)/i.exec(one(headers.authorization) ?? '')?.[1];
  if (!token || token.length > 16 * 1024) return undefined;
  try {
    const c = decodeJwt(token);
    const client = [c.azp, c.appid, c.client_id, c.sub].find((v) => typeof v === 'string' && v !== '');
    return typeof c.iss === 'string' ? `${c.iss}|${String(client ?? '')}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Authenticates a request by the scheme its headers choose: `Authorization: Bearer` → the bearer service (it takes
 * precedence over X-Netvisor-* headers); otherwise X-Netvisor-* headers → the signed-header MAC scheme; neither →
 * AUTHENTICATION_FAILED. `mac` is the response style's decision (responseStyle), so a request is answered by the
 * rules of the scheme it was authenticated by. Both HTTP paths (Fastify and the lean ingestion path) use this.
 * With a throttle, a credential id or address over its failure limit is refused (AUTHENTICATION_THROTTLED) before
 * any verification, and failures are counted.
 */
export async function authenticateRequest(d: AuthDeps, headers: HeaderBag, rawTarget: string, mac: boolean, origin?: RequestOrigin): Promise<Principal> {
  const p = await authenticateScheme(d, headers, rawTarget, mac, origin);
  // Issue 14: an organisation the operator suspended has every credential refused from the next request on.
  await refuseSuspended(d, p.scheme === 'mac' ? [p.party.id, p.customer.companyId] : [p.ownerId]);
  return p;
}

async function authenticateScheme(d: AuthDeps, headers: HeaderBag, rawTarget: string, mac: boolean, origin?: RequestOrigin): Promise<Principal> {
  if (usesBearerScheme(headers)) {
    if (!d.throttle) return d.bearer.authenticate(headers);
    // Counted per address only: a token holds no secret to guess, and its claims are unverified until its signature
    // checks, so a count per claimed client would let anyone lock a client out with junk tokens naming it. The
    // claimed id is still logged (decoded only then: not on the hot path of a valid, cached token).
    return d.throttle.guard({
      scheme: 'bearer', credential: () => bearerCredentialId(headers), address: origin?.address, requestId: origin?.requestId, perCredential: false,
    }, () => d.bearer.authenticate(headers));
  }
  if (mac) {
    if (!d.throttle) return authenticateMac(d, headers, rawTarget);
    return d.throttle.guard({ scheme: 'mac', credential: macCredentialId(headers), address: origin?.address, requestId: origin?.requestId }, () => authenticateMac(d, headers, rawTarget));
  }
  throw new VaultgateError('AUTHENTICATION_FAILED', {
    detail: 'No credentials: send Authorization: Bearer <token>, or sign the request with the X-Netvisor-Authentication-* headers.',
  });
}
