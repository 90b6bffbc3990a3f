import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { macRequest } from '../helpers/mac-request.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('the core loop over HTTP', () => {
  let s: TestServer;
  let t: Tenant;
  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
  });
  afterAll(() => s.stop());

  it('stores a signed message and gives the same bytes back to the owner', async () => {
    const body = Buffer.from(JSON.stringify({ order: 'A-1', city: 'Jyväskylä' }));
    const res = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(res.status, res.text).toBe(200);
    const receipt = res.json();
    expect(receipt).toMatchObject({ channelId: t.channelId, environment: 'test', messageType: 'TransportOrder', mediaType: 'application/json', size: body.length });
    expect(receipt.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(receipt.messageId).toMatch(/^msg_test_/);
    expect(res.headers.location).toBe(`/vault/v1/messages/${receipt.messageId}`);

    const read = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${receipt.messageId}`, creds: t.reader });
    expect(read.status, read.text).toBe(200);
    expect(read.body.equals(body)).toBe(true);
    expect(read.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(read.headers['x-message-type']).toBe('TransportOrder');
    expect(read.headers['x-channel-id']).toBe(t.channelId);
    expect(read.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(body).digest('base64')}:`);

    const list = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages?channelId=${t.channelId}`, creds: t.reader });
    expect(list.status, list.text).toBe(200);
    expect(list.json().items.map((m: any) => m.messageId)).toContain(receipt.messageId);
  });

  it('answers the Netvisor XML envelope when JSON is not asked for', async () => {
    const res = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '<a/>', json: false, useHttpStatusCodes: false, headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toMatch(/<Status>OK<\/Status>/);
    expect(res.text).toMatch(/<InsertedDataIdentifier>msg_test_[0-9a-z]+<\/InsertedDataIdentifier>/);
  });
});
