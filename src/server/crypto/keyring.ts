import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { VaultgateError } from '../../protocol/index.js';

/** A master key (KEK) and its fingerprint id. Only the id is ever stored or logged. */
export interface Kek {
  id: string;
  key: Buffer;
}

/** The fingerprint of a master key: not reversible, safe to store beside what it wrapped. */
export function kekIdOf(key: Buffer): string {
  return `kek_${createHash('sha256').update('vaultgate master key id\0').update(key).digest('hex').slice(0, 16)}`;
}

/** Parses a base64 master key, which must be 32 bytes. */
export function parseMasterKey(b64: string, where: string): Kek {
  const text = b64.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(text) || key.length !== 32) {
    throw new Error(`${where}: a master key is base64 of exactly 32 bytes (e.g. from \`openssl rand -base64 32\`)`);
  }
  return { id: kekIdOf(key), key };
}

/**
 * The master keys this process holds: the current one wraps new data keys; previous ones only unwrap, during a
 * rotation. Either from configuration (VAULTGATE_MASTER_KEY, VAULTGATE_MASTER_KEY_PREVIOUS) or from a key file in
 * the data directory (one base64 key per line, the current first).
 */
export class Keyring {
  readonly #all: Map<string, Kek>;

  constructor(readonly current: Kek, readonly previous: readonly Kek[], readonly file: string | undefined) {
    this.#all = new Map([current, ...previous].map((k) => [k.id, k]));
  }

  has(kekId: string): boolean {
    return this.#all.has(kekId);
  }

  /** Wraps a data key under the current master key: iv | tag | ciphertext. */
  wrap(dek: Buffer, aad: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.current.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(dek), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), ct]);
  }

  unwrap(wrapped: Uint8Array, kekId: string, aad: string): Buffer {
    const kek = this.#all.get(kekId);
    if (!kek) {
      throw new VaultgateError('TECHNICAL_ERROR', {
        logReason: `master key ${kekId} is not configured (set it in VAULTGATE_MASTER_KEY_PREVIOUS until rotate-master has run)`,
      });
    }
    const buf = Buffer.from(wrapped);
    try {
      const d = createDecipheriv('aes-256-gcm', kek.key, buf.subarray(0, 12));
      d.setAAD(Buffer.from(aad, 'utf8'));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]);
    } catch (cause) {
      throw new VaultgateError('DATA_INTEGRITY_ERROR', { logReason: `wrapped data key ${aad} failed authentication`, cause });
    }
  }
}

function writeKeyFile(file: string, keys: Kek[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, keys.map((k) => `${k.key.toString('base64')}\n`).join(''), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * The keyring from configuration, or else from `file`, generating a first key there on first start.
 */
export function loadKeyring(o: { masterKey?: string | undefined; previousMasterKeys?: string[] | undefined; file: string }): { keyring: Keyring; created: boolean } {
  if (o.masterKey !== undefined) {
    const previous = (o.previousMasterKeys ?? []).map((k, i) => parseMasterKey(k, `VAULTGATE_MASTER_KEY_PREVIOUS[${i}]`));
    return { keyring: new Keyring(parseMasterKey(o.masterKey, 'VAULTGATE_MASTER_KEY'), previous, undefined), created: false };
  }
  if (existsSync(o.file)) {
    const lines = readFileSync(o.file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const keys = lines.map((l, i) => parseMasterKey(l, `${o.file} line ${i + 1}`));
    if (keys.length === 0) throw new Error(`${o.file} holds no master key`);
    return { keyring: new Keyring(keys[0]!, keys.slice(1), o.file), created: false };
  }
  const key = randomBytes(32);
  const kek = { id: kekIdOf(key), key };
  writeKeyFile(o.file, [kek]);
  return { keyring: new Keyring(kek, [], o.file), created: true };
}

/** A key-file keyring with a newly generated current key; the old ones stay as previous until pruned. */
export function addFileMasterKey(k: Keyring): Keyring {
  if (!k.file) throw new Error('the master key comes from configuration, not from a file');
  const key = randomBytes(32);
  const next = new Keyring({ id: kekIdOf(key), key }, [k.current, ...k.previous], k.file);
  writeKeyFile(k.file, [next.current, ...next.previous]);
  return next;
}

/** Drops previous keys from a key-file keyring once nothing is wrapped by them any more. */
export function pruneFileMasterKeys(k: Keyring): Keyring {
  if (!k.file || k.previous.length === 0) return k;
  const next = new Keyring(k.current, [], k.file);
  writeKeyFile(k.file, [next.current]);
  return next;
}
