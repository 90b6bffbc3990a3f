import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { VaultgateError } from '../../../protocol/index.js';
import { ARGON2_OPTIONS, checkPasswordPolicy, hashPassword, isCommonPassword, verifyPassword } from './password.js';

const code = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as VaultgateError).code;
  }
};

describe('password policy', () => {
  it("refuses fewer than 12 characters (code points), and common or breached passwords and their trivial variants", () => {
    expect(code(() => checkPasswordPolicy('short-pass1'))).toBe('PASSWORD_TOO_SHORT');
    expect(code(() => checkPasswordPolicy('ääääääääääää'.slice(0, 11)))).toBe('PASSWORD_TOO_SHORT');
    for (const p of ['123456789012', '1q2w3e4r5t6y', 'Qwerty123456', 'password1234!', 'abcabcabcabc', 'zzzzzzzzzzzzzz']) {
      expect(code(() => checkPasswordPolicy(p)), p).toBe('PASSWORD_TOO_COMMON');
    }
    expect(isCommonPassword('correct horse battery staple kääk')).toBe(false);
    expect(code(() => checkPasswordPolicy('correct horse battery staple kääk'))).toBeUndefined();
    expect(code(() => checkPasswordPolicy('x'.repeat(100) + 'y'.repeat(157)))).toBe('INVALID_REQUEST');
  });

  it('hashes with argon2id at OWASP parameters (m=19 MiB, t=2, p=1), NFC-normalised; verifies; a missing hash is false', async () => {
    expect(ARGON2_OPTIONS).toMatchObject({ type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const h = await hashPassword('Ångström-salasana');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await verifyPassword(h, 'A\u030angstro\u0308m-salasana')).toBe(true); // the same text, decomposed
    expect(await verifyPassword(h, 'Angstrom-salasana')).toBe(false);
    expect(await verifyPassword(null, 'Ångström-salasana')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});
