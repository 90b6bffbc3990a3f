import { randomBytes } from 'node:crypto';
import { randomNonSecretBytes } from './random.js';

/** The environments a deployment can be. Every id it issues carries its environment. */
export const ENVIRONMENTS = ['live', 'uat', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** One prefix table for every id the platform issues. */
export const ID_PREFIXES = {
  company: 'co',
  party: 'tp',
  partnerCredential: 'pid',
  customerCredential: 'cid',
  channel: 'ch',
  message: 'msg',
  dataKey: 'dek',
  oauthClient: 'oc',
  externalClientLink: 'xcl',
  signingKey: 'sk',
  request: 'req',
  auditEvent: 'ae',
  auditKey: 'ak',
  user: 'usr',
  registration: 'reg',
  apiToken: 'pat',
  channelRequest: 'chr',
  invitation: 'inv',
  passwordReset: 'pwr',
  grant: 'grt',
  grantEvent: 'gev',
  webhookEndpoint: 'ep',
  webhookDelivery: 'whd',
  signatureKey: 'hsk',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lowercase

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A new id: `<prefix>_<environment>_<26 base32 chars>`. The random part starts with the time in milliseconds so
 * ids sort roughly by creation, followed by 80 random bits.
 *
 * @example
 * newId('channel', 'test'); // 'ch_test_01jd3…'
 */
export function newId(kind: IdKind, environment: Environment, nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  let t = nowMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(randomNonSecretBytes(10), 6);
  return `${ID_PREFIXES[kind]}_${environment}_${base32(bytes).slice(0, 26)}`;
}

export type ParsedId =
  | { ok: true; kind: IdKind; environment: Environment }
  | { ok: false; reason: 'malformed' }
  | { ok: false; reason: 'wrong-kind'; environment: Environment }
  | { ok: false; reason: 'other-environment'; environment: Environment };

const ID_SHAPE = /^([a-z]+)_(live|uat|test)_([0-9a-z]{1,64})$/;

/**
 * Parses an id of an expected kind and tells whether it belongs to `environment`.
 *
 * @example
 * parseId('ch_live_01abc', 'channel', 'test'); // { ok: false, reason: 'other-environment', environment: 'live' }
 */
export function parseId(id: string, kind: IdKind, environment: Environment): ParsedId {
  const m = ID_SHAPE.exec(id);
  if (!m) return { ok: false, reason: 'malformed' };
  const env = m[2] as Environment;
  if (m[1] !== ID_PREFIXES[kind]) return { ok: false, reason: 'wrong-kind', environment: env };
  if (env !== environment) return { ok: false, reason: 'other-environment', environment: env };
  return { ok: true, kind, environment: env };
}

/**
 * A new secret key: 32 random bytes as 64 uppercase hex characters (ISO-8859-1-safe, as MAC keys must be).
 *
 * @example
 * newSecretKey(); // '9F2C…' (64 chars)
 */
export function newSecretKey(): string {
  return randomBytes(32).toString('hex').toUpperCase();
}
