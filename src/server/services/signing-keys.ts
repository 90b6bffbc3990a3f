import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { newId, type Clock, type Environment } from '../../protocol/index.js';
import type { SigningKeyRecord, Store } from '../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../crypto/vault-crypto.js';
import { SYSTEM_CONTEXT, type AuditContext, type AuditTrail } from './audit/audit-trail.js';

export interface SigningKeysDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  /** Algorithm of keys generated from now on. */
  alg: string;
  /**
   * Lifetime of the longest-lived JWT the keys sign (access tokens; grant statements, issue 15): a retired key stays
   * published this long (plus the leeway).
   */
  tokenLifetimeS: number;
  /** Rotations append their event in the rotation's transaction (issue 13); absent in unit tests of the keys alone. */
  audit?: AuditTrail;
}

/** What the admin API shows of a key: never the private part. */
export interface SigningKeyView {
  kid: string;
  alg: string;
  createdAt: string;
  retiredAt: string | null;
  publishUntil: string | null;
  current: boolean;
}

interface LoadedKey {
  record: SigningKeyRecord;
  jwk: JWK;
}

/** Seconds of clock skew tolerated on exp and nbf, here and in verification. */
export const LEEWAY_S = 60;
/**
 * A process re-reads the key table at least this often, so a rotation by another process is picked up. It must stay
 * below LEEWAY_S: a process may sign with a just-retired key for up to this long, and the retired key is published
 * for the token lifetime plus LEEWAY_S after its retirement, so every token it signs expires while it is published.
 */
const RELOAD_MS = 30_000;
/**
 * An unknown kid makes a re-read at most this often (bounds the database work an attacker can cause). A request
 * that comes sooner waits for the next allowed re-read instead of being refused: a key rotated through another
 * process just now must not make its first tokens fail here.
 */
const UNKNOWN_KID_RELOAD_MS = 1_000;

const aad = (kid: string): string => `token-signing-key:${kid}`;

/**
 * The built-in issuer's signing keys. They live in the database (the private key sealed with the system data key),
 * so every process sharing the database signs and verifies with the same keys, and a rotation in one process is
 * seen by the others within RELOAD_MS (or at once, for verification, when a token names a kid not yet loaded).
 */
export class SigningKeys {
  #keys: LoadedKey[] = [];
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;
  #unknownKidReload: Promise<void> | undefined;
  #unknownKidReloadAt = Number.NEGATIVE_INFINITY;
  readonly #private = new Map<string, CryptoKey>();
  readonly #public = new Map<string, CryptoKey>();

  constructor(private readonly d: SigningKeysDeps) {}

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  async #reload(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const records = await this.d.store.listSigningKeys(this.#iso(this.d.clock.now()));
        this.#keys = records.map((record) => ({ record, jwk: JSON.parse(record.publicJwk) as JWK }));
        this.#loadedAt = this.d.clock.now();
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  /** Re-reads the table for an unknown kid: at most once per UNKNOWN_KID_RELOAD_MS, callers in between share the next one. */
  #reloadForUnknownKid(): Promise<void> {
    this.#unknownKidReload ??= (async () => {
      try {
        const wait = this.#unknownKidReloadAt + UNKNOWN_KID_RELOAD_MS - this.d.clock.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, UNKNOWN_KID_RELOAD_MS)));
        this.#unknownKidReloadAt = this.d.clock.now();
        await this.#reload();
      } finally {
        this.#unknownKidReload = undefined;
      }
    })();
    return this.#unknownKidReload;
  }

  async #fresh(): Promise<LoadedKey[]> {
    if (this.d.clock.now() - this.#loadedAt >= RELOAD_MS) await this.#reload();
    return this.#keys;
  }

  /** Generates the first key when there is none (first start). True when it created one. */
  async ensureKey(): Promise<boolean> {
    await this.#reload();
    if (this.#keys.some((k) => k.record.retiredAt === null)) return false;
    await this.rotate();
    return true;
  }

  /**
   * Starts signing with a new key. The keys it replaces stay published until every token they signed has expired
   * (token lifetime + leeway), so verifiers never see a valid token with an unpublished key.
   */
  async rotate(ctx: AuditContext = SYSTEM_CONTEXT): Promise<SigningKeyView> {
    const alg = this.d.alg;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const kid = newId('signingKey', this.d.environment);
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const pem = await exportPKCS8(privateKey);
    const now = this.d.clock.now();
    const record: SigningKeyRecord = {
      kid, alg, publicJwk: JSON.stringify(jwk),
      privateKeyCiphertext: await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(pem, 'utf8'), aad(kid)),
      createdAt: this.#iso(now), retiredAt: null, publishUntil: null,
    };
    await this.d.store.addSigningKey(record, this.#iso(now + (this.d.tokenLifetimeS + LEEWAY_S) * 1000),
      this.d.audit?.event(ctx, { action: 'signing-key.rotate', subject: kid, details: { alg } }));
    this.#private.set(kid, privateKey);
    await this.#reload();
    return this.#view(record, true);
  }

  /** The key to sign with now: the newest current one. */
  async signingKey(): Promise<{ kid: string; alg: string; key: CryptoKey }> {
    let current = (await this.#fresh()).find((k) => k.record.retiredAt === null);
    if (!current) {
      await this.ensureKey();
      current = this.#keys.find((k) => k.record.retiredAt === null)!;
    }
    const { kid, alg } = current.record;
    let key = this.#private.get(kid);
    if (!key) {
      const pem = await this.d.crypto.open(current.record.privateKeyCiphertext, aad(kid), SYSTEM_OWNER);
      key = await importPKCS8(pem.toString('utf8'), alg);
      this.#private.set(kid, key);
    }
    return { kid, alg, key };
  }

  /** The public key of a published kid (re-reading the table, rate-limited, when the kid is not loaded). */
  async verificationKey(kid: string): Promise<{ alg: string; key: CryptoKey } | undefined> {
    let found = (await this.#fresh()).find((k) => k.record.kid === kid);
    // Only an id this deployment could have issued is worth a re-read (ids carry the kind and environment).
    if (!found && kid.startsWith(`sk_${this.d.environment}_`)) {
      await this.#reloadForUnknownKid();
      found = this.#keys.find((k) => k.record.kid === kid);
    }
    if (!found) return undefined;
    let key = this.#public.get(kid);
    if (!key) {
      key = (await importJWK(found.jwk, found.record.alg)) as CryptoKey;
      this.#public.set(kid, key);
    }
    return { alg: found.record.alg, key };
  }

  /** The published public keys (JWKS). */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.#fresh()).map((k) => k.jwk) };
  }

  async list(): Promise<SigningKeyView[]> {
    await this.#reload();
    const currentKid = this.#keys.find((k) => k.record.retiredAt === null)?.record.kid;
    return this.#keys.map((k) => this.#view(k.record, k.record.kid === currentKid));
  }

  #view(r: SigningKeyRecord, current: boolean): SigningKeyView {
    return { kid: r.kid, alg: r.alg, createdAt: r.createdAt, retiredAt: r.retiredAt, publishUntil: r.publishUntil, current };
  }
}
