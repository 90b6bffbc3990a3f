import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, maskedMacString, normalizeBaseUrl, parseMacTimestamp, requestUrls, type MacInput } from '../../protocol/index.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../../../test/helpers/servers.js';
import { bearerHeaders, bearerHeadersMasked, getBearerToken, MacSignError, signMacRequest, TokenRequestError, type BrowserMacAlgorithm, type SignMacRequestInput } from './mac-sign.js';

/*
 * The browser signer (WebCrypto; Node 20's globalThis.crypto is the same API) against the known-answer vectors, the
 * protocol's own signer on random inputs, and a real server. Requests go out through Node's fetch, which like the
 * browser's sends header values as ISO-8859-1 bytes (a ByteString each).
 */

interface Vector { url: string; sender: string; customerId: string; timestamp: string; language: string; organisationId: string; transactionId: string; timestampUnix: string; customerKey: string; partnerKey: string; sha256: string; hmacsha256: string; md5: string }
const VECTORS = (JSON.parse(readFileSync(new URL('../../../test/vectors/mac.json', import.meta.url), 'utf8')) as { vectors: Record<string, Vector> }).vectors;

const ofVector = (v: Vector, algorithm: BrowserMacAlgorithm): SignMacRequestInput => ({
  method: 'GET', url: v.url, sender: v.sender, customerId: v.customerId, partnerId: 'pid_test_vector', partnerKey: v.partnerKey, customerKey: v.customerKey,
  language: v.language, organisationId: v.organisationId, transactionId: v.transactionId, timestamp: parseMacTimestamp(v.timestamp)!, algorithm,
});

describe('signMacRequest: the known-answer vectors', () => {
  for (const [id, v] of Object.entries(VECTORS)) {
    for (const algorithm of ['SHA256', 'HMACSHA256'] as const) {
      it(`${id} ${algorithm}`, async () => {
        const s = await signMacRequest(ofVector(v, algorithm));
        expect(s.signedUrl).toBe(v.url);
        expect(s.headers['X-Netvisor-Authentication-Timestamp']).toBe(v.timestamp);
        expect(s.mac).toBe(algorithm === 'SHA256' ? v.sha256 : v.hmacsha256);
        expect(s.headers['X-Netvisor-Authentication-MAC']).toBe(s.mac);
        if (algorithm === 'HMACSHA256') expect(s.headers['X-Netvisor-Authentication-TimestampUnix']).toBe(v.timestampUnix);
        else expect(s.headers['X-Netvisor-Authentication-TimestampUnix']).toBeUndefined();
      });
    }
  }

  it('V4 signed from its percent-encoded wire URL gives the same MAC (the decoded URL is signed)', async () => {
    const v = VECTORS.V4!;
    const s = await signMacRequest({ ...ofVector(v, 'SHA256'), url: 'https://ISVAPI.netvisor.fi:443/customerlist.nv?keyword=M%C3%A4kel%C3%A4#frag' });
    expect(s.url).toBe('https://isvapi.netvisor.fi/customerlist.nv?keyword=M%C3%A4kel%C3%A4');
    expect(s.signedUrl).toBe(v.url);
    expect(s.mac).toBe(v.sha256);
  });

  it('refuses MD5 (no WebCrypto MD5) and input the scheme or fetch cannot carry, naming the field', async () => {
    const base = ofVector(VECTORS.V2!, 'SHA256');
    const refused = async (o: Partial<SignMacRequestInput>, problem: string, field: string) => {
      const err = await signMacRequest({ ...base, ...o } as SignMacRequestInput).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MacSignError);
      expect(err).toMatchObject({ problem, field });
      expect((err as Error).message).toContain(field);
    };
    await refused({ algorithm: 'MD5' as BrowserMacAlgorithm }, 'algorithm', 'algorithm');
    await refused({ sender: 'Acme €' }, 'not-latin1', 'sender');
    await refused({ transactionId: 'tilaus-✓' }, 'not-latin1', 'transactionId');
    await refused({ url: 'https://h.example/x?q=€' }, 'not-latin1', 'url');
    await refused({ sender: ' Acme' }, 'whitespace', 'sender');
    await refused({ transactionId: 'a\nb' }, 'control-character', 'transactionId');
    await refused({ transactionId: 'x'.repeat(256) }, 'too-long', 'transactionId');
    await refused({ language: 'DE' }, 'language', 'language');
    await refused({ customerId: '' }, 'missing', 'customerId');
    await refused({ partnerKey: '' }, 'missing', 'partnerKey');
    await refused({ organisationId: undefined as unknown as string }, 'missing', 'organisationId');
    await refused({ url: '/ingestion/ch_test_x' }, 'url', 'url');
    // What fetch itself does with the character refused above: a TypeError, before anything is sent.
    expect(() => new Headers({ 'x-netvisor-authentication-sender': 'Acme €' })).toThrow(TypeError);
  });
});

