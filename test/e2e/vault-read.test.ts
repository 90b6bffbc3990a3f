import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type ErrorCode } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type MacCredentials, type MacRequestOptions } from '../helpers/mac-request.js';
import { listVault, refusedInEveryMode, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('reading a vault (/vault/v1/messages)', () => {
  let s: TestServer;
  let a: Tenant; // channel 1: TransportOrder (json, xml) and Invoice (csv, octet-stream)
  let b: Tenant;
  let ch2: string; // A's company with a second party
  let ch2Sender: MacCredentials;
  let pages: string; // A's company, A's party: only the pagination test sends here

  const ingest = async (channelId: string, creds: MacCredentials, body: Buffer | string, contentType: string, messageType?: string) => {
    const res = await macRequest({
      baseUrl: s.url, target: `/ingestion/${channelId}`, creds, body,
      headers: { 'content-type': contentType, ...(messageType ? { 'x-message-type': messageType } : {}) },
    });
    if (res.status !== 200) throw new Error(`ingest: ${res.text}`);
    await sleep(3); // distinct receivedAt for the from/to filters
    return res.json();
  };
  const read = (target: string, creds: MacCredentials = a.reader, o: Partial<MacRequestOptions> = {}, mode?: StatusMode) =>
    macRequest({ baseUrl: s.url, target, creds, useHttpStatusCodes: mode?.useHttpStatusCodes ?? true, json: mode?.json ?? true, ...o });
  const refused = (code: ErrorCode, target: string, creds: MacCredentials = a.reader, o: Partial<MacRequestOptions> = {}) =>
    refusedInEveryMode((mode) => read(target, creds, o, mode), code);
  const ids = (items: any[]) => items.map((m) => m.messageId);

  const csv = Buffer.from('nimi;määrä\nMäkelä;1\n', 'latin1');
  const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a, 0xe4, 0xf0, 0x9f, 0x00]);
  let m1: any, m2: any, m3: any, m4: any, bMsg: any;

  beforeAll(async () => {
    s = await startTestServer();
    a = await createTenant(s.admin, {
      businessId: '1967543-8',
      messageTypes: [
        { name: 'TransportOrder', mediaTypes: ['application/json', 'application/xml'] },
        { name: 'Invoice', mediaTypes: ['text/csv', 'application/octet-stream'] },
      ],
    });
    b = await createTenant(s.admin, { businessId: '2729069-3' });
    const party = await s.admin('POST', '/parties', { name: 'Second Vendor Oy' });
    const partner = await s.admin('POST', `/parties/${party.body.id}/partner-credentials`);
    const one = [{ name: 'TransportOrder', mediaTypes: ['application/json'] }];
    ch2 = (await s.admin('POST', '/channels', { companyId: a.companyId, partyId: party.body.id, messageTypes: one })).body.id;
    ch2Sender = { ...a.sender, partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey };
    pages = (await s.admin('POST', '/channels', { companyId: a.companyId, partyId: a.partyId, messageTypes: one })).body.id;

    m1 = await ingest(a.channelId, a.sender, '{"order":1}', 'application/json', 'TransportOrder');
    m2 = await ingest(a.channelId, a.sender, csv, 'text/csv; charset=ISO-8859-1', 'Invoice');
    m3 = await ingest(ch2, ch2Sender, '{"order":3}', 'application/json');
    m4 = await ingest(a.channelId, a.sender, binary, 'application/octet-stream', 'Invoice');
    bMsg = await ingest(b.channelId, b.sender, '{"b":1}', 'application/json');
  });
  afterAll(() => s.stop());

  describe('the owner', () => {
    it('lists metadata oldest first, without bodies or the company id', async () => {
      const items = await listVault(s.url, a.reader);
      expect(ids(items)).toEqual([m1, m2, m3, m4].map((m) => m.messageId));
      expect(items[1]).toEqual({
        messageId: m2.messageId, channelId: a.channelId, partyId: a.partyId, messageType: 'Invoice', mediaType: 'text/csv',
        contentType: 'text/csv; charset=ISO-8859-1', size: csv.length, sha256: createHash('sha256').update(csv).digest('hex'),
        receivedAt: m2.receivedAt, transactionId: m2.transactionId,
      });
    });

    it('filters by channel, message type and time (from inclusive, to exclusive)', async () => {
      expect(ids(await listVault(s.url, a.reader, `channelId=${ch2}`))).toEqual([m3.messageId]);
      expect(ids(await listVault(s.url, a.reader, 'messageType=Invoice'))).toEqual([m2.messageId, m4.messageId]);
      expect(ids(await listVault(s.url, a.reader, `channelId=${a.channelId}&messageType=TransportOrder`))).toEqual([m1.messageId]);
      expect(ids(await listVault(s.url, a.reader, 'messageType=Nope'))).toEqual([]);
      expect(new Set([m1, m2, m3, m4].map((m) => m.receivedAt)).size).toBe(4);
      expect(ids(await listVault(s.url, a.reader, `from=${m2.receivedAt}&to=${m4.receivedAt}`))).toEqual([m2.messageId, m3.messageId]);
      expect(ids(await listVault(s.url, a.reader, `from=${m4.receivedAt}&channelId=${a.channelId}`))).toEqual([m4.messageId]);
      expect(ids(await listVault(s.url, a.reader, `to=${m2.receivedAt}`))).toEqual([m1.messageId]);
    });

    it('pages with a cursor: limit=2 over 5 messages gives 2, 2, 1 and no repeats', async () => {
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) sent.push((await ingest(pages, a.sender, `{"page":${i}}`, 'application/json')).messageId);
      const seen: number[] = [];
      const got: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await read(`/vault/v1/messages?channelId=${pages}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status, res.text).toBe(200);
        const page = res.json();
        seen.push(page.items.length);
        got.push(...ids(page.items));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen).toEqual([2, 2, 1]);
      expect(got).toEqual(sent);
    });

    it('gets the exact bytes, including non-UTF-8 ones, with the original Content-Type and metadata headers', async () => {
      for (const [m, body, ct] of [[m2, csv, 'text/csv; charset=ISO-8859-1'], [m4, binary, 'application/octet-stream']] as const) {
        for (const json of [true, false]) {
          const res = await read(`/vault/v1/messages/${m.messageId}`, a.reader, { json });
          expect(res.status).toBe(200);
          expect(res.body.equals(body), res.body.toString('hex')).toBe(true);
          expect(res.headers['content-type']).toBe(ct);
          expect(res.headers['x-message-type']).toBe('Invoice');
          expect(res.headers['x-channel-id']).toBe(a.channelId);
          expect(res.headers['x-message-id']).toBe(m.messageId);
          expect(res.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(body).digest('base64')}:`);
        }
      }
    });
  });

  describe('refusals', () => {
    it("does not give another company's reader A's message, nor list it", async () => {
      await refused('NOT_FOUND', `/vault/v1/messages/${m1.messageId}`, b.reader);
      expect(ids(await listVault(s.url, b.reader))).toEqual([bMsg.messageId]);
      expect(ids(await listVault(s.url, b.reader, `channelId=${a.channelId}`))).toEqual([]);
      await refused('NOT_FOUND', `/vault/v1/messages/${bMsg.messageId}`, a.reader);
    });

    it('refuses a credential with only the ingest scope (SCOPE_MISSING)', async () => {
      const [r] = await refused('SCOPE_MISSING', '/vault/v1/messages', a.sender);
      expect(r!.problem.items).toBeUndefined();
      const [g] = await refused('SCOPE_MISSING', `/vault/v1/messages/${m1.messageId}`, a.sender);
      expect(g!.res.text).not.toContain('"order":1');
    });

    it("refuses an Organisation-ID that is not the credential's company (SERVICE_ACCESS_ERROR)", async () => {
      await refused('SERVICE_ACCESS_ERROR', '/vault/v1/messages', { ...a.reader, organisationId: b.businessId });
      await refused('SERVICE_ACCESS_ERROR', `/vault/v1/messages/${bMsg.messageId}`, { ...a.reader, organisationId: b.businessId });
    });

    it('refuses the operator token on /vault (the operator reads no vault: ACCOUNT_FORBIDDEN) and shows no content', async () => {
      for (const target of ['/vault/v1/messages', `/vault/v1/messages/${m1.messageId}`]) {
        const res = await rawRequest({ method: 'GET', url: s.url + target, headers: { authorization: `Bearer ${s.adminToken}` } });
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', status: 403 });
        expect(res.json().items).toBeUndefined();
        expect(res.text).not.toContain(m1.messageId);
        expect(res.text).not.toContain('order');
      }
    });

    it('refuses a reused transaction id on a read (REQUEST_NOT_UNIQUE)', async () => {
      const transactionId = randomUUID();
      expect((await read('/vault/v1/messages', a.reader, { transactionId })).status).toBe(200);
      const rs = await refused('REQUEST_NOT_UNIQUE', '/vault/v1/messages', a.reader, { transactionId });
      expect(rs[0]!.problem.messageId).toBeNull();
      await refused('REQUEST_NOT_UNIQUE', `/vault/v1/messages/${m1.messageId}`, a.reader, { transactionId });
    });

    it('does not burn the transaction id of a read that failed', async () => {
      const transactionId = randomUUID();
      await refused('INVALID_REQUEST', '/vault/v1/messages?limit=0', a.reader, { transactionId });
      await refused('NOT_FOUND', `/vault/v1/messages/${newId('message', 'test')}`, a.reader, { transactionId });
      expect((await read('/vault/v1/messages', a.reader, { transactionId })).status).toBe(200);
    });

    it.each([
      'limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'limit=', 'from=yesterday', 'from=2026-13-01', 'to=2026-01-01T25:00:00Z',
      'from=2026-02-31', 'to=2026-04-31T00:00:00Z', 'unknown=1',
    ])('refuses an invalid query %s (INVALID_REQUEST)', async (q) => {
      await refused('INVALID_REQUEST', `/vault/v1/messages?${q}`);
    });

    it.each(['cursor=garbage', 'cursor=djEuMA', 'cursor='])('refuses a cursor the list did not give out, %s (CURSOR_INVALID, with a remedy)', async (q) => {
      await refused('CURSOR_INVALID', `/vault/v1/messages?${q}`);
    });

    it('refuses ids of another environment with ENVIRONMENT_MISMATCH and unknown ones with NOT_FOUND', async () => {
      await refused('ENVIRONMENT_MISMATCH', `/vault/v1/messages?channelId=${newId('channel', 'live')}`);
      await refused('ENVIRONMENT_MISMATCH', `/vault/v1/messages/${newId('message', 'uat')}`);
      await refused('NOT_FOUND', `/vault/v1/messages/${newId('message', 'test')}`);
    });
  });
});
