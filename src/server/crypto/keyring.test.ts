import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultgateError } from '../../protocol/index.js';
import { addFileMasterKey, Keyring, kekIdOf, loadKeyring, parseMasterKey, pruneFileMasterKeys } from './keyring.js';

const b64 = (n = 32): string => randomBytes(n).toString('base64');
const modeOf = (file: string): number => statSync(file).mode & 0o777;
const fileKeys = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);

function coded(fn: () => unknown): VaultgateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VaultgateError);
    return err as VaultgateError;
  }
  throw new Error('expected a VaultgateError');
}

describe('parseMasterKey', () => {
  it('accepts base64 of exactly 32 bytes (with or without surrounding space) and names it by a fingerprint', () => {
    const text = b64();
    const k = parseMasterKey(`  ${text}\n`, 'X');
    expect(k.key.equals(Buffer.from(text, 'base64'))).toBe(true);
    expect(k.id).toMatch(/^kek_[0-9a-f]{16}$/);
    expect(k.id).toBe(kekIdOf(k.key));
    expect(parseMasterKey(text, 'Y').id).toBe(k.id);
    expect(k.id).not.toContain(text);
    expect(parseMasterKey(b64(), 'X').id).not.toBe(k.id);
  });

  it.each([
    ['too short (16 bytes)', b64(16)],
    ['too long (33 bytes)', b64(33)],
    ['64 bytes', b64(64)],
    ['not base64', '!'.repeat(44)],
    ['base64url alphabet', randomBytes(32).toString('base64url').replace(/^./, '-')],
    ['empty', ''],
    ['hex of 32 bytes', randomBytes(32).toString('hex')],
    ['32 bytes with an inner space', `${b64().slice(0, 20)} ${b64().slice(20)}`],
  ])('refuses %s, naming where it came from', (_label, text) => {
    expect(() => parseMasterKey(text, 'VAULTGATE_MASTER_KEY')).toThrow(/^VAULTGATE_MASTER_KEY: a master key is base64 of exactly 32 bytes/);
  });
});

describe('loadKeyring', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vg-keyring-'));
    file = join(dir, 'sub', 'master.key');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a first key into the file, mode 0600, and reads the same key on the next start', () => {
    const first = loadKeyring({ file });
    expect(first.created).toBe(true);
    expect(first.keyring.file).toBe(file);
    expect(first.keyring.previous).toEqual([]);
    expect(modeOf(file)).toBe(0o600);
    expect(fileKeys(file)).toEqual([first.keyring.current.key.toString('base64')]);
    expect(existsSync(`${file}.tmp`)).toBe(false);

    const again = loadKeyring({ file });
    expect(again.created).toBe(false);
    expect(again.keyring.current.id).toBe(first.keyring.current.id);
    expect(again.keyring.current.key.equals(first.keyring.current.key)).toBe(true);
  });

  it('takes the key from configuration when given, and never touches the file', () => {
    const current = b64();
    const old = b64();
    const { keyring, created } = loadKeyring({ masterKey: current, previousMasterKeys: [old], file });
    expect(created).toBe(false);
    expect(keyring.file).toBeUndefined();
    expect(keyring.current.id).toBe(parseMasterKey(current, 'x').id);
    expect(keyring.previous.map((k) => k.id)).toEqual([parseMasterKey(old, 'x').id]);
    expect(keyring.has(parseMasterKey(old, 'x').id)).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('names a bad configured key by its variable, a bad previous one by its position', () => {
    expect(() => loadKeyring({ masterKey: 'short', file })).toThrow(/^VAULTGATE_MASTER_KEY: /);
    expect(() => loadKeyring({ masterKey: b64(), previousMasterKeys: [b64(), b64(31)], file })).toThrow(/^VAULTGATE_MASTER_KEY_PREVIOUS\[1\]: /);
  });

  it('reads a key file with several keys (current first), and refuses an empty or corrupt one by line', () => {
    const a = b64();
    const b = b64();
    writeFileSync(join(dir, 'two.key'), `${a}\n\n  ${b}  \n`);
    const { keyring } = loadKeyring({ file: join(dir, 'two.key') });
    expect(keyring.current.id).toBe(parseMasterKey(a, 'x').id);
    expect(keyring.previous.map((k) => k.id)).toEqual([parseMasterKey(b, 'x').id]);

    writeFileSync(join(dir, 'empty.key'), '\n\n');
    expect(() => loadKeyring({ file: join(dir, 'empty.key') })).toThrow(/holds no master key/);
    writeFileSync(join(dir, 'bad.key'), `${a}\nnot-a-key\n`);
    expect(() => loadKeyring({ file: join(dir, 'bad.key') })).toThrow(/bad\.key line 2: a master key is base64/);
  });
});