describe('signMacRequest: masking', () => {
  it('never shows a key in the masked string or headers, even when a key was pasted into another field', async () => {
    for (const algorithm of ['SHA256', 'HMACSHA256'] as const) {
      const customerKey = randomBytes(16).toString('hex');
      const partnerKey = randomBytes(16).toString('hex');
      const s = await signMacRequest({
        ...ofVector(VECTORS.V2!, algorithm), customerKey, partnerKey, sender: `oops ${partnerKey}`, transactionId: `t-${customerKey}`,
        url: `https://h.example/ingestion/ch?x=${customerKey}`,
      });
      const shown = JSON.stringify([s.stringToHashMasked, s.headersMasked]);
      expect(shown).not.toContain(customerKey);
      expect(shown).not.toContain(partnerKey);
      expect(s.stringToHashMasked.endsWith('&<CustomerKey>&<PartnerKey>')).toBe(true);
      // The exact headers carry no key of their own: only what the user typed into them.
      expect(s.headers['X-Netvisor-Authentication-MAC']).not.toContain(customerKey);
      expect(s.stringToHash.endsWith(`&${customerKey}&${partnerKey}`)).toBe(true);
    }
  });
});

describe('signMacRequest agrees with src/protocol on random inputs', () => {
  const LATIN1_LETTERS = 'abcXYZ09-_.:/ äöåÄÖÅéüß½©';
  const word = (n: number) => Array.from({ length: n }, () => LATIN1_LETTERS[randomInt(LATIN1_LETTERS.length)]).join('').trim() || 'w';

  it('200 random requests: the same signed URL, MAC, headers and masked string', async () => {
    for (let i = 0; i < 200; i++) {
      const algorithm: BrowserMacAlgorithm = i % 2 ? 'SHA256' : 'HMACSHA256';
      const origin = ['https://vault.example.com', 'http://127.0.0.1:8080', 'https://vault.example.com:8443'][i % 3]!;
      const query = i % 4 === 0 ? '' : `?keyword=${encodeURIComponent(word(8))}&q=${word(3).replace(/[ #?&]/g, '')}`;
      const target = `/ingestion/ch_test_${randomBytes(4).toString('hex')}${query}`;
      const at = randomInt(1_500_000_000_000, 2_000_000_000_000);
      const input: SignMacRequestInput = {
        method: 'POST', url: origin + target, sender: word(12), customerId: `cid_test_${randomBytes(6).toString('hex')}`, partnerId: `pid_test_${randomBytes(6).toString('hex')}`,
        customerKey: randomBytes(24).toString('base64url'), partnerKey: word(20), language: ['FI', 'en', 'Se'][i % 3]!, organisationId: '1967543-8',
        transactionId: word(30), timestamp: at, algorithm,
      };
      const s = await signMacRequest(input);
      const wire = new URL(s.url);
      const [serverUrl] = requestUrls(normalizeBaseUrl(origin), wire.pathname + wire.search).urls;
      expect(s.signedUrl).toBe(serverUrl);
      const p: MacInput = {
        url: serverUrl!, sender: input.sender, customerId: input.customerId, timestamp: s.headers['X-Netvisor-Authentication-Timestamp']!, language: input.language,
        organisationId: input.organisationId, transactionId: input.transactionId!, timestampUnix: algorithm === 'HMACSHA256' ? String(Math.floor(at / 1000)) : undefined,
        customerKey: input.customerKey, partnerKey: input.partnerKey,
      };
      expect(parseMacTimestamp(p.timestamp)).toBe(at);
      expect(s.mac).toBe(computeMac(p, algorithm));
      expect(s.stringToHashMasked).toBe(maskedMacString(p, algorithm));
      expect(s.headers).toEqual(buildMacHeaders(p, { partnerId: input.partnerId, algorithm, mac: s.mac, useHttpStatusCodes: true }));
    }
  });
});

