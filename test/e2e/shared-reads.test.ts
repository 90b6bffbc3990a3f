import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { apiCall, registerOrganisation, type Answer, type TestOrganisation } from '../helpers/organisations.js';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../helpers/postgres.js';
import { businessIds, startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * Consumer reads through the whole journey on a real server, on SQLite and on PostgreSQL (issue 15 "done when"):
 * request → narrowed offer → accept through /api/v1 → the consumer's own client (self-service, role shared.read) reads
 * exactly the offered scope → the owner revokes → the next read is refused; the owner's organisation audit trail shows
 * the reads.
 */

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

function sharedReadsOverHttp(storeName: string, storeEnv: () => Record<string, string>): void {
  describe(`consumer reads over HTTP (${storeName})`, () => {
    let s: TestServer;
    let owner: TestOrganisation;
    let consumer: TestOrganisation;
    let ch1 = '';
    let ch2 = '';
    const sent: Array<{ messageId: string; channelId: string; messageType: string; body: string }> = [];
    const api = (method: string, path: string, bearer?: string, body?: unknown): Promise<Answer> => apiCall(s.url, method, path, bearer, body);

    beforeAll(async () => {
      s = await startTestServer(storeEnv());
      const [ownerBid, consumerBid] = businessIds(6160000, 2);
      owner = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'owner@jakaja.example', businessId: ownerBid!, name: 'Jakaja Oy' });
      consumer = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'admin@lukija.example', businessId: consumerBid!, name: 'Lukija Oy' });
      const party = await s.admin('POST', '/parties', { name: 'Lähettäjä Oy' });
      const partner = await s.admin('POST', `/parties/${party.body.id}/partner-credentials`);
      const ingest = await s.admin('POST', `/companies/${owner.orgId}/customer-credentials`, { name: 'ingest', scopes: ['ingest'] });
      const types = [{ name: 'invoice', mediaTypes: ['application/json'] }, { name: 'order', mediaTypes: ['application/json'] }];
      ch1 = (await s.admin('POST', '/channels', { companyId: owner.orgId, partyId: party.body.id, messageTypes: types })).body.id;
      ch2 = (await s.admin('POST', '/channels', { companyId: owner.orgId, partyId: party.body.id, messageTypes: types })).body.id;
      const creds = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey, customerId: ingest.body.customerId, customerKey: ingest.body.customerKey, organisationId: ownerBid! };
      for (let i = 0; i < 8; i++) {
        const channelId = i % 4 < 2 ? ch1 : ch2;
        const messageType = i % 2 === 0 ? 'invoice' : 'order';
        const body = JSON.stringify({ i, kaupunki: 'Hämeenlinna' });
        const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${channelId}`, creds, body, headers: { 'content-type': 'application/json', 'x-message-type': messageType } });
        expect(r.status, r.text).toBe(200);
        sent.push({ messageId: r.json().messageId, channelId, messageType, body });
      }
    });
    afterAll(() => s?.stop());

    it('request → narrowed offer → accept; the consumer reads exactly the offered scope; revocation refuses the next read; the owner sees every read', async () => {
      // The consumer's own client, made by its admin, with the shared.read role.
      const client = await api('POST', `/organisations/${consumer.orgId}/clients`, consumer.admin, { name: 'shared reader', roles: ['shared.read'] });
      expect(client.status, JSON.stringify(client.body)).toBe(201);
      expect(client.body.roles).toEqual(['shared.read']);
      const token = await fetchToken(s.url, client.body.clientId, client.body.clientSecret);
      const read = (path: string) => bearerRequest(`${s.url}/vault/v1/shared${path}`, token);

      expect((await read(`/${owner.orgId}/messages`)).json.code).toBe('GRANT_REQUIRED');

      const req = await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, {
        ownerOrganisationId: owner.orgId, channelIds: [ch1], messageTypes: ['invoice', 'order'], actions: ['read'], purpose: 'Laskujen tarkastus', notOnOrAfter: inHours(24),
      });
      expect(req.status, JSON.stringify(req.body)).toBe(201);
      const id: string = req.body.id;
      expect((await api('POST', `/organisations/${owner.orgId}/grants/${id}/offer`, owner.admin, { messageTypes: ['invoice'] })).status).toBe(200);
      // Offered, not accepted: nothing to read yet.
      expect((await read(`/${owner.orgId}/messages`)).json.code).toBe('GRANT_REQUIRED');
      expect((await api('POST', `/organisations/${consumer.orgId}/grants/${id}/accept`, consumer.admin)).body.state).toBe('active');

      const scope = sent.filter((m) => m.channelId === ch1 && m.messageType === 'invoice');
      expect(scope.length).toBe(2);
      const listed = await read(`/${owner.orgId}/messages?limit=1`);
      expect(listed.status, listed.text).toBe(200);
      const ids = [listed.json.items[0].messageId];
      ids.push(...(await read(`/${owner.orgId}/messages?limit=1&cursor=${listed.json.nextCursor}`)).json.items.map((m: any) => m.messageId));
      expect(ids).toEqual(scope.map((m) => m.messageId));
      expect((await read('')).json).toEqual({ owners: [{ companyId: owner.orgId, name: 'Jakaja Oy', businessId: expect.any(String), grants: [{ grantId: id, channelIds: [ch1], messageTypes: ['invoice'], receivedFrom: null, receivedBefore: null }] }] });
      const got = await read(`/${owner.orgId}/messages/${scope[1]!.messageId}`);
      expect(got.text).toBe(scope[1]!.body);
      expect(got.headers.get('x-grant-id')).toBe(id);
      expect(got.headers.get('cache-control')).toBe('no-store');
      const order = sent.find((m) => m.channelId === ch1 && m.messageType === 'order')!;
      expect((await read(`/${owner.orgId}/messages/${order.messageId}`)).json.code).toBe('NOT_FOUND');
      const exported = (await read(`/${owner.orgId}/export`)).text.trim().split('\n').map((l) => JSON.parse(l));
      expect(exported.slice(0, -1).map((l) => l.body)).toEqual(scope.map((m) => m.body));
      expect(exported.at(-1)).toEqual({ complete: true, count: 2 });
      // A company client reading shared data is not a reader of the consumer's own vault, nor the reverse.
      expect((await bearerRequest(`${s.url}/vault/v1/messages`, token)).json.code).toBe('SCOPE_MISSING');

      expect((await api('POST', `/organisations/${owner.orgId}/grants/${id}/revoke`, owner.admin)).body.state).toBe('revoked');
      expect((await read(`/${owner.orgId}/messages`)).json.code).toBe('GRANT_REQUIRED');
      expect((await read(`/${owner.orgId}/messages/${scope[0]!.messageId}`)).json.code).toBe('GRANT_REQUIRED');
      expect((await read(`/${owner.orgId}/export`)).json.code).toBe('GRANT_REQUIRED');

      const trail = (await api('GET', `/organisations/${owner.orgId}/audit?limit=1000`, owner.viewer)).body.items as AuditRecord[];
      const shared = trail.filter((e) => e.action.startsWith('shared.')).map((e) => `${e.action} ${e.outcome} ${(e.details as any).code ?? ''}`.trim());
      // (sorted: the export's end is recorded after its last line, concurrently with the next request)
      expect(shared.sort()).toEqual([
        'shared.list refused GRANT_REQUIRED', 'shared.list refused GRANT_REQUIRED', 'shared.list success', 'shared.list success', 'shared.get success',
        'shared.get refused NOT_FOUND', 'shared.export success', 'shared.export.end success', 'shared.list refused GRANT_REQUIRED',
        'shared.get refused GRANT_REQUIRED', 'shared.export refused GRANT_REQUIRED',
      ].sort());
      const list = trail.find((e) => e.action === 'shared.list' && e.outcome === 'success')!;
      expect(list).toMatchObject({ actor: { kind: 'oauth-client', id: client.body.clientId }, details: { grantIds: [id], count: 1, messageIds: [scope[0]!.messageId] } });
    });
  });
}

sharedReadsOverHttp('SQLite', () => ({}));
const schema = uniqueSchema('shared_reads');
describePostgres('on PostgreSQL', () => {
  afterAll(() => dropSchemas([schema, `${schema}_keys`]));
  sharedReadsOverHttp('PostgreSQL', () => ({
    VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
    VAULTGATE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'), VAULTGATE_ADMIN_TOKEN: 'p'.repeat(40),
  }));
});
