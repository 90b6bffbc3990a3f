import { VaultgateError, type HeaderBag } from '../../protocol/index.js';
import type { CustomerCredentialRecord, PartyRecord } from '../../store/index.js';
import { authenticateMac, type MacAuthDeps } from './authenticate-mac.js';

/** Who an authenticated ingestion request comes from, whatever the scheme. */
export interface Principal {
  scheme: 'mac' | 'bearer';
  /** The technical party (software vendor) sending. */
  party: PartyRecord;
  /** The company's customer credential the request acts under (its scopes, its company). */
  customer: CustomerCredentialRecord;
  /** The business id the request names as its target (MAC: X-Netvisor-Organisation-ID); checked when present. */
  organisationId: string | undefined;
  /** The caller's transaction id, consumed once per party (MAC: X-Netvisor-Authentication-TransactionId). */
  transactionId: string | undefined;
}

/**
 * A bearer-token authenticator (`Authorization: Bearer <token>`): verifies the token and resolves its principal, or
 * throws a coded error. Plugged in through `AuthDeps.bearer`; without one, bearer requests are refused.
 */
export type BearerAuthenticator = (token: string, request: { headers: HeaderBag; rawTarget: string }) => Promise<Principal>;

export interface AuthDeps extends MacAuthDeps {
  bearer?: BearerAuthenticator | undefined;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates a request by the scheme its headers choose: any X-Netvisor-* header → the signed-header MAC scheme;
 * `Authorization: Bearer` → the bearer authenticator (when one is plugged in). `mac` is the response style's
 * decision (usesMacScheme), so a request is answered by the rules of the scheme it was authenticated by.
 */
export async function authenticateRequest(d: AuthDeps, headers: HeaderBag, rawTarget: string, mac: boolean): Promise<Principal> {
  if (mac) {
    const p = await authenticateMac(d, headers, rawTarget);
    return { scheme: 'mac', party: p.party, customer: p.customer, organisationId: p.headers.organisationId, transactionId: p.headers.transactionId };
  }
  const authorization = headers.authorization;
  const token = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
  if (token !== undefined && d.bearer) return d.bearer(token, { headers, rawTarget });
  throw new VaultgateError('AUTHENTICATION_FAILED', {
    detail: authorization
      ? 'This deployment does not accept bearer tokens yet; sign the request with the X-Netvisor-Authentication-* headers.'
      : 'No credentials: sign the request with the X-Netvisor-Authentication-* headers.',
  });
}
