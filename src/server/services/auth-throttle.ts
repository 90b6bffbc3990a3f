import { RateLimiterMemory } from 'rate-limiter-flexible';
import { VaultgateError } from '../../protocol/index.js';

/*
 * Throttling of failed authentication (issue 11 §6), free of Fastify. Failures are counted per credential id and
 * per client address in fixed windows (rate-limiter-flexible's RateLimiterMemory, one per process). Once either count
 * reaches its limit, requests naming that credential or coming from that address are refused with 429
 * AUTHENTICATION_THROTTLED and Retry-After before any verification is done (no key decrypted, no MAC computed, no
 * signature verified). Only failures count: a successful request is never slowed and never counted, and a refused
 * (throttled) one does not count again, so one misconfigured client adds at most the per-credential limit to its
 * address's count.
 *
 * Choices, and why:
 * - A success does not reset the credential's count: otherwise the legitimate client's traffic would keep wiping out
 *   an attacker's failures against the same credential id, and the per-credential bound would not hold.
 * - The operator token is counted per address only: there is one such token, and a count across all addresses
 *   would let anyone who can reach /admin lock the operator out by sending wrong tokens.
 * - Bearer tokens are counted per address only: a signature cannot be guessed, and the client a token names is
 *   unverified until it checks, so a count per claimed client would let anyone lock that client out with junk.
 *   MAC keys and client secrets, by contrast, are secrets a distributed attacker could guess at: counted per id.
 * - Memory, not PostgreSQL: counting each failure in the shared database would move the attacker's cost onto the
 *   resource every gateway needs; with N gateways behind a balancer an attacker gets at most N times the limit,
 *   which keeps guessing a 256-bit key as hopeless as before. (RateLimiterPostgres could be put behind the same
 *   interface if a deployment needs an exact shared count.)
 */

/** How the request tried to authenticate (a metric label: few values). */
export type AuthScheme = 'mac' | 'bearer' | 'http-signature' | 'client' | 'admin' | 'session';

/** One counted failure, for the log (warn) and the metrics; never holds a secret. */
export interface AuthFailure {
  scheme: AuthScheme;
  /** The catalogue code the failure was answered with (e.g. AUTHENTICATION_FAILED, OAUTH_INVALID_CLIENT). */
  reason: string;
  /** The credential id the request named: PartnerId/CustomerId, client_id, iss|client id (claimed), or "operator token". */
  credential: string | undefined;
  address: string | undefined;
  requestId: string | undefined;
}

export interface AuthThrottleOptions {
  /** Failures per credential id in one window before it is throttled; 0 turns this count off. */
  credentialFailures: number;
  /** Failures per client address in one window before it is throttled; 0 turns this count off. */
  addressFailures: number;
  /** Length of the counting window in seconds. */
  windowS: number;
  onFailure?: (f: AuthFailure) => void;
  onThrottled?: (f: Omit<AuthFailure, 'reason'> & { retryAfterS: number }) => void;
  /**
   * Once per window when a failure brings a credential id or an address to its limit (the moment it becomes
   * throttled, not for each request refused afterwards): the audit trail records it (issue 13 §1).
   */
  onBecameThrottled?: (f: AuthFailure & { by: 'credential' | 'address' }) => void;
}

export interface GuardContext {
  scheme: AuthScheme;
  /** The credential id, or a function that finds it (called only when it is counted or logged: a refusal or a failure). */
  credential: string | undefined | (() => string | undefined);
  address: string | undefined;
  requestId?: string | undefined;
  /** Count failures against the credential id too (default true; false for the operator token). */
  perCredential?: boolean;
}

/** Credential ids and addresses are the client's own text: bounded, printable, before they become keys or log fields. */
const clean = (s: string | undefined): string | undefined => (s === undefined ? undefined : s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200));

export class AuthThrottle {
  readonly #credential: RateLimiterMemory | undefined;
  readonly #address: RateLimiterMemory | undefined;

  constructor(private readonly o: AuthThrottleOptions) {
    if (o.credentialFailures > 0) this.#credential = new RateLimiterMemory({ points: o.credentialFailures, duration: o.windowS, keyPrefix: 'cred' });
    if (o.addressFailures > 0) this.#address = new RateLimiterMemory({ points: o.addressFailures, duration: o.windowS, keyPrefix: 'addr' });
  }

  /**
   * Runs `authenticate` unless the credential or address is over its limit (then throws AUTHENTICATION_THROTTLED
   * with retryAfterS); a failure it throws (a coded error of the AUTHENTICATION_FAILED family) is counted and rethrown.
   */
  async guard<T>(c: GuardContext, authenticate: () => Promise<T>): Promise<T> {
    let found: { id: string | undefined } | undefined;
    const credentialId = (): string | undefined =>
      (found ??= { id: clean(typeof c.credential === 'function' ? c.credential() : c.credential) }).id;
    const credentialKey = c.perCredential === false || credentialId() === undefined ? undefined : `${c.scheme}:${credentialId()}`;
    const address = clean(c.address);
    const waitMs = Math.max(
      await this.#blockedMs(this.#address, address, this.o.addressFailures),
      await this.#blockedMs(this.#credential, credentialKey, this.o.credentialFailures),
    );
    if (waitMs > 0) {
      const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
      const credential = credentialId();
      this.o.onThrottled?.({ scheme: c.scheme, credential, address, requestId: c.requestId, retryAfterS });
      throw new VaultgateError('AUTHENTICATION_THROTTLED', {
        detail: `Retry after ${retryAfterS} s.`, retryAfterS, logReason: `throttled ${c.scheme} ${credential ?? ''} from ${address ?? '?'}`,
      });
    }
    try {
      return await authenticate();
    } catch (err) {
      if (err instanceof VaultgateError && err.family === 'AUTHENTICATION_FAILED' && err.status !== 429) {
        const byAddress = address === undefined ? undefined : await this.#address?.penalty(address, 1);
        const byCredential = credentialKey === undefined ? undefined : await this.#credential?.penalty(credentialKey, 1);
        const failure = { scheme: c.scheme, reason: err.code, credential: credentialId(), address, requestId: c.requestId };
        this.o.onFailure?.(failure);
        if (byCredential?.consumedPoints === this.o.credentialFailures) this.o.onBecameThrottled?.({ ...failure, by: 'credential' });
        if (byAddress?.consumedPoints === this.o.addressFailures) this.o.onBecameThrottled?.({ ...failure, by: 'address' });
      }
      throw err;
    }
  }

  async #blockedMs(limiter: RateLimiterMemory | undefined, key: string | undefined, limit: number): Promise<number> {
    if (!limiter || key === undefined) return 0;
    const res = await limiter.get(key);
    return res !== null && res.consumedPoints >= limit ? res.msBeforeNext : 0;
  }
}
