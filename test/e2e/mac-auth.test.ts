import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, formatMacTimestamp, newId, type ErrorCode, type Language } from '../../src/protocol/index.js';
import { macRequest, type MacCredentials, type MacRequestOptions } from '../helpers/mac-request.js';
import { expectedMac } from '../helpers/raw-http.js';
import { expectRefusal, listVault, refusedInEveryMode, STATUS_MODES, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('signed-header authentication (X-Netvisor-Authentication-*)', () => {
  let s: TestServer;
  let a: Tenant;
  let b: Tenant;

  const send = (mode: StatusMode | undefined, o: Partial<MacRequestOptions> = {}) =>
    macRequest({
      baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: '{"n":1}',
      useHttpStatusCodes: mode?.useHttpStatusCodes ?? true, json: mode?.json ?? true,
      ...o, headers: { 'content-type': 'application/json', ...o.headers },
    });
  const stored = async () => (await listVault(s.url, a.reader)).length;
  const refused = async (code: ErrorCode, o: Partial<MacRequestOptions> = {}, language: Language = 'en') => {
    const before = await stored();
    const r = await refusedInEveryMode((mode) => send(mode, o), code, language);
    expect(await stored(), 'a refused request stored something').toBe(before);
    return r;
  };
  const accepted = async (o: Partial<MacRequestOptions> = {}) => {
    const res = await send(undefined, o);
    expect(res.status, res.text).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    s = await startTestServer();
    a = await createTenant(s.admin, { businessId: '1967543-8' });
    b = await createTenant(s.admin, { businessId: '2729069-3' });
  });
  afterAll(() => s.stop());

  describe('headers', () => {
    it.each([
      'X-Netvisor-Authentication-Sender', 'X-Netvisor-Authentication-CustomerId', 'X-Netvisor-Authentication-PartnerId',
      'X-Netvisor-Authentication-Timestamp', 'X-Netvisor-Authentication-TransactionId', 'X-Netvisor-Interface-Language',
      'X-Netvisor-Organisation-ID', 'X-Netvisor-Authentication-MAC',
    ])('refuses a request without %s (AUTH_HEADERS_INVALID)', async (header) => {
      const [r] = await refused('AUTH_HEADERS_INVALID', { override: { [header]: undefined } });
      expect(r!.problem.problems).toEqual([`missing ${header}`]);
    });

    it('refuses malformed values: language, MAC, timestamp, an over-long transaction id', async () => {
      const [lang] = await refused('AUTH_HEADERS_INVALID', { language: 'DE' });
      expect(lang!.problem.problems.join()).toMatch(/FI, EN or SE/);
      await refused('AUTH_HEADERS_INVALID', { override: { 'X-Netvisor-Authentication-MAC': 'not-hex' } });
      await refused('AUTH_HEADERS_INVALID', { timestamp: '2024-13-01 00:00:00.000' });
      await refused('AUTH_HEADERS_INVALID', { transactionId: 'x'.repeat(256) });
    });

    it('with an unknown language, answers in the Accept-Language one', async () => {
      await refused('AUTH_HEADERS_INVALID', { language: 'DE', headers: { 'accept-language': 'fi-FI, en;q=0.5' } }, 'fi');
    });
  });

  describe('algorithms', () => {
    it('refuses an unsupported algorithm, MD5, and a missing algorithm header, naming the supported ones', async () => {
      const [sha1] = await refused('MAC_ALGORITHM_NOT_SUPPORTED', { override: { 'X-Netvisor-Authentication-MACHashCalculationAlgorithm': 'SHA1' } });
      expect(sha1!.problem.title).toMatch(/SHA256 or HMACSHA256/);
      await refused('MAC_ALGORITHM_NOT_SUPPORTED', { algorithm: 'MD5' });
      const [none] = await refused('MAC_ALGORITHM_NOT_SUPPORTED', { algorithm: 'MD5', override: { 'X-Netvisor-Authentication-MACHashCalculationAlgorithm': undefined } });
      expect(none!.problem.detail).toMatch(/No algorithm header/);
    });

    it('accepts HMACSHA256 with TimestampUnix, in JSON and in the XML envelope', async () => {
      expect((await accepted({ algorithm: 'HMACSHA256' })).messageId).toMatch(/^msg_test_/);
      const xml = await send({ useHttpStatusCodes: false, json: false, label: '' }, { algorithm: 'HMACSHA256' });
      expect(xml.text).toMatch(/<Status>OK<\/Status>[\s\S]*<InsertedDataIdentifier>msg_test_/);
    });

    it('refuses HMACSHA256 whose TimestampUnix disagrees with Timestamp (TIMESTAMP_MISMATCH)', async () => {
      const now = Date.now();
      await refused('TIMESTAMP_MISMATCH', { algorithm: 'HMACSHA256', timestampMs: now, timestamp: formatMacTimestamp(now - 5_000) });
    });

    it('refuses HMACSHA256 without TimestampUnix as a header error (the header is required with it)', async () => {
      const [r] = await refused('AUTH_HEADERS_INVALID', { algorithm: 'HMACSHA256', override: { 'X-Netvisor-Authentication-TimestampUnix': undefined } });
      expect(r!.problem.detail).toContain('TimestampUnix');
      expect(r!.problem.stringToHash).toBeUndefined();
    });

    it('accepts an upper-case hex MAC', async () => {
      const transactionId = randomUUID();
      const timestampMs = Date.now();
      const mac = expectedMac({ url: `${s.url}/ingestion/${a.channelId}`, creds: a.sender, transactionId, timestampMs }).toUpperCase();
      await accepted({ transactionId, timestampMs, override: { 'X-Netvisor-Authentication-MAC': mac } });
    });
  });

  describe('credentials and the MAC', () => {
    const keysOf = (c: MacCredentials) => [c.partnerKey, c.customerKey];

    it('refuses unknown ids, a wrong key and a MAC of another URL with one and the same AUTHENTICATION_FAILED', async () => {
      const cases: Partial<MacRequestOptions>[] = [
        { creds: { ...a.sender, partnerId: newId('partnerCredential', 'test') } },
        { creds: { ...a.sender, customerId: newId('customerCredential', 'test') } },
        { creds: { ...a.sender, partnerKey: b.sender.partnerKey } },
        { creds: { ...a.sender, customerKey: b.sender.customerKey } },
        { signedUrl: `${s.url}/ingestion/${b.channelId}` },
        { signedUrl: `${s.url.replace('127.0.0.1', 'localhost')}/ingestion/${a.channelId}` },
        { signedUrl: `${s.url}/ingestion/${a.channelId.toUpperCase()}` },
      ];
      const titles = new Set<string>();
      const failures = new Set<string>();
      for (const o of cases) {
        for (const r of await refused('AUTHENTICATION_FAILED', o)) {
          for (const key of [...keysOf(a.sender), ...keysOf(b.sender)]) expect(r.res.text).not.toContain(key);
          if (r.problem) titles.add(r.problem.title);
          if (r.failure) failures.add(r.failure.split(' String to hash:')[0]!);
          if (r.problem && o.creds?.partnerId === a.sender.partnerId && o.creds?.customerId === a.sender.customerId) {
            // The ids are known: a MAC mismatch, explained with the keys masked (outside live).
            expect(r.problem.stringToHash).toMatch(new RegExp(`^${s.url}/ingestion/${a.channelId}&Vaultgate tests&${a.sender.customerId}&.*&<CustomerKey>&<PartnerKey>$`));
          }
        }
      }
      expect([...titles]).toEqual([errorMessage('AUTHENTICATION_FAILED', 'en')]);
      expect(failures.size).toBe(1);
    });

    it('shows the string to hash in the XML envelope too, keys masked', async () => {
      const [, , xml] = await refused('AUTHENTICATION_FAILED', { signedUrl: `${s.url}/elsewhere` });
      expect(xml!.failure).toContain(`String to hash: ${s.url}/ingestion/${a.channelId}&`);
      expect(xml!.failure).toMatch(/&<CustomerKey>&<PartnerKey>/);
      for (const key of keysOf(a.sender)) expect(xml!.res.text).not.toContain(key);
    });

    it('refuses partner and customer credential ids of another environment with ENVIRONMENT_MISMATCH', async () => {
      const [p] = await refused('ENVIRONMENT_MISMATCH', { creds: { ...a.sender, partnerId: newId('partnerCredential', 'live') } });
      expect(p!.problem.detail).toMatch(/live/);
      await refused('ENVIRONMENT_MISMATCH', { creds: { ...a.sender, customerId: newId('customerCredential', 'uat') } });
    });
  });

  describe('timestamps', () => {
    it('refuses a timestamp too old or in the future (TIMESTAMP_OUT_OF_WINDOW)', async () => {
      await refused('TIMESTAMP_OUT_OF_WINDOW', { timestampMs: Date.now() - 10 * 60_000 });
      await refused('TIMESTAMP_OUT_OF_WINDOW', { timestampMs: Date.now() + 10 * 60_000 });
      await refused('TIMESTAMP_OUT_OF_WINDOW', { algorithm: 'HMACSHA256', timestampMs: Date.now() - 10 * 60_000 });
    });

    it('accepts a timestamp inside the window, and ISO 8601 with an offset', async () => {
      await accepted({ timestampMs: Date.now() - 120_000 });
      const now = Date.now();
      const helsinkiSummer = new Date(now + 3 * 3600_000).toISOString().replace('Z', '+03:00');
      await accepted({ timestampMs: now, timestamp: helsinkiSummer });
    });

    it('checks the MAC before the timestamp', async () => {
      await refused('AUTHENTICATION_FAILED', { timestampMs: Date.now() - 10 * 60_000, override: { 'X-Netvisor-Authentication-MAC': 'ab'.repeat(32) } });
    });
  });

  it('gives the message in Finnish, English or Swedish (SE), the language header case-insensitive', async () => {
    const langs: [string, Language][] = [['FI', 'fi'], ['EN', 'en'], ['SE', 'sv'], ['se', 'sv'], ['fi', 'fi']];
    for (const [header, lang] of langs) {
      const rs = await refused('AUTHENTICATION_FAILED', { language: header, creds: { ...a.sender, partnerKey: 'wrong' } }, lang);
      expect(rs[2]!.failure).toContain(errorMessage('AUTHENTICATION_FAILED', lang));
    }
    expect(new Set((['fi', 'en', 'sv'] as const).map((l) => errorMessage('AUTHENTICATION_FAILED', l))).size).toBe(3);
  });

  describe('with VAULTGATE_ALLOW_MD5=true', () => {
    let md5: TestServer;
    let t: Tenant;
    beforeAll(async () => {
      md5 = await startTestServer({ VAULTGATE_ALLOW_MD5: 'true' });
      t = await createTenant(md5.admin, { businessId: '0112038-9' });
    });
    afterAll(() => md5.stop());

    const post = (o: Partial<MacRequestOptions>) =>
      macRequest({ baseUrl: md5.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' }, ...o });

    it('accepts an MD5-signed request, and a legacy one without the algorithm header', async () => {
      const r = await post({ algorithm: 'MD5' });
      expect(r.status, r.text).toBe(200);
      const legacy = await post({ algorithm: 'MD5', override: { 'X-Netvisor-Authentication-MACHashCalculationAlgorithm': undefined } });
      expect(legacy.status, legacy.text).toBe(200);
      expect((await listVault(md5.url, t.reader)).map((m) => m.messageId).sort()).toEqual([r.json().messageId, legacy.json().messageId].sort());
    });

    it('still checks an MD5 MAC, and refuses SHA-1', async () => {
      expectRefusal(await post({ algorithm: 'MD5', creds: { ...t.sender, partnerKey: 'wrong' } }), 'AUTHENTICATION_FAILED', STATUS_MODES[0]!);
      // A SHA256 MAC sent without the algorithm header is taken for MD5, so it does not match.
      expectRefusal(await post({ override: { 'X-Netvisor-Authentication-MACHashCalculationAlgorithm': undefined } }), 'AUTHENTICATION_FAILED', STATUS_MODES[0]!);
      expectRefusal(await post({ override: { 'X-Netvisor-Authentication-MACHashCalculationAlgorithm': 'SHA1' } }), 'MAC_ALGORITHM_NOT_SUPPORTED', STATUS_MODES[0]!);
    });
  });
});
