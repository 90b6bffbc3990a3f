import { importJWK, importX509, type CryptoKey, type JWK } from 'jose';

/*
 * Importing a public JWK that someone else published (an issuer's JWKS, a client's registered key). Such keys come
 * in every shape: RSA with n/e, EC with x/y, only an X.509 chain in x5c (AD FS, some Entra and Keycloak setups), or
 * malformed. Whatever the shape, the outcome is a key or a KeyUnusableError naming why: never an exception that the
 * caller would have to tell apart from its own faults (a key the issuer publishes badly is not our 500).
 */

/** The key cannot be used to verify `alg`; `message` says why (for the log: it names no secret). */
export class KeyUnusableError extends Error {
  override readonly name = 'KeyUnusableError';
}

/** The JWK members that carry the public key itself, per kty (RFC 7518 §6). */
const KEY_MEMBERS: Record<string, readonly string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };

/** The kty a CryptoKey's WebCrypto algorithm corresponds to. */
function ktyOf(key: CryptoKey): string | undefined {
  const name = key.algorithm.name;
  if (name === 'RSASSA-PKCS1-v1_5' || name === 'RSA-PSS') return 'RSA';
  if (name === 'ECDSA') return 'EC';
  if (name === 'Ed25519' || name === 'Ed448' || name === 'EdDSA') return 'OKP';
  return undefined;
}

/** jose refuses RSA keys under 2048 bits only when verifying: refuse them here, as unusable keys. */
function usable(key: CryptoKey, alg: string): CryptoKey {
  const bits = (key.algorithm as { modulusLength?: number }).modulusLength;
  if (bits !== undefined && bits < 2048) throw new KeyUnusableError(`${alg} needs an RSA modulus of at least 2048 bits, not ${bits}`);
  return key;
}

/** The first certificate of an x5c chain (RFC 7517 §4.7: base64, not base64url, DER) as PEM. */
function firstCertificatePem(x5c: unknown): string | undefined {
  if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') return undefined;
  const b64 = x5c[0].replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The verification key of a public JWK for `alg`: from its key members when it has them, else from the first
 * certificate of its x5c chain (whose key type must agree with kty and alg). Throws KeyUnusableError otherwise:
 * unsupported kty or crv, malformed members, garbage or mismatching certificates, private key members.
 */
export async function importPublicJwk(jwk: JWK, alg: string): Promise<CryptoKey> {
  if (typeof jwk !== 'object' || jwk === null) throw new KeyUnusableError('not a JWK object');
  const kty = typeof jwk.kty === 'string' ? jwk.kty : undefined;
  const members = kty === undefined ? undefined : KEY_MEMBERS[kty];
  if (!members) throw new KeyUnusableError(`unsupported kty ${String(jwk.kty).slice(0, 20)}`);
  if (jwk.d !== undefined) throw new KeyUnusableError('the JWK carries private key members');
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new KeyUnusableError(`the key is for ${String(jwk.alg).slice(0, 20)}, not ${alg}`);
  const problems: string[] = [];
  if (members.every((m) => (jwk as Record<string, unknown>)[m] !== undefined)) {
    try {
      return usable((await importJWK(jwk, alg)) as CryptoKey, alg);
    } catch (err) {
      problems.push(`key members: ${(err as Error).message}`);
    }
  } else {
    problems.push(`no ${members.join('/')}`);
  }
  const pem = firstCertificatePem(jwk.x5c);
  if (pem === undefined) {
    if (jwk.x5c !== undefined) problems.push('x5c is not a chain of base64 certificates');
    throw new KeyUnusableError(problems.join('; '));
  }
  let key: CryptoKey;
  try {
    key = (await importX509(pem, alg)) as CryptoKey;
  } catch (err) {
    problems.push(`x5c[0]: ${(err as Error).message}`);
    throw new KeyUnusableError(problems.join('; '));
  }
  if (ktyOf(key) !== kty) throw new KeyUnusableError(`x5c[0] holds a ${ktyOf(key) ?? key.algorithm.name} key, the JWK says kty ${kty}`);
  return usable(key, alg);
}
