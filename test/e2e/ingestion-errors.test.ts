import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, newId, type ErrorCode, type Language } from '../../src/protocol/index.js';
import { macRequest, type MacCredentials, type MacRequestOptions } from '../helpers/mac-request.js';
import { listVault, refusedInEveryMode, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

// One server with a small body limit, so the size checks need no large bodies.
const MAX = 1024;

describe('ingestion refusals (POST /ingestion/{channelId})', () => {
  let s: TestServer;
  let a: Tenant; // 1967543-8, one message type (TransportOrder: json, xml)
  let b: Tenant; // 2729069-3, another company and party
  let c: Tenant; // 0112038-9, its party gets disabled
  let twoTypes: string; // a second channel of A's company and party with two message types
  let neutral: { partnerId: string; partnerKey: string }; // a party used only to read vaults

  const ownerReader = (t: Tenant): MacCredentials => ({ ...t.reader, ...neutral });
  const stored = async (): Promise<number> =>
    (await Promise.all([a, b, c].map((t) => listVault(s.url, ownerReader(t))))).reduce((n, items) => n + items.length, 0);

  type Send = Omit<Partial<MacRequestOptions>, 'headers'> & {
    channelId?: string;
    contentType?: string | null;
    messageType?: string;
    headers?: Record<string, string>;
  };
  const send = (mode: StatusMode | undefined, { channelId, contentType, messageType, headers, ...o }: Send = {}) =>
    macRequest({
      baseUrl: s.url,
      target: `/ingestion/${channelId ?? a.channelId}`,
      creds: a.sender,
      body: '{"order":"A-1"}',
      useHttpStatusCodes: mode?.useHttpStatusCodes ?? true,
      json: mode?.json ?? true,
      ...o,
      headers: {
        ...(contentType === null ? {} : { 'content-type': contentType ?? 'application/json' }),
        ...(messageType === undefined ? {} : { 'x-message-type': messageType }),
        ...headers,
      },
    });

  /** Refused with `code` in every status mode, and nothing stored in any vault. */
  const refused = async (code: ErrorCode, o: Send = {}, language: Language = 'en') => {
    const before = await stored();
    const r = await refusedInEveryMode((mode) => send(mode, o), code, language);
    expect(await stored(), 'a refused request stored something').toBe(before);
    return r;
  };

  const accepted = async (o: Send = {}) => {
    const res = await send(undefined, o);
    expect(res.status, res.text).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_MAX_BODY_BYTES: String(MAX) });
    a = await createTenant(s.admin, { businessId: '1967543-8' });
    b = await createTenant(s.admin, { businessId: '2729069-3' });
    c = await createTenant(s.admin, { businessId: '0112038-9' });
    const ch = await s.admin('POST', '/channels', {
      companyId: a.companyId, partyId: a.partyId,
      messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }, { name: 'Invoice', mediaTypes: ['text/csv'] }],
    });
    twoTypes = ch.body.id;
    const party = await s.admin('POST', '/parties', { name: 'Reading Oy' });
    const partner = await s.admin('POST', `/parties/${party.body.id}/partner-credentials`);
    neutral = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey };
  });
  afterAll(() => s.stop());

  describe('the channel', () => {
    it('refuses an unknown channel id of this environment, and a malformed one', async () => {
      await refused('CHANNEL_NOT_FOUND', { channelId: newId('channel', 'test') });
      await refused('CHANNEL_NOT_FOUND', { channelId: 'not-a-channel' });
    });

    it('refuses a channel id of another environment with ENVIRONMENT_MISMATCH, not "not found"', async () => {
      const [r] = await refused('ENVIRONMENT_MISMATCH', { channelId: newId('channel', 'live') });
      expect(r!.problem.detail).toMatch(/live/);
      await refused('ENVIRONMENT_MISMATCH', { channelId: newId('channel', 'uat') });
    });

    it('refuses a disabled channel at once (CHANNEL_DISABLED)', async () => {
      const ch = await s.admin('POST', '/channels', {
        companyId: a.companyId, partyId: a.partyId, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }],
      });
      await accepted({ channelId: ch.body.id });
      expect((await s.admin('POST', `/channels/${ch.body.id}/disable`)).status).toBe(200);
      await refused('CHANNEL_DISABLED', { channelId: ch.body.id });
    });
  });

  describe('who may send on the channel', () => {
    it("refuses another company's party credentials on A's channel (SERVICE_ACCESS_ERROR)", async () => {
      await refused('SERVICE_ACCESS_ERROR', { creds: b.sender });
      // B's partner with A's own customer credential and business id: still not the channel's party.
      await refused('SERVICE_ACCESS_ERROR', { creds: { ...a.sender, partnerId: b.sender.partnerId, partnerKey: b.sender.partnerKey } });
    });

    it("refuses the right party naming another company's business id as Organisation-ID", async () => {
      await refused('SERVICE_ACCESS_ERROR', { creds: { ...a.sender, organisationId: b.businessId } });
      await refused('SERVICE_ACCESS_ERROR', { creds: { ...a.sender, organisationId: '0737546-2' } }); // valid, unregistered
    });

    it('refuses a customer credential of another company, even with the channel company business id', async () => {
      const creds = { ...a.sender, customerId: b.sender.customerId, customerKey: b.sender.customerKey };
      await refused('SERVICE_ACCESS_ERROR', { creds });
    });

    it('refuses a customer credential without the ingest scope (SCOPE_MISSING)', async () => {
      const [r] = await refused('SCOPE_MISSING', { creds: a.reader });
      expect(r!.problem.detail).toMatch(/ingest/);
    });

    it('refuses a revoked partner credential at once (AUTHENTICATION_FAILED)', async () => {
      const p = await s.admin('POST', `/parties/${a.partyId}/partner-credentials`);
      const creds = { ...a.sender, partnerId: p.body.partnerId, partnerKey: p.body.partnerKey };
      await accepted({ creds });
      expect((await s.admin('POST', `/partner-credentials/${p.body.partnerId}/disable`)).body.status).toBe('disabled');
      await refused('AUTHENTICATION_FAILED', { creds });
    });

    it('refuses a revoked customer credential at once (AUTHENTICATION_FAILED)', async () => {
      const cc = await s.admin('POST', `/companies/${a.companyId}/customer-credentials`, { name: 'temp', scopes: ['ingest'] });
      const creds = { ...a.sender, customerId: cc.body.customerId, customerKey: cc.body.customerKey };
      await accepted({ creds });
      expect((await s.admin('POST', `/customer-credentials/${cc.body.customerId}/disable`)).body.status).toBe('disabled');
      await refused('AUTHENTICATION_FAILED', { creds });
    });

    it('refuses a disabled party at once (AUTHENTICATION_FAILED)', async () => {
      await accepted({ channelId: c.channelId, creds: c.sender });
      expect((await s.admin('POST', `/parties/${c.partyId}/disable`)).body.status).toBe('disabled');
      await refused('AUTHENTICATION_FAILED', { channelId: c.channelId, creds: c.sender });
    });
  });

  describe('the message', () => {
    it('needs X-Message-Type when the channel agrees two types', async () => {
      const [r] = await refused('MESSAGE_TYPE_REQUIRED', { channelId: twoTypes });
      expect(r!.problem.detail).toMatch(/TransportOrder.*Invoice/);
      const ok = await accepted({ channelId: twoTypes, messageType: 'Invoice', contentType: 'text/csv', body: 'a;b\n1;2\n' });
      expect(ok).toMatchObject({ messageType: 'Invoice', mediaType: 'text/csv' });
    });

    it('refuses a message type the channel does not agree (MESSAGE_TYPE_NOT_AGREED)', async () => {
      await refused('MESSAGE_TYPE_NOT_AGREED', { messageType: 'Invoice' });
      await refused('MESSAGE_TYPE_NOT_AGREED', { channelId: twoTypes, messageType: 'SalaryRun' });
    });

    it('gives the message in Finnish, English or Swedish by X-Netvisor-Interface-Language', async () => {
      const langs: [string, Language][] = [['FI', 'fi'], ['EN', 'en'], ['SE', 'sv']];
      const titles = new Set<string>();
      for (const [header, lang] of langs) {
        const [json, , xml] = await refused('MESSAGE_TYPE_NOT_AGREED', { messageType: 'Invoice', language: header }, lang);
        titles.add(json!.problem.title);
        expect(xml!.failure).toContain(errorMessage('MESSAGE_TYPE_NOT_AGREED', lang));
      }
      expect(titles.size).toBe(3);
    });

    it('refuses a Content-Type not agreed for the message type, or none (MEDIA_TYPE_NOT_AGREED, 415 in JSON)', async () => {
      const [plain] = await refused('MEDIA_TYPE_NOT_AGREED', { contentType: 'text/plain' });
      expect(plain!.problem.detail).toBe('"text/plain" is not agreed for TransportOrder; agreed: application/json, application/xml.');
      // No Content-Type at all: the detail says it is missing (not "No Content-Type is not agreed"), and what to send.
      const [none, , noneXml] = await refused('MEDIA_TYPE_NOT_AGREED', { contentType: null });
      const missing = 'Content-Type is missing; send one of the media types agreed for TransportOrder: application/json, application/xml.';
      expect(none!.problem.detail).toBe(missing);
      expect(noneXml!.failure).toContain(missing);
      // Agreed for the channel's other message type, not for this one.
      await refused('MEDIA_TYPE_NOT_AGREED', { channelId: twoTypes, messageType: 'Invoice', contentType: 'application/json' });
      for (const lookalike of ['application/jsonx', 'application/json-patch+json', 'application/xml-dtd']) {
        await refused('MEDIA_TYPE_NOT_AGREED', { contentType: lookalike });
      }
    });

    it('matches media types ignoring case and parameters, and keeps the Content-Type as sent', async () => {
      for (const ct of ['Application/JSON; Charset=UTF-8', 'application/json;charset=utf-8', 'APPLICATION/XML; charset="iso-8859-1"']) {
        const receipt = await accepted({ contentType: ct });
        expect(receipt.mediaType).toBe(ct.split(';')[0]!.toLowerCase());
        const read = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${receipt.messageId}`, creds: a.reader });
        expect(read.headers['content-type']).toBe(ct);
      }
    });

    it('refuses an empty body, with Content-Length: 0 and chunked (BODY_EMPTY)', async () => {
      await refused('BODY_EMPTY', { body: '' });
      await refused('BODY_EMPTY', { body: '', headers: { 'transfer-encoding': 'chunked' } });
    });

    it(`refuses a body over ${MAX} bytes, declared or chunked (BODY_TOO_LARGE), and accepts exactly ${MAX}`, async () => {
      await refused('BODY_TOO_LARGE', { body: Buffer.alloc(MAX + 1, 0x61) });
      await refused('BODY_TOO_LARGE', { body: Buffer.alloc(MAX + 1, 0x61), headers: { 'transfer-encoding': 'chunked' } });
      await refused('BODY_TOO_LARGE', { body: Buffer.alloc(4 * MAX, 0x61), headers: { 'transfer-encoding': 'chunked' } });
      expect((await accepted({ body: Buffer.alloc(MAX, 0x61) })).size).toBe(MAX);
      expect((await accepted({ body: Buffer.alloc(MAX, 0x62), headers: { 'transfer-encoding': 'chunked' } })).size).toBe(MAX);
    });
  });

  describe('the order of the checks', () => {
    const badMac = { override: { 'X-Netvisor-Authentication-MAC': 'ab'.repeat(32) } };

    it('checks the channel before the credentials', async () => {
      await refused('CHANNEL_NOT_FOUND', { channelId: newId('channel', 'test'), ...badMac });
    });

    it('checks the MAC before the message type and the media type', async () => {
      await refused('AUTHENTICATION_FAILED', { messageType: 'Invoice', contentType: 'text/plain', ...badMac });
    });

    it('checks the party before the message and its size', async () => {
      await refused('SERVICE_ACCESS_ERROR', { creds: b.sender, body: Buffer.alloc(MAX + 1, 0x61) });
      await refused('SERVICE_ACCESS_ERROR', { creds: b.sender, messageType: 'Nope', contentType: 'text/plain' });
    });

    it('checks the party before the scope, and both before a disabled channel', async () => {
      await refused('SERVICE_ACCESS_ERROR', { creds: { ...a.reader, organisationId: b.businessId } });
      const ch = await s.admin('POST', '/channels', {
        companyId: a.companyId, partyId: a.partyId, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }],
      });
      await s.admin('POST', `/channels/${ch.body.id}/disable`);
      await refused('SERVICE_ACCESS_ERROR', { channelId: ch.body.id, creds: b.sender });
      await refused('SCOPE_MISSING', { channelId: ch.body.id, creds: a.reader });
      await refused('CHANNEL_DISABLED', { channelId: ch.body.id, messageType: 'Nope', body: '' });
    });

    it('checks message type, then media type, then size', async () => {
      await refused('MESSAGE_TYPE_NOT_AGREED', { messageType: 'Nope', contentType: 'text/plain', body: Buffer.alloc(MAX + 1) });
      await refused('MEDIA_TYPE_NOT_AGREED', { contentType: 'text/plain', body: Buffer.alloc(MAX + 1) });
      await refused('MEDIA_TYPE_NOT_AGREED', { contentType: 'text/plain', body: '' });
    });

    it('checks the size before the transaction id', async () => {
      const first = await accepted();
      const [r] = await refused('BODY_TOO_LARGE', { transactionId: first.transactionId, body: Buffer.alloc(MAX + 1) });
      expect(r!.problem.messageId).toBeUndefined();
    });
  });
});