describe('adding and pruning file master keys', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vg-keyring-'));
    file = join(dir, 'master.key');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a new current key before the old one, then prunes the old one, the file staying 0600', () => {
    const first = loadKeyring({ file }).keyring;
    const wrapped = first.wrap(Buffer.alloc(32, 7), 'dek:a:b');

    const added = addFileMasterKey(first);
    expect(added.current.id).not.toBe(first.current.id);
    expect(added.previous.map((k) => k.id)).toEqual([first.current.id]);
    expect(added.file).toBe(file);
    expect(fileKeys(file)).toEqual([added.current.key.toString('base64'), first.current.key.toString('base64')]);
    expect(modeOf(file)).toBe(0o600);
    // What the old key wrapped still unwraps; what is wrapped now uses the new key.
    expect(added.unwrap(wrapped, first.current.id, 'dek:a:b').equals(Buffer.alloc(32, 7))).toBe(true);
    const rewrapped = added.wrap(Buffer.alloc(32, 7), 'dek:a:b');
    expect(coded(() => first.unwrap(rewrapped, added.current.id, 'dek:a:b')).code).toBe('TECHNICAL_ERROR');
    // A restart in the middle of a rotation reads both keys back from the file.
    const reloaded = loadKeyring({ file }).keyring;
    expect([reloaded.current.id, ...reloaded.previous.map((k) => k.id)]).toEqual([added.current.id, first.current.id]);

    const pruned = pruneFileMasterKeys(added);
    expect(pruned.current.id).toBe(added.current.id);
    expect(pruned.previous).toEqual([]);
    expect(fileKeys(file)).toEqual([added.current.key.toString('base64')]);
    expect(modeOf(file)).toBe(0o600);
    expect(pruned.unwrap(rewrapped, added.current.id, 'dek:a:b').equals(Buffer.alloc(32, 7))).toBe(true);
    const gone = coded(() => pruned.unwrap(wrapped, first.current.id, 'dek:a:b'));
    expect(gone.code).toBe('TECHNICAL_ERROR');
    expect(gone.logReason).toContain(first.current.id);
  });

  it('prune is a no-op without previous keys or without a file; add refuses a configured keyring', () => {
    const k = loadKeyring({ file }).keyring;
    expect(pruneFileMasterKeys(k)).toBe(k);
    const configured = loadKeyring({ masterKey: b64(), previousMasterKeys: [b64()], file: join(dir, 'unused.key') }).keyring;
    expect(pruneFileMasterKeys(configured)).toBe(configured);
    expect(() => addFileMasterKey(configured)).toThrow(/configuration/);
    expect(existsSync(join(dir, 'unused.key'))).toBe(false);
  });
});

describe('Keyring wrap and unwrap', () => {
  const kek = parseMasterKey(b64(), 'x');
  const other = parseMasterKey(b64(), 'x');
  const ring = new Keyring(kek, [], undefined);
  const dek = randomBytes(32);

  it('round-trips a data key, with a fresh IV each time, never holding it in clear', () => {
    const w1 = ring.wrap(dek, 'dek:k1:co');
    const w2 = ring.wrap(dek, 'dek:k1:co');
    expect(w1.equals(w2)).toBe(false);
    expect(w1.length).toBe(12 + 16 + 32);
    expect(w1.includes(dek)).toBe(false);
    expect(ring.unwrap(w1, kek.id, 'dek:k1:co').equals(dek)).toBe(true);
  });

  it('refuses a wrapping under another AAD, altered by one byte, or truncated: DATA_INTEGRITY_ERROR', () => {
    const w = ring.wrap(dek, 'dek:k1:co');
    expect(coded(() => ring.unwrap(w, kek.id, 'dek:k2:co')).code).toBe('DATA_INTEGRITY_ERROR');
    const altered = Buffer.from(w);
    altered[20]! ^= 0x80;
    expect(coded(() => ring.unwrap(altered, kek.id, 'dek:k1:co')).code).toBe('DATA_INTEGRITY_ERROR');
    expect(coded(() => ring.unwrap(w.subarray(0, 20), kek.id, 'dek:k1:co')).code).toBe('DATA_INTEGRITY_ERROR');
  });

  it('refuses to unwrap under a master key it does not hold: a coded error naming the key id only in the log reason', () => {
    const w = ring.wrap(dek, 'dek:k1:co');
    const e = coded(() => ring.unwrap(w, other.id, 'dek:k1:co'));
    expect(e.code).toBe('TECHNICAL_ERROR');
    expect(e.detail).toBeUndefined();
    expect(e.logReason).toContain(other.id);
    expect(e.logReason).toContain('VAULTGATE_MASTER_KEY_PREVIOUS');
    // Holding the id but the wrong bytes (a different key claiming the id) is an integrity failure.
    const impostor = new Keyring({ id: kek.id, key: other.key }, [], undefined);
    expect(coded(() => impostor.unwrap(w, kek.id, 'dek:k1:co')).code).toBe('DATA_INTEGRITY_ERROR');
  });

  it('unwraps with a previous key too', () => {
    const w = new Keyring(other, [], undefined).wrap(dek, 'dek:k9:co');
    const rotating = new Keyring(kek, [other], undefined);
    expect(rotating.has(other.id)).toBe(true);
    expect(rotating.unwrap(w, other.id, 'dek:k9:co').equals(dek)).toBe(true);
  });
});
