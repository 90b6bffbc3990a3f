import { randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../../src/protocol/index.js';
import { startBothPaths, type BothPaths } from '../helpers/both-paths.js';
import { fetchToken } from '../helpers/oauth.js';
import { rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { expectRefusal, STATUS_MODES, type StatusMode } from '../helpers/refusals.js';
import { createTenant, type Tenant } from '../helpers/servers.js';

/*
 * Issue 11 §1: a client that always sends `Content-Type: text/plain` and no X-Message-Type names the message type
 * in the URL, `/ingestion/{channelId}?messageType=…`, which the MAC covers as part of the URL. Both HTTP paths: the
 * lean one on the socket and the Fastify route under inject().
 */
describe('?messageType= in the ingestion URL', () => {
  let p: BothPaths;
  let t: Tenant;

  beforeAll(async () => {
    p = await startBothPaths();
    t = await createTenant(p.admin, {
      messageTypes: [{ name: 'Invoice', mediaTypes: ['text/plain'] }, { name: 'Order', mediaTypes: ['application/json', 'text/plain'] }],
    });
  });
  afterAll(() => p.close());

  /** A text/plain request signed over `signedTarget` (default: the target sent), by a socket or through inject. */
  const send = (
    via: 'socket' | 'inject', target: string,
    o: { headers?: Record<string, string>; signedTarget?: string; mode?: StatusMode } = {},
  ): Promise<RawResponse> => {
    const now = Date.now();
    const input = {
      url: p.url + decodeURIComponent(o.signedTarget ?? target), sender: 'Legacy text client', customerId: t.sender.customerId,
      timestamp: formatMacTimestamp(now), language: 'EN', organisationId: t.sender.organisationId, transactionId: randomUUID(),
      timestampUnix: String(Math.floor(now / 1000)), customerKey: t.sender.customerKey, partnerKey: t.sender.partnerKey,
    };
    const mode = o.mode ?? STATUS_MODES[0]!;
    const headers = {
      ...buildMacHeaders(input, { partnerId: t.sender.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: mode.useHttpStatusCodes }),
      ...(mode.json ? { accept: 'application/json' } : {}),
      'content-type': 'text/plain', ...o.headers,
    };
    const body = `line 1 of ${target}\n`;
    return via === 'socket' ? rawRequest({ method: 'POST', url: p.url + target, headers, body: Buffer.from(body) }) : p.inject({ url: target, headers, body });
  };
  const channel = () => `/ingestion/${t.channelId}`;

  describe.each(['socket', 'inject'] as const)('on the %s path', (via) => {
    it('stores a text/plain message under the type the URL names, with no X-Message-Type', async () => {
      for (const type of ['Invoice', 'Order']) {
        const res = await send(via, `${channel()}?messageType=${type}`);
        expect(res.status, res.text).toBe(200);
        expect(res.json()).toMatchObject({ messageType: type, mediaType: 'text/plain' });
      }
    });

    it('takes the header and the parameter together when they agree, and an empty parameter as none', async () => {
      const both = await send(via, `${channel()}?messageType=Order`, { headers: { 'x-message-type': 'Order' } });
      expect(both.status, both.text).toBe(200);
      expect(both.json().messageType).toBe('Order');
      const empty = await send(via, `${channel()}?messageType=`, { headers: { 'x-message-type': 'Invoice' } });
      expect(empty.status, empty.text).toBe(200);
      expect(empty.json().messageType).toBe('Invoice');
    });

    it('refuses a header and a parameter that differ, and a repeated parameter, with MESSAGE_TYPE_CONFLICT (400) in every answer mode', async () => {
      for (const mode of STATUS_MODES) {
        const r = expectRefusal(await send(via, `${channel()}?messageType=Invoice`, { headers: { 'x-message-type': 'Order' }, mode }), 'MESSAGE_TYPE_CONFLICT', mode);
        if (r.problem) expect(r.problem.detail).toBe('X-Message-Type "Order" and ?messageType= "Invoice" differ.');
        else expect(r.failure).toContain('X-Message-Type "Order" and ?messageType= "Invoice" differ.');
      }
      const repeated = expectRefusal(await send(via, `${channel()}?messageType=Invoice&messageType=Invoice`), 'MESSAGE_TYPE_CONFLICT', STATUS_MODES[0]!);
      expect(repeated.problem.detail).toMatch(/given 2 times/);
    });

    it('says where to name the type when the channel has several and none is named', async () => {
      const r = expectRefusal(await send(via, channel()), 'MESSAGE_TYPE_REQUIRED', STATUS_MODES[0]!);
      expect(r.problem.title).toMatch(/\?messageType=/);
      expect(r.problem.detail).toBe('Agreed: Invoice, Order.');
    });

    it('refuses a type that is not agreed, and a media type not agreed for the type named', async () => {
      expect(expectRefusal(await send(via, `${channel()}?messageType=Nope`), 'MESSAGE_TYPE_NOT_AGREED', STATUS_MODES[0]!).problem.detail)
        .toBe('"Nope" is not one of: Invoice, Order.');
      expectRefusal(await send(via, `${channel()}?messageType=Invoice`, { headers: { 'content-type': 'application/json' } }), 'MEDIA_TYPE_NOT_AGREED', STATUS_MODES[0]!);
    });

    it('keeps a control character from the URL out of the answer: the XML envelope stays well-formed', async () => {
      const mode = STATUS_MODES[3]!; // UseHTTPResponseStatusCodes: 1, XML envelope
      const res = await send(via, `${channel()}?messageType=%01x`, { headers: { 'x-message-type': 'Order' }, mode });
      const r = expectRefusal(res, 'MESSAGE_TYPE_CONFLICT', mode);
      expect(XMLValidator.validate(res.text)).toBe(true);
      expect(r.failure).toContain('"\\u0001x"');
      expect(new XMLParser().parse(res.text).Root.ResponseStatus.Status[0]).toBe('FAILED');
    });

    it('is covered by the MAC: a URL signed without the parameter, or with another type, is refused', async () => {
      const noQuery = expectRefusal(await send(via, `${channel()}?messageType=Invoice`, { signedTarget: channel() }), 'AUTHENTICATION_FAILED', STATUS_MODES[0]!);
      // The string to hash names the URL with its query.
      expect(noQuery.problem.stringToHash.startsWith(`${p.url}${channel()}?messageType=Invoice&`)).toBe(true);
      expectRefusal(await send(via, `${channel()}?messageType=Invoice`, { signedTarget: `${channel()}?messageType=Order` }), 'AUTHENTICATION_FAILED', STATUS_MODES[0]!);
    });
  });

  it('works for bearer tokens too, on both paths', async () => {
    const client = await p.admin('POST', `/parties/${t.partyId}/clients`, { name: 'text-erp' });
    expect(client.status).toBe(201);
    const token = await fetchToken(p.url, client.body.clientId, client.body.clientSecret);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'text/plain' };
    const onSocket = await rawRequest({ method: 'POST', url: `${p.url}${channel()}?messageType=Invoice`, headers: { ...headers, 'idempotency-key': randomUUID() }, body: Buffer.from('x') });
    expect(onSocket.status, onSocket.text).toBe(200);
    expect(onSocket.json().messageType).toBe('Invoice');
    const onInject = await p.inject({ url: `${channel()}?messageType=Order`, headers: { ...headers, 'idempotency-key': randomUUID() }, body: 'x' });
    expect(onInject.status, onInject.text).toBe(200);
    expect(onInject.json().messageType).toBe('Order');
    const conflict = await rawRequest({ method: 'POST', url: `${p.url}${channel()}?messageType=Invoice`, headers: { ...headers, 'x-message-type': 'Order' }, body: Buffer.from('x') });
    expect(conflict.status).toBe(400);
    expect(conflict.json()).toMatchObject({ code: 'MESSAGE_TYPE_CONFLICT', status: 400 });
  });
});
