import { createHash, createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp, macString, type MacAlgorithm, type MacInput } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type MacCredentials, type RawResponse } from '../helpers/mac-request.js';
import { requestBytes, socketRequest } from '../helpers/raw-http.js';
import { expectRefusal, listVault, refusedInEveryMode, STATUS_MODES } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 11 §1: what real signing clients get wrong and the server tolerates (mac-auth.md), on a real socket,
 * byte for byte. Each case here was refused (401) before the fallbacks existed.
 */
describe('real signing clients (mac-auth.md, "What real clients get wrong")', () => {
  let s: TestServer;
  let a: Tenant;
  const sender = 'Demokäyttäjä';

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_ALLOW_MD5: 'true' });
    a = await createTenant(s.admin, { businessId: '1572860-0' });
  });
  afterAll(() => s.stop());

  /** What a client signs: the MAC input for `url`, with its clock read at `nowMs` (TimestampUnix may be read apart). */
  const inputFor = (url: string, creds: MacCredentials, o: { nowMs?: number; unixMs?: number; transactionId?: string } = {}): MacInput => {
    const now = o.nowMs ?? Date.now();
    return {
      url, sender, customerId: creds.customerId, timestamp: formatMacTimestamp(now), language: 'FI',
      organisationId: creds.organisationId, transactionId: o.transactionId ?? randomUUID(),
      timestampUnix: String(Math.floor((o.unixMs ?? now) / 1000)), customerKey: creds.customerKey, partnerKey: creds.partnerKey,
    };
  };
  /** A legacy client's MAC: the joined string hashed as UTF-8 bytes (and the HMAC key too). */
  const utf8Mac = (input: MacInput, algorithm: MacAlgorithm): string => {
    const bytes = Buffer.from(macString(input, algorithm), 'utf8');
    if (algorithm === 'HMACSHA256') return createHmac('sha256', Buffer.from(`${input.customerKey}&${input.partnerKey}`, 'utf8')).update(bytes).digest('hex');
    return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(bytes).digest('hex');
  };
  const headersFor = (input: MacInput, creds: MacCredentials, algorithm: MacAlgorithm, mac = computeMac(input, algorithm)) => ({
    ...buildMacHeaders(input, { partnerId: creds.partnerId, algorithm, mac, useHttpStatusCodes: true }),
    Accept: 'application/json',
  });
  const host = () => new URL(s.url).host;
  const metric = async (algorithm: string, form: string): Promise<number> => {
    const res = await rawRequest({ method: 'GET', url: `${s.url}/metrics`, headers: { authorization: `Bearer ${s.adminToken}` } });
    const m = new RegExp(`^vaultgate_mac_verified_total\\{algorithm="${algorithm}",form="${form.replace(/\+/g, '\\+')}"\\} (\\d+)$`, 'm').exec(res.text);
    return m ? Number(m[1]) : 0;
  };
  const stored = async (): Promise<string[]> => (await listVault(s.url, a.reader)).map((m) => m.messageId);
  const accepted = async (res: RawResponse): Promise<{ messageId: string; transactionId: string }> => {
    expect(res.status, res.text).toBe(200);
    const receipt = res.json();
    expect(await stored()).toContain(receipt.messageId);
    return receipt;
  };

  describe('(a) header values on the wire as UTF-8, signed over ISO-8859-1', () => {
    it('a raw client: the UTF-8 bytes of Sender and TransactionId are read back as the characters the client signed', async () => {
      const before = await metric('SHA256', 'utf8_headers');
      const target = `/ingestion/${a.channelId}`;
      const transactionId = `tilaus-ä-${randomUUID()}`;
      const input = inputFor(s.url + target, a.sender, { transactionId });
      const bytes = requestBytes({ method: 'POST', target, host: host(), headers: { ...headersFor(input, a.sender, 'SHA256'), 'Content-Type': 'application/json' }, body: Buffer.from('{"a":1}') }, 'utf8');
      expect(bytes.includes(Buffer.from('DemokÃ¤yttÃ¤jÃ¤', 'latin1'))).toBe(true); // 0xC3 0xA4 for each ä
      const receipt = await accepted(await socketRequest(s.url, bytes));
      // The transaction id is the one the client signed (and so the one it will retry with), not the misread bytes.
      expect(receipt.transactionId).toBe(transactionId);
      expect(await metric('SHA256', 'utf8_headers')).toBe(before + 1);

      // The same id sent again, now as ISO-8859-1 bytes (canonically): the ledger knows it.
      const again = requestBytes({ method: 'POST', target, host: host(), headers: { ...headersFor(inputFor(s.url + target, a.sender, { transactionId }), a.sender, 'SHA256'), 'Content-Type': 'application/json' }, body: Buffer.from('{"a":1}') }, 'latin1');
      const dup = await socketRequest(s.url, again);
      expect(dup.status).toBe(400);
      expect(dup.json()).toMatchObject({ code: 'REQUEST_NOT_UNIQUE', messageId: receipt.messageId });
    });

    it('Node http.request with a string body (it writes the header block as UTF-8), and without one (ISO-8859-1)', async () => {
      const send = (method: string, target: string, creds: MacCredentials, body?: string): Promise<RawResponse> => {
        const input = inputFor(s.url + target, creds);
        const headers: Record<string, string> = { ...headersFor(input, creds, 'HMACSHA256'), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
        return new Promise((resolve, reject) => {
          const req = httpRequest(`${s.url}${target}`, { method, headers, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const b = Buffer.concat(chunks);
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8'), json: () => JSON.parse(b.toString('utf8')) });
            });
          });
          req.on('error', reject);
          // A string body, as a client writes it: Node sends the headers with it, in the string's encoding (UTF-8).
          if (body === undefined) req.end();
          else req.end(body);
        });
      };
      const before = await metric('HMACSHA256', 'utf8_headers');
      const receipt = await accepted(await send('POST', `/ingestion/${a.channelId}`, a.sender, '{"node":"string body"}'));
      expect(await metric('HMACSHA256', 'utf8_headers')).toBe(before + 1);
      // The same client without a string to write (a GET): Node writes the headers as ISO-8859-1, the canonical form.
      const canonical = await metric('HMACSHA256', 'canonical');
      const read = await send('GET', `/vault/v1/messages/${receipt.messageId}`, a.reader);
      expect(read.status, read.text).toBe(200);
      expect(read.text).toBe('{"node":"string body"}');
      expect(await metric('HMACSHA256', 'canonical')).toBe(canonical + 1);
    });

    it('on a vault read (the Fastify routes): UTF-8 header bytes from a raw client', async () => {
      const receipt = await accepted(await macRequest({ baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: Buffer.from('{"r":1}'), headers: { 'content-type': 'application/json' } }));
      const target = `/vault/v1/messages/${receipt.messageId}`;
      const input = inputFor(s.url + target, a.reader);
      const res = await socketRequest(s.url, requestBytes({ method: 'GET', target, host: host(), headers: headersFor(input, a.reader, 'SHA256') }, 'utf8'));
      expect(res.status, res.text).toBe(200);
      expect(res.text).toBe('{"r":1}');
    });

    it('refuses a UTF-8 header whose MAC is wrong, in every answer mode, and stores nothing', async () => {
      const before = await stored();
      const target = `/ingestion/${a.channelId}`;
      await refusedInEveryMode(async (mode) => {
        const input = inputFor(s.url + target, a.sender);
        const headers = {
          ...buildMacHeaders(input, { partnerId: a.sender.partnerId, algorithm: 'SHA256', mac: computeMac({ ...input, sender: 'Demokayttaja' }, 'SHA256'), useHttpStatusCodes: mode.useHttpStatusCodes }),
          ...(mode.json ? { Accept: 'application/json' } : {}), 'Content-Type': 'application/json',
        };
        return socketRequest(s.url, requestBytes({ method: 'POST', target, host: host(), headers, body: Buffer.from('{}') }, 'utf8'));
      }, 'AUTHENTICATION_FAILED', 'fi');
      expect(await stored()).toEqual(before);
    });
  });

  describe('(b) the joined string hashed as UTF-8 (legacy MD5 and SHA256 clients)', () => {
    it.each(['MD5', 'SHA256', 'HMACSHA256'] as const)('%s over the UTF-8 bytes, Sender Demokäyttäjä sent as ISO-8859-1', async (algorithm) => {
      const before = await metric(algorithm, 'utf8_string');
      const target = `/ingestion/${a.channelId}`;
      const input = inputFor(s.url + target, a.sender);
      const mac = utf8Mac(input, algorithm);
      expect(mac).not.toBe(computeMac(input, algorithm));
      const bytes = requestBytes({ method: 'POST', target, host: host(), headers: { ...headersFor(input, a.sender, algorithm, mac), 'Content-Type': 'application/json' }, body: Buffer.from('{"legacy":true}') }, 'latin1');
      expect(bytes.includes(Buffer.from([0x6b, 0xe4, 0x79]))).toBe(true); // "käy" as ISO-8859-1 on the wire
      await accepted(await socketRequest(s.url, bytes));
      expect(await metric(algorithm, 'utf8_string')).toBe(before + 1);
    });

    it('refuses a UTF-8-hashed MAC made with a wrong key, and shows the canonical string to hash', async () => {
      const target = `/ingestion/${a.channelId}`;
      const input = inputFor(s.url + target, a.sender);
      const mac = utf8Mac({ ...input, partnerKey: `${input.partnerKey}x` }, 'SHA256');
      const res = await socketRequest(s.url, requestBytes({ method: 'POST', target, host: host(), headers: { ...headersFor(input, a.sender, 'SHA256', mac), 'Content-Type': 'application/json' }, body: Buffer.from('{}') }));
      const r = expectRefusal(res, 'AUTHENTICATION_FAILED', STATUS_MODES[0]!, 'fi');
      expect(r.problem.stringToHash).toBe(macString({ ...input, customerKey: '<CustomerKey>', partnerKey: '<PartnerKey>' }, 'SHA256'));
    });
  });

  describe('(c) TimestampUnix read from the clock a second time', () => {
    const post = (algorithm: MacAlgorithm, unixOffsetS: number, useHttpStatusCodes = true, json = true) => {
      // Timestamp read at the end of the current second; TimestampUnix `unixOffsetS` seconds from it.
      const t = Math.floor(Date.now() / 1000) * 1000 + 999;
      return macRequest({
        baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: '{"clock":2}', headers: { 'content-type': 'application/json' },
        algorithm, timestamp: formatMacTimestamp(t), timestampMs: (Math.floor(t / 1000) + unixOffsetS) * 1000, useHttpStatusCodes, json,
      });
    };

    it.each(['SHA256', 'HMACSHA256'] as const)('%s: +1 s and -1 s are accepted, +2 s and -2 s refused (TIMESTAMP_MISMATCH)', async (algorithm) => {
      const before = await metric(algorithm, 'timestamp_unix_skew');
      await accepted(await post(algorithm, 1));
      await accepted(await post(algorithm, -1));
      expect(await metric(algorithm, 'timestamp_unix_skew')).toBe(before + 2);
      const kept = await stored();
      for (const offset of [2, -2]) {
        const refusals = await refusedInEveryMode((mode) => post(algorithm, offset, mode.useHttpStatusCodes, mode.json), 'TIMESTAMP_MISMATCH');
        expect(refusals[0]!.problem.detail).toMatch(/whole seconds since the epoch; \d+ is 2 s away from Timestamp/);
      }
      expect(await stored()).toEqual(kept);
    });
  });

  describe('(d) a request-target in absolute-form (RFC 9112 §3.2.2)', () => {
    const absolute = (path: string) => `${s.publicUrl}${path}`;

    it('on ingestion: the URL is the base URL plus the path and query, and the failure hint is not doubled', async () => {
      const before = await metric('SHA256', 'absolute_form');
      const path = `/ingestion/${a.channelId}?ref=M%C3%A4kel%C3%A4`;
      const input = inputFor(`${s.publicUrl}/ingestion/${a.channelId}?ref=Mäkelä`, a.sender);
      // Signed over what the client addressed, a fresh transaction id each time; `mac` replaces the right one.
      const send = (mac?: string) => {
        const i = { ...input, transactionId: randomUUID() };
        return socketRequest(s.url, requestBytes({
          method: 'POST', target: absolute(path), host: host(),
          headers: { ...headersFor(i, a.sender, 'SHA256', mac ?? computeMac(i, 'SHA256')), 'Content-Type': 'application/json' }, body: Buffer.from('{"abs":1}'),
        }));
      };
      await accepted(await send());
      expect(await metric('SHA256', 'absolute_form')).toBe(before + 1);

      const refused = expectRefusal(await send('ab'.repeat(32)), 'AUTHENTICATION_FAILED', STATUS_MODES[0]!, 'fi');
      expect(refused.problem.stringToHash.startsWith(`${s.publicUrl}/ingestion/${a.channelId}?ref=Mäkelä&${sender}&`)).toBe(true);
      expect(refused.problem.stringToHash).not.toContain(`${s.publicUrl}http`);
    });

    it('on a vault read (the Fastify routes): list and read one message', async () => {
      const receipt = await accepted(await macRequest({ baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: '{"read":"me"}', headers: { 'content-type': 'application/json' } }));
      const before = await metric('SHA256', 'absolute_form');
      const get = (path: string) => {
        const input = inputFor(s.publicUrl + decodeURIComponent(path), a.reader);
        return socketRequest(s.url, requestBytes({ method: 'GET', target: absolute(path), host: host(), headers: headersFor(input, a.reader, 'SHA256') }));
      };
      const one = await get(`/vault/v1/messages/${receipt.messageId}`);
      expect(one.status, one.text).toBe(200);
      expect(one.text).toBe('{"read":"me"}');
      const list = await get(`/vault/v1/messages?channelId=${a.channelId}&limit=1000`);
      expect(list.status, list.text).toBe(200);
      expect(list.json().items.map((m: { messageId: string }) => m.messageId)).toContain(receipt.messageId);
      expect(await metric('SHA256', 'absolute_form')).toBe(before + 2);
    });
  });

  it('counts canonical requests as canonical', async () => {
    const before = await metric('SHA256', 'canonical');
    await accepted(await macRequest({ baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } }));
    // listVault in accepted() signs canonically too.
    expect(await metric('SHA256', 'canonical')).toBeGreaterThanOrEqual(before + 2);
  });
});