describe('signMacRequest against a real server', () => {
  let s: TestServer;
  let t: Tenant;
  let client: { clientId: string; clientSecret: string };
  const form = (o: Partial<SignMacRequestInput> = {}): SignMacRequestInput => ({
    method: 'POST', url: `${t.channelUrl}?messageType=TransportOrder`, sender: 'Demokäyttäjä', customerId: t.sender.customerId, partnerId: t.sender.partnerId,
    customerKey: t.sender.customerKey, partnerKey: t.sender.partnerKey, language: 'FI', organisationId: t.sender.organisationId, algorithm: 'HMACSHA256', ...o,
  });
  const send = async (signed: { url: string; method: string; headers: Record<string, string> }, headers: Record<string, string> = {}) => {
    const res = await fetch(signed.url, { method: signed.method, headers: { ...signed.headers, 'content-type': 'application/json', accept: 'application/json', ...headers }, body: '{"order":1}' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin, { businessId: '1967543-8' });
    client = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'portal test form' })).body;
  });
  afterAll(() => s.stop());

  for (const algorithm of ['SHA256', 'HMACSHA256'] as const) {
    it(`a ${algorithm} request signed in the "browser", with Latin-1 letters in its headers, is accepted and stored`, async () => {
      const transactionId = `tilaus-ä-${randomUUID()}`;
      const signed = await signMacRequest(form({ algorithm, transactionId }));
      const r = await send(signed);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      // The server read the header bytes as ISO-8859-1, as fetch sent them: the ä came through as itself.
      expect(r.body).toMatchObject({ messageId: expect.stringMatching(/^msg_test_/), transactionId, channelId: t.channelId });
    });
  }

  it('a tampered request is refused AUTHENTICATION_FAILED, and the server hashed exactly our masked string', async () => {
    const signed = await signMacRequest(form({ customerKey: `${t.sender.customerKey}x` }));
    const wrongKey = await send(signed);
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body).toMatchObject({ code: 'AUTHENTICATION_FAILED', stringToHash: signed.stringToHashMasked });
    const good = await signMacRequest(form());
    const edited = await send(good, { 'X-Netvisor-Authentication-Sender': 'Demokäyttäjä2' });
    expect(edited.status).toBe(401);
    expect(edited.body.code).toBe('AUTHENTICATION_FAILED');
    expect(JSON.stringify([wrongKey.body, edited.body])).not.toContain(t.sender.customerKey);
  });

  it('a bearer token from POST /oauth2/token sends the same message; a wrong secret is a TokenRequestError', async () => {
    const token = await getBearerToken({ baseUrl: s.url, clientId: client.clientId, clientSecret: client.clientSecret, scope: 'ingest' });
    expect(token).toMatchObject({ tokenType: 'Bearer', scope: 'ingest' });
    expect(token.expiresIn).toBeGreaterThan(0);
    const res = await fetch(`${t.channelUrl}?messageType=TransportOrder`, { method: 'POST', headers: { ...bearerHeaders(token.accessToken), 'content-type': 'application/json' }, body: '{"order":2}' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { messageId: string }).messageId).toMatch(/^msg_test_/);
    expect(JSON.stringify(bearerHeadersMasked(token.accessToken))).not.toContain(token.accessToken);

    const err = await getBearerToken({ baseUrl: s.url, clientId: client.clientId, clientSecret: `${client.clientSecret}x` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ status: 401, error: 'invalid_client', code: 'OAUTH_INVALID_CLIENT' });
    expect((err as Error).message).not.toContain(client.clientSecret);
  });
});
