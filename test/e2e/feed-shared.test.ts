import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { registerOrganisation } from '../helpers/organisations.js';
import { businessIds } from '../helpers/servers.js';
import { ADMIN_TOKEN, companyToken, createTenant, putGrant, revokeGrant, startSharingServer, type SharingServer } from '../helpers/sharing.js';
import type { Tenant } from '../helpers/servers.js';

/*
 * The change feed for shared.read consumers (issue 15: "for consumers behind firewalls", read "with its own
 * credentials ... or a bearer token of a consumer client with a shared.read role"), on a real socket: a company
 * client with only shared.read and a vendor-only organisation's client each poll GET /vault/v1/feed and see exactly
 * the granted messages and their grants' events, none of their own vault; a token with neither role is refused
 * (SCOPE_MISSING, audited); after revocation the next poll shows grant.revoked and no more messages.
 */
const TYPES = [{ name: 'Invoice', mediaTypes: ['application/json'] }, { name: 'TransportOrder', mediaTypes: ['application/json'] }];

describe('change feed with a shared.read token', () => {
  let s: SharingServer;
  let owner: Tenant;
  let consumer: Tenant;
  let vendorId = '';
  let vendorToken = '';
  let consumerToken = '';

  const send = async (t: Tenant, messageType: string, i: number): Promise<string> => {
    const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: JSON.stringify({ i }), headers: { 'content-type': 'application/json', 'x-message-type': messageType } });
    expect(r.status, r.text).toBe(200);
    return r.json().messageId;
  };
  const poll = async (token: string, query = ''): Promise<any> => {
    const r = await bearerRequest(`${s.url}/vault/v1/feed${query ? `?${query}` : ''}`, token);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    return r.json;
  };
  const messageIds = (page: any): string[] => page.items.filter((i: any) => i.type === 'message.received').map((i: any) => i.message.messageId);
  const types = (page: any): string[] => page.items.map((i: any) => i.type);

  beforeAll(async () => {
    s = await startSharingServer();
    const [idO, idC] = businessIds(4620000, 2) as [string, string];
    owner = await createTenant(s.admin, { businessId: idO, messageTypes: TYPES });
    consumer = await createTenant(s.admin, { businessId: idC, messageTypes: TYPES });
    consumerToken = await companyToken(s, consumer.companyId, ['shared.read']);
    vendorId = (await registerOrganisation(s.url, ADMIN_TOKEN, { kind: 'party', email: 'kuljetus@feed-shared.test', name: 'Kuljetus Oy' })).orgId;
    expect(vendorId).toMatch(/^tp_test_/);
    const client = await s.admin('POST', `/parties/${vendorId}/clients`, { name: 'feed', roles: ['shared.read'] });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    vendorToken = await fetchToken(s.url, client.body.clientId, client.body.clientSecret);
  });
  afterAll(() => s?.close());

  it('a company client with only shared.read and a vendor-only organisation\'s client see exactly the granted messages and grant events, none of their own vault; revocation ends it at the next poll', async () => {
    // Before any grant: nothing at all (the consumer company's own messages are not shown to a shared.read token).
    await send(consumer, 'Invoice', 0);
    expect((await poll(consumerToken)).items).toEqual([]);
    expect((await poll(vendorToken)).items).toEqual([]);

    const toConsumer = await putGrant(s.store, owner, consumer.companyId, 'active', { messageTypes: ['Invoice'] });
    const toVendor = await putGrant(s.store, owner, vendorId, 'active', { messageTypes: ['TransportOrder'] });
    const invoice1 = await send(owner, 'Invoice', 1);
    const order1 = await send(owner, 'TransportOrder', 2);
    const invoice2 = await send(owner, 'Invoice', 3);
    await send(consumer, 'Invoice', 4);

    const c = await poll(consumerToken);
    expect(types(c)).toEqual(['grant.activated', 'message.received', 'message.received']);
    expect(c.items[0]).toMatchObject({ grantId: toConsumer.id, companyId: owner.companyId });
    expect(messageIds(c)).toEqual([invoice1, invoice2]);
    for (const item of c.items.slice(1)) {
      expect(item).toMatchObject({ companyId: owner.companyId, grantId: toConsumer.id });
      expect(item.links.body).toBe(`/vault/v1/shared/${owner.companyId}/messages/${item.message.messageId}`);
    }
    const v = await poll(vendorToken, 'body=inline');
    expect(types(v)).toEqual(['grant.activated', 'message.received']);
    expect(v.items[0]).toMatchObject({ grantId: toVendor.id });
    expect(messageIds(v)).toEqual([order1]);
    expect(v.items[1]).toMatchObject({ grantId: toVendor.id, body: JSON.stringify({ i: 2 }) });

    // The same company with a vault.read credential still sees its own vault (and its grant) in the feed.
    const own = await macRequest({ baseUrl: s.url, target: '/vault/v1/feed', creds: consumer.reader, useHttpStatusCodes: true, json: true });
    expect(own.json().items.filter((i: any) => i.grantId === null).length).toBe(2);

    // The reads are in the owner's and the reader's audit trails.
    const audit = (await s.admin('GET', `/audit?limit=1000&tenant=${owner.companyId}&action=feed.read`)).body.items;
    expect(audit.some((e: any) => e.tenants.includes(vendorId) && e.details.owners[owner.companyId] === 1 && e.actor.kind === 'oauth-client')).toBe(true);
    expect(audit.some((e: any) => e.tenants.includes(consumer.companyId) && e.details.owners[owner.companyId] === 2)).toBe(true);

    await revokeGrant(s.store, toConsumer);
    await revokeGrant(s.store, toVendor);
    await send(owner, 'Invoice', 5);
    await send(owner, 'TransportOrder', 6);
    for (const [token, page, grant] of [[consumerToken, c, toConsumer], [vendorToken, v, toVendor]] as const) {
      const after = await poll(token, `cursor=${page.nextCursor}`);
      expect(after.items).toMatchObject([{ type: 'grant.revoked', grantId: grant.id, grant: { state: 'revoked' } }]);
      expect(messageIds(after)).toEqual([]);
      expect(messageIds(await poll(token))).toEqual([]);
    }
  });

  it('authorization: a token with neither vault.read nor shared.read is SCOPE_MISSING naming both roles, audited as vault.access; a reused Idempotency-Key is REQUEST_NOT_UNIQUE', async () => {
    // A company client holds vault.read or shared.read (or both); a party client with only ingest holds neither.
    const vendorIngest = await s.admin('POST', `/parties/${vendorId}/clients`, { name: 'ingest', roles: ['ingest'] });
    expect(vendorIngest.status, JSON.stringify(vendorIngest.body)).toBe(201);
    const both = await s.admin('POST', `/parties/${vendorId}/clients`, { name: 'both', roles: ['ingest', 'shared.read'] });
    expect(both.status, JSON.stringify(both.body)).toBe(201);
    const cases: [string, string][] = [
      ['vendor ingest-only client', await fetchToken(s.url, vendorIngest.body.clientId, vendorIngest.body.clientSecret)],
      ['vendor client with shared.read, token asking for ingest only', await fetchToken(s.url, both.body.clientId, both.body.clientSecret, 'ingest')],
    ];
    for (const [name, token] of cases) {
      const r = await bearerRequest(`${s.url}/vault/v1/feed`, token);
      expect(r.status, name).toBe(403);
      expect(r.json, name).toMatchObject({ code: 'SCOPE_MISSING', remedy: expect.stringContaining('shared.read') });
      expect(r.json.detail, name).toMatch(/vault\.read.*shared\.read/);
      expect(r.text).not.toContain('messageId');
    }
    const refused = (await s.admin('GET', `/audit?limit=1000&tenant=${vendorId}&action=vault.access`)).body.items;
    expect(refused.some((e: any) => e.outcome === 'refused' && e.details.code === 'SCOPE_MISSING' && e.subject === '/vault/v1/feed')).toBe(true);

    // A MAC ingest-only credential is refused as before.
    const mac = await macRequest({ baseUrl: s.url, target: '/vault/v1/feed', creds: consumer.sender as MacCredentials, useHttpStatusCodes: true, json: true });
    expect(mac.json()).toMatchObject({ code: 'SCOPE_MISSING' });

    const key = `feed-shared-${Date.now()}`;
    const once = await bearerRequest(`${s.url}/vault/v1/feed`, vendorToken, { headers: { 'idempotency-key': key } });
    expect(once.status, once.text).toBe(200);
    const twice = await bearerRequest(`${s.url}/vault/v1/feed`, vendorToken, { headers: { 'idempotency-key': key } });
    expect(twice.json).toMatchObject({ code: 'REQUEST_NOT_UNIQUE' });
  });
});
