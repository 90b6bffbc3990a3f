import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { VaultgateError } from '../../../protocol/index.js';

/*
 * Passwords (issue 14): the policy of NIST SP 800-63B §3.1.1.2 as OWASP's Authentication Cheat Sheet applies it —
 * at least 12 characters (at most 256), no composition rules, refused when it is a known common or breached one —
 * and storage as argon2id at OWASP's Password Storage Cheat Sheet parameters (m = 19 MiB, t = 2, p = 1).
 *
 * The breached list is @zxcvbn-ts/language-common's `passwords-common` (about 49,000 passwords from public breach
 * corpora, ranked), shipped with the package: no network. A password is refused when it, lower-cased, is on the list,
 * or is one entry repeated or followed only by digits (`password2024!` style variants are the next most guessed).
 */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** argon2id at OWASP's minimum (RFC 9106 §4 names argon2id; OWASP: m=19456 KiB, t=2, p=1). */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const COMMON = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

/** Whether a password is a common or breached one (or such a one with digits or symbols appended, or repeated). */
export function isCommonPassword(password: string): boolean {
  const p = password.normalize('NFKC').toLowerCase();
  if (COMMON.has(p)) return true;
  const stem = p.replace(/[\d\W_]+$/u, '');
  if (stem.length >= 4 && COMMON.has(stem)) return true;
  // One short piece repeated: "abcabcabcabc", "aaaaaaaaaaaa".
  return /^(.{1,6})\1+$/u.test(p);
}

/** Checks a new password against the policy; PASSWORD_TOO_SHORT or PASSWORD_TOO_COMMON. Length in code points. */
export function checkPasswordPolicy(password: string): void {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_LENGTH) throw new VaultgateError('PASSWORD_TOO_SHORT', { detail: `It has ${length} characters.` });
  if (length > PASSWORD_MAX_LENGTH) throw new VaultgateError('INVALID_REQUEST', { detail: `A password may have at most ${PASSWORD_MAX_LENGTH} characters.` });
  if (isCommonPassword(password)) throw new VaultgateError('PASSWORD_TOO_COMMON');
}

/** The argon2id PHC string of a password (NFC-normalised, so the same password typed on any system matches). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password.normalize('NFC'), ARGON2_OPTIONS);
}

/** A hash of a random password, verified against when the email is unknown so that the answer takes as long. */
let decoy: Promise<string> | undefined;

/** Whether `password` matches `hash`; with no hash (unknown user), spends the same work and answers false. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  const h = hash ?? (await (decoy ??= hashPassword(`decoy ${Math.random()} ${Date.now()}`)));
  try {
    const ok = await argon2.verify(h, password.normalize('NFC'));
    return hash !== null && ok;
  } catch {
    return false;
  }
}
