import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../../src/protocol/index.js';
import type { BuiltApp } from '../../src/server/app.js';
import { startBothPaths, type BothPaths } from '../helpers/both-paths.js';
import { macRequest, rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { createTenant, type Tenant } from '../helpers/servers.js';

/*
 * POST /ingestion/{channelId} is answered by the lean node:http path on a socket and by the Fastify route under
 * inject(); both must answer alike, for the MAC scheme and for bearer tokens of the built-in token endpoint.
 */
describe('the two HTTP paths of POST /ingestion/{channelId}', () => {
  let paths: BothPaths;
  let built: BuiltApp;
  let token = '';
  let url = '';
  let t: Tenant;

  beforeAll(async () => {
    paths = await startBothPaths();
    ({ built, url, adminToken: token } = paths);
    t = await createTenant(paths.admin);
  });
  afterAll(() => paths.close());

  const viaInject = (o: { url: string; headers: Record<string, string>; body: string }): Promise<RawResponse> => paths.inject(o);

  it('answers a signed message alike on a socket and under inject: 200, JSON receipt, Location, request id', async () => {
    const onSocket = await macRequest({ baseUrl: url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(onSocket.status, onSocket.text).toBe(200);
    const receipt = onSocket.json();
    expect(onSocket.headers.location).toBe(`/vault/v1/messages/${receipt.messageId}`);
    expect(onSocket.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(onSocket.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    // The same request (a fresh transaction id) through Fastify's route.
    const onInject = await viaInject({ url: `/ingestion/${t.channelId}`, headers: signedHeaders(url, t), body: '{"a":1}' });
    expect(onInject.status, onInject.text).toBe(200);
    expect(Object.keys(onInject.json()).sort()).toEqual(Object.keys(receipt).sort());
    expect(onInject.headers['content-type']).toBe(onSocket.headers['content-type']);
  });

  it('refuses a request without credentials alike on both paths (problem+json, 401)', async () => {
    const body = '{"a":1}';
    const onSocket = await rawRequest({ method: 'POST', url: `${url}/ingestion/${t.channelId}`, headers: { 'content-type': 'application/json' }, body });
    const onInject = await viaInject({ url: `/ingestion/${t.channelId}`, headers: { 'content-type': 'application/json' }, body });
    for (const res of [onSocket, onInject]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.json().code).toBe('AUTHENTICATION_FAILED');
      expect(res.json().requestId).toBe(res.headers['x-request-id']);
    }
    expect(onSocket.json().detail).toBe(onInject.json().detail);
  });

  it('takes a bearer token on both paths, with Idempotency-Key exactly once across them, and refuses a forged one with its challenge', async () => {
    const client = await built.app.inject({ method: 'POST', url: `/admin/v1/parties/${t.partyId}/clients`, headers: { authorization: `Bearer ${token}` }, payload: { name: 'erp' } });
    expect(client.statusCode, client.body).toBe(201);
    const { clientId, clientSecret } = client.json() as { clientId: string; clientSecret: string };
    const issued = await built.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${clientId}/.default` }).toString(),
    });
    expect(issued.statusCode, issued.body).toBe(200);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${issued.json().access_token as string}`, 'idempotency-key': randomUUID() };
    const onSocket = await rawRequest({ method: 'POST', url: `${url}/ingestion/${t.channelId}`, headers, body: '{"b":2}' });
    expect(onSocket.status, onSocket.text).toBe(200);
    const again = await viaInject({ url: `/ingestion/${t.channelId}`, headers, body: '{"b":2}' });
    expect(again.status, again.text).toBe(409);
    expect(again.json()).toMatchObject({ code: 'REQUEST_NOT_UNIQUE', messageId: onSocket.json().messageId });
    const other = await viaInject({ url: `/ingestion/${t.channelId}`, headers: { ...headers, 'idempotency-key': randomUUID() }, body: '{"b":2}' });
    expect(other.status, other.text).toBe(200);

    const forged = { ...headers, authorization: `Bearer ${(issued.json().access_token as string).slice(0, -4)}AAAA` };
    const refused = await rawRequest({ method: 'POST', url: `${url}/ingestion/${t.channelId}`, headers: forged, body: '{"b":2}' });
    const refusedInject = await viaInject({ url: `/ingestion/${t.channelId}`, headers: forged, body: '{"b":2}' });
    for (const res of [refused, refusedInject]) {
      expect(res.status).toBe(401);
      expect(res.json().code).toBe('TOKEN_SIGNATURE_INVALID');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="vaultgate", error="invalid_token"/);
    }
  });

  it('leaves targets it does not recognise to Fastify: another path is 404 NOT_FOUND, an over-long id 414', async () => {
    const post = (target: string) => rawRequest({ method: 'POST', url: url + target, headers: { 'content-type': 'application/json' }, body: '{}' });
    const other = await post(`/ingestion/${t.channelId}/extra`);
    expect(other.status).toBe(404);
    expect(other.json().code).toBe('NOT_FOUND');
    // The router's parameter length limit (100) answers, as it did before the socket path existed.
    expect((await post(`/ingestion/${'c'.repeat(101)}`)).status).toBe(414);
  });

  it('counts socket-path requests in the metrics under the route', async () => {
    const res = await rawRequest({ method: 'GET', url: `${url}/metrics`, headers: { authorization: `Bearer ${token}` } });
    expect(res.text).toMatch(/vaultgate_requests_total\{route="\/ingestion\/:channelId",method="POST",code="AUTHENTICATION_FAILED"\} [2-9]/);
  });

  it('throttles failed authentication alike on both paths (default limits: 10 failures per credential id)', async () => {
    const unknown = { ...signedHeaders(url, t), 'x-netvisor-authentication-customerid': `${t.sender.customerId}x` };
    for (let i = 0; i < 10; i++) {
      const r = await viaInject({ url: `/ingestion/${t.channelId}`, headers: { ...unknown, 'x-netvisor-authentication-transactionid': randomUUID() }, body: '{}' });
      expect(r.json().code).toBe('AUTHENTICATION_FAILED');
    }
    const viaRoute = await viaInject({ url: `/ingestion/${t.channelId}`, headers: unknown, body: '{}' });
    expect(viaRoute.status).toBe(429);
    expect(viaRoute.headers['retry-after']).toMatch(/^\d+$/);
    expect(viaRoute.json().code).toBe('AUTHENTICATION_THROTTLED');
    const onSocket = await macRequest({
      baseUrl: url, target: `/ingestion/${t.channelId}`, creds: { ...t.sender, customerId: `${t.sender.customerId}x` }, body: '{}', headers: { 'content-type': 'application/json' },
    });
    expect(onSocket.status).toBe(429);
    expect(onSocket.headers['retry-after']).toMatch(/^\d+$/);
    expect(onSocket.json().code).toBe('AUTHENTICATION_THROTTLED');
    // The credential that never failed is not slowed, on either path.
    expect((await viaInject({ url: `/ingestion/${t.channelId}`, headers: signedHeaders(url, t), body: '{"b":1}' })).status).toBe(200);
  });
});

/** The MAC headers a client signs for the server's public URL, for sending the request through inject(). */
function signedHeaders(url: string, t: Tenant): Record<string, string> {
  const now = Date.now();
  const input = {
    url: `${url}/ingestion/${t.channelId}`, sender: 'Vaultgate tests', customerId: t.sender.customerId, timestamp: formatMacTimestamp(now),
    language: 'EN', organisationId: t.sender.organisationId, transactionId: randomUUID(), timestampUnix: String(Math.floor(now / 1000)),
    customerKey: t.sender.customerKey, partnerKey: t.sender.partnerKey,
  };
  return {
    ...buildMacHeaders(input, { partnerId: t.sender.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true }),
    accept: 'application/json', 'content-type': 'application/json',
  };
}
