import type { CryptoKey, JWK } from 'jose';
import { VaultgateError } from '../../protocol/index.js';
import type { OidcIssuerConfig } from '../config/oidc-issuers.js';
import { importPublicJwk, KeyUnusableError } from './public-key.js';

export interface RemoteJwksOptions {
  now: () => number;
  /** Timeout of one discovery or JWKS fetch. */
  fetchTimeoutMs?: number;
  /** After this, the key set is fetched again on next use even without an unknown kid. */
  maxAgeMs?: number;
  /** Called once per completed fetch attempt (metrics, logs). */
  onFetch?: (issuer: string, ok: boolean, reason?: string) => void;
  /** Called once per published key that cannot be used (until the set is fetched again): for a warning in the log. */
  onKeyUnusable?: (issuer: string, kid: string | undefined, reason: string) => void;
}

const MAX_DOCUMENT_BYTES = 512 * 1024;

/** Which key types can verify an algorithm. */
function fits(jwk: JWK, alg: string): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (alg === 'ES384') return jwk.kty === 'EC' && jwk.crv === 'P-384';
  if (alg === 'ES512') return jwk.kty === 'EC' && jwk.crv === 'P-521';
  if (alg === 'EdDSA') return jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448');
  return false;
}

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_DOCUMENT_BYTES) throw new Error(`${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  return JSON.parse(text);
}

/**
 * The key set of one external issuer: found by discovery (whose `issuer` must equal the configured one) or at the
 * configured JWKS URI, cached, and fetched again when a token names a kid it lacks, at most once per
 * `jwksMinRefetchIntervalS` however many such tokens arrive (the first after a quiet interval fetches at once, so an
 * issuer's key rotation is picked up without delay) (concurrent misses share one fetch). Keys are never
 * taken from a token.
 */
export class RemoteJwks {
  #keys: JWK[] = [];
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  /** When an unknown kid last caused a fetch: the bound applies to these, so a first rotation is seen at once. */
  #missFetchAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #jwksUri: string | undefined;
  /** Imported keys by kid|alg; a KeyUnusableError is remembered too, so a bad key is not re-imported per request. */
  readonly #imported = new Map<string, CryptoKey | KeyUnusableError>();
  readonly #timeoutMs: number;
  readonly #maxAgeMs: number;

  constructor(private readonly cfg: OidcIssuerConfig, private readonly o: RemoteJwksOptions) {
    this.#jwksUri = cfg.jwksUri;
    this.#timeoutMs = o.fetchTimeoutMs ?? 5000;
    this.#maxAgeMs = o.maxAgeMs ?? 10 * 60_000;
  }

  async #fetch(): Promise<void> {
    this.#inflight ??= (async () => {
      this.#attemptedAt = this.o.now();
      try {
        if (this.#jwksUri === undefined) {
          const doc = (await fetchJson(this.cfg.discoveryUrl!, this.#timeoutMs)) as { issuer?: unknown; jwks_uri?: unknown };
          if (doc.issuer !== this.cfg.issuer) throw new Error(`discovery names issuer ${String(doc.issuer)}, not ${this.cfg.issuer}`);
          if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
          this.#jwksUri = doc.jwks_uri;
        }
        const set = (await fetchJson(this.#jwksUri, this.#timeoutMs)) as { keys?: unknown };
        if (!Array.isArray(set.keys)) throw new Error(`${this.#jwksUri} is not a JWK set`);
        // Only public keys: a set that publishes private or symmetric material is not used for those entries.
        this.#keys = (set.keys as JWK[]).filter((k) => typeof k === 'object' && k !== null && k.kty !== 'oct' && k.d === undefined);
        this.#imported.clear();
        this.#fetchedAt = this.o.now();
        this.o.onFetch?.(this.cfg.issuer, true);
      } catch (err) {
        this.o.onFetch?.(this.cfg.issuer, false, (err as Error).message);
        if (this.#fetchedAt === Number.NEGATIVE_INFINITY) {
          throw new VaultgateError('TOKEN_ISSUER_UNAVAILABLE', { logReason: `${this.cfg.issuer}: ${(err as Error).message}`, cause: err });
        }
        // A stale set stays in use when a refresh fails.
      } finally {
        this.#inflight = undefined;
      }
    })();
    return this.#inflight;
  }

  #find(kid: string | undefined, alg: string): JWK | undefined {
    const candidates = this.#keys.filter((k) => fits(k, alg) && (kid === undefined || k.kid === kid));
    return kid === undefined && candidates.length !== 1 ? undefined : candidates[0];
  }

  /** The issuer's key for a token header's kid and alg; TOKEN_KEY_UNKNOWN when the issuer does not publish it. */
  async key(kid: string | undefined, alg: string): Promise<CryptoKey> {
    const now = this.o.now();
    if (now - this.#fetchedAt >= this.#maxAgeMs && now - this.#attemptedAt >= this.cfg.jwksMinRefetchIntervalS * 1000) await this.#fetch();
    if (this.#fetchedAt === Number.NEGATIVE_INFINITY) {
      // The last attempt failed moments ago: do not hammer the issuer.
      throw new VaultgateError('TOKEN_ISSUER_UNAVAILABLE', { logReason: `${this.cfg.issuer}: no key set fetched yet` });
    }
    let jwk = this.#find(kid, alg);
    if (!jwk && this.#inflight) {
      // Another request's refetch is under way: its result decides, without a fetch of our own.
      await this.#inflight.catch(() => undefined);
      jwk = this.#find(kid, alg);
    }
    if (!jwk && this.o.now() - this.#missFetchAt >= this.cfg.jwksMinRefetchIntervalS * 1000) {
      this.#missFetchAt = this.o.now();
      await this.#fetch();
      jwk = this.#find(kid, alg);
    }
    if (!jwk && kid !== undefined) {
      const named = this.#keys.find((k) => k.kid === kid);
      if (named) {
        // Published under this kid, but of a type, curve or use that cannot verify alg (e.g. kty EC crv secp256k1).
        const reason = `kty ${String(named.kty).slice(0, 10)}${named.crv ? ` crv ${String(named.crv).slice(0, 20)}` : ''}${named.use ? ` use ${String(named.use).slice(0, 10)}` : ''}${named.alg ? ` alg ${String(named.alg).slice(0, 20)}` : ''} cannot verify ${alg}`;
        this.o.onKeyUnusable?.(this.cfg.issuer, kid, reason);
        throw new VaultgateError('TOKEN_KEY_UNUSABLE', { logReason: `${this.cfg.issuer} key ${kid}: ${reason}` });
      }
    }
    if (!jwk) throw new VaultgateError('TOKEN_KEY_UNKNOWN', { logReason: `${this.cfg.issuer} publishes no ${alg} key ${kid ?? '(no kid)'}` });
    const cacheKey = `${jwk.kid ?? ''}|${alg}`;
    let key = this.#imported.get(cacheKey);
    if (!key) {
      try {
        key = await importPublicJwk(jwk, alg);
      } catch (err) {
        key = err instanceof KeyUnusableError ? err : new KeyUnusableError(String((err as Error)?.message ?? err));
        this.o.onKeyUnusable?.(this.cfg.issuer, jwk.kid, key.message);
      }
      this.#imported.set(cacheKey, key);
    }
    if (key instanceof KeyUnusableError) {
      // The issuer's fault, not the client's or ours: 401 (never a retryable 5xx), the kid in the log.
      throw new VaultgateError('TOKEN_KEY_UNUSABLE', { logReason: `${this.cfg.issuer} key ${jwk.kid ?? '(no kid)'}: ${key.message}` });
    }
    return key;
  }
}
