import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp, macString, type MacInput } from '../../src/protocol/index.js';
import { macRequest, type MacRequestOptions } from '../helpers/mac-request.js';
import { requestBytes, socketRequest } from '../helpers/raw-http.js';
import { listVault, refusedInEveryMode, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('ISO-8859-1 header values and decoded URLs in the MAC', () => {
  let s: TestServer;
  let a: Tenant;

  beforeAll(async () => {
    s = await startTestServer();
    a = await createTenant(s.admin, { businessId: '1572860-0' });
  });
  afterAll(() => s.stop());

  const stored = async () => (await listVault(s.url, a.reader)).length;
  const macInput = (url: string, sender: string): MacInput => {
    const now = Date.now();
    return {
      url, sender, customerId: a.sender.customerId, timestamp: formatMacTimestamp(now), language: 'FI',
      organisationId: a.businessId, transactionId: randomUUID(), timestampUnix: String(Math.floor(now / 1000)),
      customerKey: a.sender.customerKey, partnerKey: a.sender.partnerKey,
    };
  };

  describe('a Latin-1 Sender written as raw bytes on the socket', () => {
    const sender = 'Demokäyttäjä';
    const rawPost = (mode: StatusMode | undefined, headerEncoding: 'latin1' | 'utf8') => {
      const target = `/ingestion/${a.channelId}`;
      const input = macInput(s.url + target, sender);
      const headers = {
        ...buildMacHeaders(input, { partnerId: a.sender.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: mode?.useHttpStatusCodes ?? true }),
        'Content-Type': 'application/json',
        ...(mode?.json === false ? {} : { Accept: 'application/json' }),
      };
      const bytes = requestBytes({ method: 'POST', target, host: new URL(s.url).host, headers, body: Buffer.from('{"x":1}') }, headerEncoding);
      return { bytes, send: () => socketRequest(s.url, bytes) };
    };

    it('is accepted when its MAC is over the ISO-8859-1 bytes (0xE4 for ä)', async () => {
      const { bytes, send } = rawPost(undefined, 'latin1');
      expect(bytes.includes(Buffer.from([0x44, 0x65, 0x6d, 0x6f, 0x6b, 0xe4, 0x79, 0x74, 0x74, 0xe4, 0x6a, 0xe4]))).toBe(true);
      expect(bytes.includes(Buffer.from([0xc3, 0xa4]))).toBe(false);
      const res = await send();
      expect(res.status, res.text).toBe(200);
      const receipt = res.json();
      expect((await listVault(s.url, a.reader)).map((m) => m.messageId)).toContain(receipt.messageId);
    });

    it('is accepted when the same header travels as UTF-8 bytes (Node with a string body): the UTF-8 fallback', async () => {
      const { bytes, send } = rawPost(undefined, 'utf8');
      expect(bytes.includes(Buffer.from([0xc3, 0xa4]))).toBe(true);
      const res = await send();
      expect(res.status, res.text).toBe(200);
      expect((await listVault(s.url, a.reader)).map((m) => m.messageId)).toContain(res.json().messageId);
    });

    it('is refused when a UTF-8 header is signed wrongly, showing the canonical string: the header as the server read it', async () => {
      const before = await stored();
      const refusals = await refusedInEveryMode(async (mode) => {
        const { bytes } = rawPost(mode, 'utf8');
        // The same request with a wrong MAC: every fallback is tried, none matches.
        const text = bytes.toString('latin1').replace(/(X-Netvisor-Authentication-MAC: )[0-9a-f]+/, `$1${'ab'.repeat(32)}`);
        return socketRequest(s.url, Buffer.from(text, 'latin1'));
      }, 'AUTHENTICATION_FAILED', 'fi');
      // What the server hashed in the canonical form: each UTF-8 byte taken as one Latin-1 character.
      expect(refusals[0]!.problem.stringToHash).toContain('&DemokÃ¤yttÃ¤jÃ¤&');
      expect(await stored()).toBe(before);
    });
  });

  describe('the URL: percent-decoded as UTF-8, then hashed as ISO-8859-1', () => {
    const target = () => `/ingestion/${a.channelId}?ref=M%C3%A4kel%C3%A4`;
    const post = (o: Partial<MacRequestOptions> = {}, mode?: StatusMode) =>
      macRequest({
        baseUrl: s.url, target: target(), creds: a.sender, body: '{"x":2}', headers: { 'content-type': 'application/json' },
        useHttpStatusCodes: mode?.useHttpStatusCodes ?? true, json: mode?.json ?? true, ...o,
      });
    const ok = async (o: Partial<MacRequestOptions>) => {
      const res = await post(o);
      expect(res.status, res.text).toBe(200);
      return res.json();
    };
    const refused = async (make: () => Partial<MacRequestOptions>, language: 'en' | 'fi' = 'en') => {
      const before = await stored();
      const r = await refusedInEveryMode((mode) => post(make(), mode), 'AUTHENTICATION_FAILED', language);
      expect(await stored()).toBe(before);
      return r;
    };

    it('accepts a MAC over the decoded form (?ref=Mäkelä)', async () => {
      await ok({ signedUrl: `${s.url}/ingestion/${a.channelId}?ref=Mäkelä` });
    });

    it('accepts, for compatibility, a MAC over the undecoded wire form', async () => {
      await ok({ signedUrl: s.url + target() });
    });

    it('accepts a MAC over the UTF-8 bytes of the decoded form only as the UTF-8 fallback, and refuses it when wrong', async () => {
      const hashedAs = (encoding: 'latin1' | 'utf8', keySuffix = ''): Partial<MacRequestOptions> => {
        const input = macInput(`${s.url}/ingestion/${a.channelId}?ref=Mäkelä`, 'Vaultgate tests');
        const mac = createHash('sha256').update(Buffer.from(macString({ ...input, partnerKey: input.partnerKey + keySuffix }, 'SHA256'), encoding)).digest('hex');
        return {
          transactionId: input.transactionId, timestamp: input.timestamp, timestampMs: Number(input.timestampUnix) * 1000, language: input.language,
          override: { 'X-Netvisor-Authentication-MAC': mac, 'X-Netvisor-Authentication-TimestampUnix': input.timestampUnix! },
        };
      };
      await ok(hashedAs('latin1')); // the canonical construction
      await ok(hashedAs('utf8')); // the legacy one (vector N1's kind)
      const [r] = await refused(() => hashedAs('utf8', 'x'), 'fi');
      expect(r!.problem.stringToHash.startsWith(`${s.url}/ingestion/${a.channelId}?ref=Mäkelä&`)).toBe(true);
    });

    it('is case-sensitive', async () => {
      await refused(() => ({ signedUrl: `${s.url}/ingestion/${a.channelId}?ref=mäkelä` }));
    });

    it('leaves + as it is and turns %20 into a space', async () => {
      const t = `/ingestion/${a.channelId}?keyword=Oy+Ab%20Ltd`;
      await ok({ target: t, signedUrl: `${s.url}/ingestion/${a.channelId}?keyword=Oy+Ab Ltd` });
      const before = await stored();
      const wrong = await post({ target: t, signedUrl: `${s.url}/ingestion/${a.channelId}?keyword=Oy Ab Ltd` });
      expect(wrong.json().code).toBe('AUTHENTICATION_FAILED');
      expect(await stored()).toBe(before);
    });

    it('accepts the wire form when the decoded form cannot be signed (€ is not in ISO-8859-1) or decoded (%ZZ)', async () => {
      const t = `/ingestion/${a.channelId}?currency=%E2%82%AC`;
      await ok({ target: t, signedUrl: s.url + t });
      const bad = `/ingestion/${a.channelId}?q=%ZZ`;
      await ok({ target: bad, signedUrl: s.url + bad });
    });
  });
});
