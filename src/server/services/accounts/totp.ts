import { Secret, TOTP } from 'otpauth';
import { VaultgateError } from '../../../protocol/index.js';

/*
 * TOTP second factor (RFC 6238 with RFC 4226 HOTP; SHA-1, 6 digits, 30 s steps: what every authenticator app
 * reads from an otpauth:// URI), via the otpauth package. A code is accepted within one step either side of the
 * server's clock (RFC 6238 §5.2 recommends at most one step of network delay), and each step's code only once: the
 * store keeps the newest step used and refuses any step not newer (RFC 6238 §5.2: "the verifier MUST NOT accept the
 * second attempt of the OTP after the successful validation has been issued for the first OTP").
 */

export const TOTP_PERIOD_S = 30;
const WINDOW = 1;

/** A new random 160-bit secret (RFC 4226 §4 R6 recommends 160 bits), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

/** The otpauth:// URI an authenticator app enrols from (Key Uri Format). */
export function totpUri(secretBase32: string, label: string, issuer: string): string {
  return totp(secretBase32, label, issuer).toString();
}

/** The time step a code belongs to, or null when it matches none within the window. `nowMs` from the Clock. */
export function totpStep(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32, 'x', 'x').validate({ token: code, timestamp: nowMs, window: WINDOW });
  return delta === null ? null : Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
}

/** TOTP_INVALID's detail for a code that is not 6 digits (so a person who typed 5 or pasted spaces is told), else undefined. */
export function totpFormatDetail(code: string): string | undefined {
  return /^\d{6}$/.test(code) ? undefined : 'A code is 6 digits (0-9), as the authenticator app shows it, without spaces.';
}

/** TOTP_INVALID for a refused code, saying so when it is not even 6 digits. */
export function totpInvalid(code: string): VaultgateError {
  const detail = totpFormatDetail(code);
  return new VaultgateError('TOTP_INVALID', detail ? { detail } : {});
}

/** The code of the step at `nowMs` (tests and the CLI's own checks). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return totp(secretBase32, 'x', 'x').generate({ timestamp: nowMs });
}
