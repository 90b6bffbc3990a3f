import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { VaultgateError } from '../../protocol/index.js';

/**
 * AES-256-GCM sealing of everything kept at rest that must not be readable from a database dump: message bodies,
 * partner and customer keys. The additional authenticated data binds each ciphertext to where it belongs (e.g.
 * company and message id), so a row moved elsewhere fails to open instead of yielding wrong bytes.
 *
 * Format: 1 byte key version | 12 bytes IV | 16 bytes tag | ciphertext.
 */
export class SecretBox {
  private readonly keys: Map<number, Buffer>;

  constructor(keys: Map<number, Buffer>, readonly currentVersion: number) {
    for (const k of keys.values()) if (k.length !== 32) throw new Error('master key must be 32 bytes');
    if (!keys.has(currentVersion)) throw new Error(`no key of version ${currentVersion}`);
    this.keys = keys;
  }

  seal(plaintext: Uint8Array, aad: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentVersion)!, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([this.currentVersion]), iv, cipher.getAuthTag(), ct]);
  }

  /** Throws TECHNICAL_ERROR (cause in the log) when the ciphertext was altered, moved, or its key is gone. */
  open(sealed: Uint8Array, aad: string): Buffer {
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const key = this.keys.get(buf[0] ?? -1);
    if (!key || buf.length < 29) {
      throw new VaultgateError('TECHNICAL_ERROR', { logReason: `ciphertext for ${aad} has no usable key` });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 13));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(buf.subarray(13, 29));
      return Buffer.concat([decipher.update(buf.subarray(29)), decipher.final()]);
    } catch (cause) {
      throw new VaultgateError('TECHNICAL_ERROR', { logReason: `ciphertext for ${aad} failed authentication`, cause });
    }
  }
}

/**
 * Reads the master key file (base64 of 32 bytes), creating it with mode 0600 on first start.
 * Returns whether it was created.
 */
export function loadOrCreateMasterKey(file: string): { key: Buffer; created: boolean } {
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a base64 32-byte key`);
    return { key, created: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, created: true };
}
