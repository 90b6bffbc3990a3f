import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { newId, randomNonSecretBytes, VaultgateError, type Clock, type Environment } from '../../protocol/index.js';
import type { DataKeyRecord, KeyStore } from '../../store/index.js';
import type { Keyring } from './keyring.js';

/** The owner of the data key that seals registry secrets (partner and customer keys). */
export const SYSTEM_OWNER = 'system';

const FORMAT = 2;

/**
 * Envelope encryption. Every owner (a company's vault, or `system` for registry secrets) has data keys (DEKs);
 * its newest one seals new data with AES-256-GCM. DEKs live only wrapped by the master key (KEK), in the key store.
 * Unwrapped DEKs are cached in memory (as KeyObjects: node then hands OpenSSL the key without copying and checking
 * raw bytes on every cipher), so the hot path costs one AES-GCM operation.
 *
 * Sealed format: 1 byte format (2) | 1 byte id length | DEK id | 12 bytes IV | 16 bytes tag | ciphertext.
 * The AAD is the caller's context (e.g. `message:<company>:<message>`) plus the DEK id, so a ciphertext moved to
 * another row, vault or key fails to open instead of yielding wrong bytes.
 */
export class VaultCrypto {
  readonly #deks = new Map<string, KeyObject>();
  readonly #current = new Map<string, string>();
  readonly #creating = new Map<string, Promise<string>>();
  #keyring: Keyring;

  constructor(private readonly keys: KeyStore, keyring: Keyring, private readonly clock: Clock, private readonly environment: Environment) {
    this.#keyring = keyring;
  }

  get keyring(): Keyring {
    return this.#keyring;
  }

  /** Switches to another keyring (after a master key was added or pruned). */
  useKeyring(k: Keyring): void {
    this.#keyring = k;
  }

