import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDigestHeader, ERROR_CATALOGUE, signHttpRequest, WANT_CONTENT_DIGEST, type ErrorCode, type HttpSignatureKey } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { fetchToken } from '../helpers/oauth.js';
import { expectRefusal, listVault, STATUS_MODES } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 17 §2 over real sockets, on both HTTP paths of POST /ingestion/{channelId}: Content-Digest (RFC 9530) checked
 * against the body as sent on every scheme, a channel requiring it, and HTTP Message Signatures (RFC 9421) as a third
 * scheme with keys registered per party. A refusal stores nothing and leaves the transaction id (or nonce) unused.
 */
const BODY = Buffer.from(JSON.stringify({ order: 'A-1', note: 'Hyvää päivää' }));

describe('body integrity on POST /ingestion/{channelId} (issue 17 §2)', () => {
  let s: TestServer;
  let t: Tenant;
  let other: Tenant;
  let token = '';
  let ed: HttpSignatureKey;
  let hmac: HttpSignatureKey;
  let ecdsa: HttpSignatureKey;
  let othersKey: HttpSignatureKey;

  const register = async (partyId: string, algorithm: HttpSignatureKey['algorithm']): Promise<HttpSignatureKey> => {
    if (algorithm === 'hmac-sha256') {
      const r = await s.admin('POST', `/parties/${partyId}/signature-keys`, { algorithm, label: 'erp' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      return { keyId: r.body.keyId, algorithm, key: Buffer.from(r.body.secret, 'base64url') };
    }
    const pair = algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // One as a PEM upload, one as a JWK upload.
    const publicKey = algorithm === 'ed25519' ? pair.publicKey.export({ format: 'pem', type: 'spki' }) : pair.publicKey.export({ format: 'jwk' });
    const r = await s.admin('POST', `/parties/${partyId}/signature-keys`, { algorithm, publicKey });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.secret).toBeUndefined();
    return { keyId: r.body.keyId, algorithm, key: pair.privateKey };
  };

  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
    other = await createTenant(s.admin, { businessId: '0112038-9' });
    const client = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    token = await fetchToken(s.url, client.clientId, client.clientSecret);
    ed = await register(t.partyId, 'ed25519');
    hmac = await register(t.partyId, 'hmac-sha256');
    ecdsa = await register(t.partyId, 'ecdsa-p256-sha256');
    othersKey = await register(other.partyId, 'ed25519');
  });
  afterAll(() => s.stop());

  const stored = async (): Promise<number> => (await listVault(s.url, t.reader)).length;
  const targets = (): [string, string][] => [
    ['lean node:http path', `/ingestion/${t.channelId}`],
    // A percent-encoded "_" leaves the lean path and reaches the Fastify route with the same channel.
    ['Fastify route', `/ingestion/${t.channelId.replace('_', '%5F')}`],
  ];

  interface Signed {
    target: string; key: HttpSignatureKey; body?: Buffer; signedBody?: Buffer; nonce?: string; createdS?: number;
    tamper?: (h: Record<string, string>) => void; headers?: Record<string, string>;
  }
  const sendSigned = async (o: Signed): Promise<RawResponse> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-digest': contentDigestHeader(o.signedBody ?? o.body ?? BODY), accept: 'application/json', ...o.headers };
    const sig = await signHttpRequest({ method: 'POST', url: s.url + o.target, headers }, o.key, {
      nonce: o.nonce ?? randomUUID(), createdS: o.createdS ?? Math.floor(Date.now() / 1000),
    });
    const all = { ...headers, ...sig };
    o.tamper?.(all);
    return rawRequest({ method: 'POST', url: s.url + o.target, headers: all, body: o.body ?? BODY });
  };
  const expectCode = (res: RawResponse, code: ErrorCode): any => {
    expect(res.status, res.text).toBe(ERROR_CATALOGUE[code].status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code, res.text).toBe(code);
    return res.json();
  };

  for (const [path, target] of [['lean node:http path', 'lean'], ['Fastify route', 'fastify']] as const) {
    const tgt = (): string => targets()[target === 'lean' ? 0 : 1]![1];

    describe(path, () => {
      it('stores a message signed with each registered algorithm, receipt hash over the body', async () => {
        for (const key of [ed, hmac, ecdsa]) {
          const before = await stored();
          const res = await sendSigned({ target: tgt(), key });
          expect(res.status, `${key.algorithm}: ${res.text}`).toBe(200);
          expect(res.json().messageId).toMatch(/^msg_test_/);
          expect(await stored()).toBe(before + 1);
        }
      });

      it('refuses a body changed in transit (CONTENT_DIGEST_MISMATCH), stores nothing, and the nonce stays usable', async () => {
        const before = await stored();
        const nonce = randomUUID();
        const changed = Buffer.from(BODY.toString().replace('A-1', 'A-2'));
        expectCode(await sendSigned({ target: tgt(), key: ed, nonce, body: changed, signedBody: BODY }), 'CONTENT_DIGEST_MISMATCH');
        expect(await stored()).toBe(before);
        expect((await sendSigned({ target: tgt(), key: ed, nonce })).status).toBe(200);
      });

      it('refuses a covered header changed in transit (SIGNATURE_INVALID)', async () => {
        const before = await stored();
        expectCode(await sendSigned({ target: tgt(), key: ed, tamper: (h) => { h['content-type'] = 'application/json; charset=latin1'; } }), 'SIGNATURE_INVALID');
        // The digest replaced to match a replaced body: the signature no longer verifies.
        const forged = Buffer.from('{"order":"forged"}');
        expectCode(await sendSigned({ target: tgt(), key: hmac, body: forged, signedBody: BODY, tamper: (h) => { h['content-digest'] = contentDigestHeader(forged); } }), 'SIGNATURE_INVALID');
        expect(await stored()).toBe(before);
      });

      it('names a required component the signature does not cover (SIGNATURE_COMPONENT_MISSING)', async () => {
        const res = await sendSigned({
          target: tgt(), key: ed,
          tamper: (h) => { h['signature-input'] = h['signature-input']!.replace(' "content-digest"', ''); },
        });
        const p = expectCode(res, 'SIGNATURE_COMPONENT_MISSING');
        expect(p.missing).toBe('content-digest');
        expect(p.detail).toContain('content-digest');
      });

      it('refuses a replayed nonce (REQUEST_NOT_UNIQUE naming the stored message), a stale created, unknown and disabled keys', async () => {
        const nonce = randomUUID();
        const first = await sendSigned({ target: tgt(), key: ecdsa, nonce });
        expect(first.status).toBe(200);
        const replay = expectCode(await sendSigned({ target: tgt(), key: ecdsa, nonce }), 'REQUEST_NOT_UNIQUE');
        expect(replay.messageId).toBe(first.json().messageId);
        expectCode(await sendSigned({ target: tgt(), key: ed, createdS: Math.floor(Date.now() / 1000) - 3600 }), 'SIGNATURE_CREATED_OUT_OF_WINDOW');
        expectCode(await sendSigned({ target: tgt(), key: { ...ed, keyId: 'hsk_test_00000000000000000000000000' } }), 'SIGNATURE_KEY_UNKNOWN');
        expectCode(await sendSigned({ target: tgt(), key: { ...ed, keyId: 'not-a-key' } }), 'SIGNATURE_KEY_UNKNOWN');
      });

      it('refuses a key of another party (SERVICE_ACCESS_ERROR): the key binds the request to its party', async () => {
        const before = await stored();
        expectCode(await sendSigned({ target: tgt(), key: othersKey }), 'SERVICE_ACCESS_ERROR');
        expect(await stored()).toBe(before);
      });

      it('checks Content-Digest on MAC and bearer requests too; a malformed one is CONTENT_DIGEST_INVALID', async () => {
        const before = await stored();
        const txId = randomUUID();
        const wrong = contentDigestHeader(Buffer.from('other'), 'sha-512');
        const mac = await macRequest({ baseUrl: s.url, target: tgt(), creds: t.sender, body: BODY, transactionId: txId, headers: { 'content-type': 'application/json', 'content-digest': wrong }, useHttpStatusCodes: true, json: true });
        expectRefusal(mac, 'CONTENT_DIGEST_MISMATCH', STATUS_MODES[0]!);
        const bearer = (digest: string, key: string): Promise<RawResponse> => rawRequest({
          method: 'POST', url: s.url + tgt(), body: BODY,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-digest': digest },
        });
        const key = randomUUID();
        expectCode(await bearer(wrong, key), 'CONTENT_DIGEST_MISMATCH');
        expectCode(await bearer('sha-256=:tooshort:', key), 'CONTENT_DIGEST_INVALID');
        expect(await stored()).toBe(before);
        // Neither id was consumed: the same ids with the right digest (sha-512, and an unknown md5 beside it) are stored.
        const right = `md5=:XrY7u+Ae7tCTyyK7j1rNww==:, ${contentDigestHeader(BODY, 'sha-512')}`;
        expect((await macRequest({ baseUrl: s.url, target: tgt(), creds: t.sender, body: BODY, transactionId: txId, headers: { 'content-type': 'application/json', 'content-digest': right }, useHttpStatusCodes: true, json: true })).status).toBe(200);
        expect((await bearer(right, key)).status).toBe(200);
        expect(await stored()).toBe(before + 2);
      });
    });
  }

  it('a disabled key is refused from the next request on; listing never shows a secret', async () => {
    const k = await register(t.partyId, 'hmac-sha256');
    expect((await sendSigned({ target: targets()[0]![1], key: k })).status).toBe(200);
    const off = await s.admin('POST', `/parties/${t.partyId}/signature-keys/${k.keyId}/disable`);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('disabled');
    for (const [, target] of targets()) expectCode(await sendSigned({ target, key: k }), 'SIGNATURE_KEY_UNKNOWN');
    const list = await s.admin('GET', `/parties/${t.partyId}/signature-keys`);
    expect(list.body.items.map((i: any) => i.keyId)).toContain(k.keyId);
    expect(JSON.stringify(list.body)).not.toContain('secret');
    // Another party's key cannot be disabled through this party.
    expect((await s.admin('POST', `/parties/${t.partyId}/signature-keys/${othersKey.keyId}/disable`)).status).toBe(404);
  });

  it('refuses invalid key uploads with SIGNATURE_KEY_INVALID', async () => {
    const priv = generateKeyPairSync('ed25519').privateKey;
    const bad = [
      { algorithm: 'ed25519', publicKey: priv.export({ format: 'pem', type: 'pkcs8' }) },
      { algorithm: 'ed25519', publicKey: priv.export({ format: 'jwk' }) },
      { algorithm: 'ecdsa-p256-sha256', publicKey: generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) },
      { algorithm: 'ed25519' },
      { algorithm: 'hmac-sha256', publicKey: 'x' },
    ];
    for (const body of bad) {
      const r = await s.admin('POST', `/parties/${t.partyId}/signature-keys`, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.code).toBe('SIGNATURE_KEY_INVALID');
    }
  });

  it('a channel can require Content-Digest: refused without it (Want-Content-Digest), on both paths and every scheme', async () => {
    expect((await s.admin('GET', `/channels/${t.channelId}/integrity`)).body.requireContentDigest).toBe(false);
    const set = await s.admin('POST', `/channels/${t.channelId}/integrity`, { requireContentDigest: true });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ channelId: t.channelId, requireContentDigest: true });
    try {
      const before = await stored();
      for (const [, target] of targets()) {
        const bearer = await rawRequest({ method: 'POST', url: s.url + target, body: BODY, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
        expectCode(bearer, 'CONTENT_DIGEST_REQUIRED');
        expect(bearer.headers['want-content-digest']).toBe(WANT_CONTENT_DIGEST);
        const mac = await macRequest({ baseUrl: s.url, target, creds: t.sender, body: BODY, headers: { 'content-type': 'application/json' }, useHttpStatusCodes: true, json: true });
        expectRefusal(mac, 'CONTENT_DIGEST_REQUIRED', STATUS_MODES[0]!);
        // Only unknown algorithms: as if absent.
        const md5 = await rawRequest({ method: 'POST', url: s.url + target, body: BODY, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-digest': 'md5=:XrY7u+Ae7tCTyyK7j1rNww==:' } });
        expectCode(md5, 'CONTENT_DIGEST_REQUIRED');
      }
      expect(await stored()).toBe(before);
      const ok = await rawRequest({ method: 'POST', url: s.url + targets()[0]![1], body: BODY, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-digest': contentDigestHeader(BODY) } });
      expect(ok.status, ok.text).toBe(200);
    } finally {
      await s.admin('POST', `/channels/${t.channelId}/integrity`, { requireContentDigest: false });
    }
    // The channel of another party's tenant is untouched.
    expect((await s.admin('GET', `/channels/${other.channelId}/integrity`)).body.requireContentDigest).toBe(false);
  });

  it('the digest covers the body as sent: content-coded bodies are digested before decoding', async () => {
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(BODY);
    const res = await sendSigned({ target: targets()[0]![1], key: ed, body: gz, headers: { 'content-encoding': 'gzip' } });
    expect(res.status, res.text).toBe(200);
    const decodedDigest = await sendSigned({ target: targets()[1]![1], key: ed, body: gz, signedBody: BODY, headers: { 'content-encoding': 'gzip' } });
    expectCode(decodedDigest, 'CONTENT_DIGEST_MISMATCH');
  });
  it('signs a batch too: a signed NDJSON batch stores its items; its nonce is the batch id (a replay stores nothing); a tampered body is refused whole', async () => {
    const line = (n: number) => JSON.stringify({ messageType: 'TransportOrder', mediaType: 'application/json', transactionId: `tx-${randomUUID()}`, body: JSON.stringify({ n }) });
    const body = Buffer.from(`${line(1)}\n${line(2)}\n`);
    const target = `/ingestion/${t.channelId}/batch`;
    const before = await stored();
    const nonce = randomUUID();
    const ok = await sendSigned({ target, key: ed, body, nonce, headers: { 'content-type': 'application/x-ndjson' } });
    expect(ok.status, ok.body.toString()).toBe(200);
    expect(JSON.parse(ok.body.toString()).stored).toBe(2);
    expect(await stored()).toBe(before + 2);
    const replay = await sendSigned({ target, key: ed, body: Buffer.from(`${line(3)}\n`), nonce, headers: { 'content-type': 'application/x-ndjson' } });
    expectCode(replay, 'REQUEST_NOT_UNIQUE');
    const tampered = await sendSigned({ target, key: hmac, body: Buffer.from(`${line(4)}\n`), signedBody: Buffer.from(`${line(5)}\n`), headers: { 'content-type': 'application/x-ndjson' } });
    expectCode(tampered, 'CONTENT_DIGEST_MISMATCH');
    const foreign = await sendSigned({ target, key: othersKey, body: Buffer.from(`${line(6)}\n`), headers: { 'content-type': 'application/x-ndjson' } });
    expectCode(foreign, 'SERVICE_ACCESS_ERROR');
    expect(await stored()).toBe(before + 2);
  });
});
