import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentDigestHeader } from './content-digest.js';
import { VaultgateError } from './errors.js';
import { checkSignaturePolicy, readSignatureInput, signHttpRequest, verifyHttpSignature } from './http-signature.js';

/* RFC 9421 Appendix B: the test keys (B.1) and signed messages (B.2), through our verifier. */
const SHARED_SECRET = Buffer.from('uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==', 'base64');
const ED25519_PUBLIC = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n';
const ED25519_PRIVATE = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n';
const P256_PUBLIC = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf\nw0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n-----END PUBLIC KEY-----\n';

// B.2: the test request (POST /foo?param=Value&Pet=dog on example.com) and the test response.
const requestHeaders = {
  host: 'example.com',
  date: 'Tue, 20 Apr 2021 02:07:55 GMT',
  'content-type': 'application/json',
  'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
  'content-length': '18',
};
const testRequest = (signatureInput: string, signature: string) => ({
  method: 'POST', url: 'http://example.com/foo?param=Value&Pet=dog',
  headers: { ...requestHeaders, 'signature-input': signatureInput, signature },
});

describe('RFC 9421 Appendix B vectors', () => {
  it('B.2.5 hmac-sha256 with test-shared-secret verifies, and fails once a covered header changes', async () => {
    const input = 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"';
    const sig = 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:';
    expect(await verifyHttpSignature(testRequest(input, sig), 'hmac-sha256', SHARED_SECRET)).toBe(true);
    const tampered = testRequest(input, sig);
    tampered.headers['content-type'] = 'text/plain';
    expect(await verifyHttpSignature(tampered, 'hmac-sha256', SHARED_SECRET)).toBe(false);
  });

  it('B.2.6 ed25519 with test-key-ed25519 verifies (PEM and JWK), and fails with another key', async () => {
    const input = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
    const sig = 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:';
    expect(await verifyHttpSignature(testRequest(input, sig), 'ed25519', ED25519_PUBLIC)).toBe(true);
    expect(await verifyHttpSignature(testRequest(input, sig), 'ed25519', { kty: 'OKP', crv: 'Ed25519', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' })).toBe(true);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(await verifyHttpSignature(testRequest(input, sig), 'ed25519', other)).toBe(false);
  });

  it('B.2.4 ecdsa-p256-sha256 response signature with test-key-ecc-p256 verifies', async () => {
    const response = {
      status: 200,
      headers: {
        date: 'Tue, 20 Apr 2021 02:07:56 GMT', 'content-type': 'application/json', 'content-length': '23',
        'content-digest': 'sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
        'signature-input': 'sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
        signature: 'sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:',
      },
    };
    expect(await verifyHttpSignature(response, 'ecdsa-p256-sha256', P256_PUBLIC, testRequest('', ''))).toBe(true);
    expect(await verifyHttpSignature({ ...response, status: 201 }, 'ecdsa-p256-sha256', P256_PUBLIC, testRequest('', ''))).toBe(false);
  });

  it('B.1 test keys sign what our policy demands, and verify round trip', async () => {
    const body = Buffer.from('{"hello": "world"}');
    const url = 'https://example.com/ingestion/ch_test_x?messageType=order';
    const headers = { 'content-type': 'application/json', 'content-digest': contentDigestHeader(body) };
    const keys = [
      { algorithm: 'ed25519' as const, sign: ED25519_PRIVATE, verify: ED25519_PUBLIC },
      { algorithm: 'hmac-sha256' as const, sign: SHARED_SECRET, verify: SHARED_SECRET },
      (() => {
        const p = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        return { algorithm: 'ecdsa-p256-sha256' as const, sign: p.privateKey.export({ format: 'jwk' }) as Record<string, unknown>, verify: p.publicKey.export({ format: 'jwk' }) as Record<string, unknown> };
      })(),
    ];
    for (const k of keys) {
      const sig = await signHttpRequest({ method: 'POST', url, headers }, { keyId: 'hsk_test_1', algorithm: k.algorithm, key: k.sign }, { nonce: 'n-1', createdS: 1_700_000_000 });
      const all = { ...headers, ...sig };
      const input = readSignatureInput(all);
      expect(input).toMatchObject({ components: ['@method', '@target-uri', 'content-digest', 'content-type'], created: 1_700_000_000, nonce: 'n-1', keyid: 'hsk_test_1', alg: k.algorithm });
      expect(() => checkSignaturePolicy(input, 1_700_000_010_000, 300)).not.toThrow();
      expect(await verifyHttpSignature({ method: 'POST', url, headers: all }, k.algorithm, k.verify), k.algorithm).toBe(true);
      expect(await verifyHttpSignature({ method: 'POST', url: url.replace('order', 'other'), headers: all }, k.algorithm, k.verify)).toBe(false);
    }
  });
});

const code = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
    return undefined;
  } catch (e) {
    return e instanceof VaultgateError ? `${e.code}${e.extra?.missing ? `:${String(e.extra.missing)}` : ''}` : String(e);
  }
};

describe('signature policy', () => {
  const base = { label: 'sig1', components: ['@method', '@target-uri', 'content-digest', 'content-type'], created: 1000, expires: undefined, nonce: 'abc', keyid: 'k', alg: undefined };
  it('names the missing component or parameter', async () => {
    expect(await code(() => checkSignaturePolicy({ ...base, components: ['@method', '@target-uri', 'content-type'] }, 1_000_000, 300))).toBe('SIGNATURE_COMPONENT_MISSING:content-digest');
    expect(await code(() => checkSignaturePolicy({ ...base, nonce: undefined }, 1_000_000, 300))).toBe('SIGNATURE_COMPONENT_MISSING:nonce');
  });
  it('refuses a created outside the window either way, and an expired signature', async () => {
    expect(await code(() => checkSignaturePolicy(base, 1_301_000, 300))).toBe('SIGNATURE_CREATED_OUT_OF_WINDOW');
    expect(await code(() => checkSignaturePolicy({ ...base, created: 1400 }, 1_000_000, 300))).toBe('SIGNATURE_CREATED_OUT_OF_WINDOW');
    expect(await code(() => checkSignaturePolicy({ ...base, expires: 999 }, 1_000_000, 300))).toBe('SIGNATURE_CREATED_OUT_OF_WINDOW');
  });
  it('refuses malformed or several signatures', async () => {
    expect(await code(() => readSignatureInput({ 'signature-input': 'sig1=("@method");created=1' }))).toBe('SIGNATURE_INVALID');
    expect(await code(() => readSignatureInput({ 'signature-input': 'sig1=(', signature: 'sig1=:AA==:' }))).toBe('SIGNATURE_INVALID');
    expect(await code(() => readSignatureInput({ 'signature-input': 'a=();created=1, b=();created=1', signature: 'a=:AA==:, b=:AA==:' }))).toBe('SIGNATURE_INVALID');
    expect(await code(() => readSignatureInput({ 'signature-input': 'a=();created=1', signature: 'b=:AA==:' }))).toBe('SIGNATURE_INVALID');
    expect(await code(() => readSignatureInput({ 'signature-input': 'a=();created="x"', signature: 'a=:AA==:' }))).toBe('SIGNATURE_INVALID');
  });
});