  async seal(ownerId: string, plaintext: Uint8Array, aad: string): Promise<Buffer> {
    const dekId = this.#current.get(ownerId) ?? (await this.#currentDek(ownerId));
    const key = this.#deks.get(dekId) ?? (await this.#dek(dekId));
    const iv = randomNonSecretBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from(`${aad}|${dekId}`, 'utf8'));
    const ct = c.update(plaintext);
    const tail = c.final();
    // [FORMAT, id length, id (latin1), iv (12), tag (16), ciphertext], written into one buffer: every byte is set
    // below: one allocation instead of four, and one copy of the body fewer (docs/performance.md).
    const at = 2 + dekId.length;
    const out = Buffer.allocUnsafe(at + 28 + ct.length + tail.length);
    out[0] = FORMAT;
    out[1] = dekId.length;
    out.write(dekId, 2, 'latin1');
    out.set(iv, at);
    out.set(c.getAuthTag(), at + 12);
    out.set(ct, at + 28);
    out.set(tail, at + 28 + ct.length);
    return out;
  }

  /**
   * Opens a sealed value. With `ownerId`, a ciphertext naming another owner's key, or a key its owner never had,
   * is DATA_INTEGRITY_ERROR (tampering); a key of an owner whose keys were all destroyed is DATA_KEY_DESTROYED.
   */
  async open(sealed: Uint8Array, aad: string, ownerId?: string): Promise<Buffer> {
    const s = parseSealed(sealed, aad, ownerId);
    const key = this.#deks.get(s.dekId) ?? (await this.#dek(s.dekId, ownerId));
    return decrypt(s, key, aad);
  }

  /**
   * Opens many sealed values of one owner, in order, with the errors of `open` (the first failure rejects):
   * `sealedOf(v)` is a value's sealed bytes, `aadOf(v)` its AAD (as `open`'s `aad`); no intermediate object per value.
   * Each data key is looked up (and unwrapped) at most once; values whose key is cached are opened without
   * awaiting anything, so an export pays one AES-GCM operation per message and one promise per batch.
   */
  async openMany<T>(values: readonly T[], ownerId: string, sealedOf: (v: T) => Uint8Array, aadOf: (v: T) => string): Promise<Buffer[]> {
    const out = new Array<Buffer>(values.length);
    // Consecutive values are nearly always sealed under one key: its id is decoded and checked once per run of them.
    let last: Sealed | undefined;
    let key: KeyObject | undefined;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const aad = aadOf(v);
      const s = last !== undefined ? sameKeyAs(last, sealedOf(v)) : undefined;
      if (s === undefined) {
        last = parseSealed(sealedOf(v), aad, ownerId);
        key = this.#deks.get(last.dekId) ?? (await this.#dek(last.dekId, ownerId));
        out[i] = decrypt(last, key, aad);
      } else {
        out[i] = decrypt(s, key!, aad);
      }
    }
    return out;
  }

  /** Starts a new data key for an owner: new data uses it; data sealed under older keys stays readable. */
  async rotateOwner(ownerId: string): Promise<DataKeyRecord> {
    const rec = await this.#createDek(ownerId);
    this.#current.set(ownerId, rec.id);
    return rec;
  }

  /**
   * Re-wraps every data key not wrapped by the current master key, in batches; safe to interrupt and run again
   * (each key is re-wrapped at most once, compare-and-set on its old wrapping).
   */
  async rewrapAll(options: { batch?: number; onBatch?: (done: number) => void } = {}): Promise<{ rewrapped: number }> {
    const kek = this.#keyring.current;
    let rewrapped = 0;
    for (;;) {
      const batch = await this.keys.listDataKeysNotWrappedBy(kek.id, options.batch ?? 500);
      if (batch.length === 0) return { rewrapped };
      for (const k of batch) {
        const aad = dekAad(k.id, k.ownerId);
        const dek = this.#keyring.unwrap(k.wrapped, k.kekId, aad);
        if (await this.keys.rewrapDataKey(k.id, k.kekId, kek.id, this.#keyring.wrap(dek, aad))) rewrapped++;
      }
      options.onBatch?.(rewrapped);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** How many data keys each master key wraps. */
  countByMasterKey(): Promise<Record<string, number>> {
    return this.keys.countDataKeysByKek();
  }

  /** Destroys every data key of an owner: what they sealed is unreadable from then on, everywhere. */
  async destroyOwner(ownerId: string): Promise<number> {
    const n = await this.keys.destroyDataKeys(ownerId);
    this.forgetOwner(ownerId);
    return n;
  }

  /** Drops cached keys of an owner (another process destroyed or rotated them). */
  forgetOwner(ownerId: string): void {
    this.#current.delete(ownerId);
    for (const [id] of this.#deks) if (id.startsWith(`${ownerId}:`)) this.#deks.delete(id);
  }

  async #currentDek(ownerId: string): Promise<string> {
    const pending = this.#creating.get(ownerId);
    if (pending) return pending;
    const p = (async () => {
      const rec = (await this.keys.currentDataKey(ownerId)) ?? (await this.#createDek(ownerId));
      this.#current.set(ownerId, rec.id);
      return rec.id;
    })();
    this.#creating.set(ownerId, p);
    try {
      return await p;
    } finally {
      this.#creating.delete(ownerId);
    }
  }

  async #createDek(ownerId: string): Promise<DataKeyRecord> {
    // The DEK id starts with its owner, so the cache can forget an owner's keys without a lookup.
    const id = `${ownerId}:${newId('dataKey', this.environment)}`;
    const dek = randomBytes(32);
    const rec: DataKeyRecord = {
      id, ownerId, kekId: this.#keyring.current.id,
      wrapped: this.#keyring.wrap(dek, dekAad(id, ownerId)), createdAt: new Date(this.clock.now()).toISOString(),
    };
    await this.keys.createDataKey(rec);
    this.#deks.set(id, createSecretKey(dek));
    return rec;
  }

  async #dek(dekId: string, ownerId?: string): Promise<KeyObject> {
    const rec = await this.keys.getDataKey(dekId);
    if (!rec) {
      // An owner that still has keys never had this one: the id was altered, not destroyed.
      if (ownerId !== undefined && (await this.keys.currentDataKey(ownerId))) {
        throw new VaultgateError('DATA_INTEGRITY_ERROR', { logReason: `ciphertext for ${dekId} names a key its owner never had` });
      }
      throw new VaultgateError('DATA_KEY_DESTROYED', { logReason: `data key ${dekId} is not in the key store` });
    }
    const dek = createSecretKey(this.#keyring.unwrap(rec.wrapped, rec.kekId, dekAad(rec.id, rec.ownerId)));
    this.#deks.set(dekId, dek);
    return dek;
  }
}

const dekAad = (id: string, ownerId: string): string => `dek:${id}:${ownerId}`;

interface Sealed {
  buf: Buffer;
  dekId: string;
  /** Where the IV starts (the tag and the ciphertext follow). */
  at: number;
}

/** Reads the sealed format's header; DATA_INTEGRITY_ERROR when it is not the format or names another owner's key. */
function parseSealed(sealed: Uint8Array, aad: string, ownerId: string | undefined): Sealed {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const idLength = buf[1] ?? 0;
  if (buf[0] !== FORMAT || buf.length < 2 + idLength + 28) {
    throw new VaultgateError('DATA_INTEGRITY_ERROR', { logReason: `ciphertext for ${aad} is not in a known format` });
  }
  const dekId = buf.toString('latin1', 2, 2 + idLength);
  if (ownerId !== undefined && !dekId.startsWith(`${ownerId}:`)) {
    throw new VaultgateError('DATA_INTEGRITY_ERROR', { logReason: `ciphertext for ${aad} names a key of another owner` });
  }
  return { buf, dekId, at: 2 + idLength };
}

/**
 * `sealed` parsed, when its key id is the bytes of `prev`'s (already checked against the owner); else undefined
 * (parse it in full). Saves decoding and checking the same id for every message of a page.
 */
function sameKeyAs(prev: Sealed, sealed: Uint8Array): Sealed | undefined {
  const at = prev.at;
  if (sealed[0] !== FORMAT || sealed[1] !== at - 2 || sealed.length < at + 28) return undefined;
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  return buf.compare(prev.buf, 2, at, 2, at) === 0 ? { buf, dekId: prev.dekId, at } : undefined;
}

/** AES-256-GCM open of a parsed sealed value (AAD: the caller's context plus the DEK id). */
function decrypt({ buf, dekId, at }: Sealed, key: KeyObject, aad: string): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', key, buf.subarray(at, at + 12));
    d.setAAD(Buffer.from(`${aad}|${dekId}`, 'utf8'));
    d.setAuthTag(buf.subarray(at + 12, at + 28));
    const plain = d.update(buf.subarray(at + 28));
    // GCM has no padding: final() only checks the tag (it throws on a mismatch) and returns no bytes.
    const tail = d.final();
    return tail.length === 0 ? plain : Buffer.concat([plain, tail]);
  } catch (cause) {
    throw new VaultgateError('DATA_INTEGRITY_ERROR', { logReason: `ciphertext for ${aad} failed authentication`, cause });
  }
}
