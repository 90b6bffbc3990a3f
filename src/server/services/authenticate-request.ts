import { usesBearerScheme, VaultgateError, type HeaderBag } from '../../protocol/index.js';
import { authenticateMac, type MacAuthDeps, type MacPrincipal } from './authenticate-mac.js';
import type { BearerAuthenticator, BearerPrincipal } from './authenticate-bearer.js';

/** Who an authenticated request comes from: a MAC-signed partner/customer pair, or a bearer token's client. */
export type Principal = MacPrincipal | BearerPrincipal;

export interface AuthDeps extends MacAuthDeps {
  bearer: BearerAuthenticator;
}

/**
 * Authenticates a request by the scheme its headers choose: `Authorization: Bearer` → the bearer service (it takes
 * precedence over X-Netvisor-* headers); otherwise X-Netvisor-* headers → the signed-header MAC scheme; neither →
 * AUTHENTICATION_FAILED. `mac` is the response style's decision (responseStyle), so a request is answered by the
 * rules of the scheme it was authenticated by. Both HTTP paths (Fastify and the lean ingestion path) use this.
 */
export async function authenticateRequest(d: AuthDeps, headers: HeaderBag, rawTarget: string, mac: boolean): Promise<Principal> {
  if (usesBearerScheme(headers)) return d.bearer.authenticate(headers);
  if (mac) return authenticateMac(d, headers, rawTarget);
  throw new VaultgateError('AUTHENTICATION_FAILED', {
    detail: 'No credentials: send Authorization: Bearer <token>, or sign the request with the X-Netvisor-Authentication-* headers.',
  });
}
