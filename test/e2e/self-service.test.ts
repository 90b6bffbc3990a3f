import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { VaultgateClient, signRequest, type MacCredentials } from '../../src/sdk/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type Store } from '../../src/store/index.js';
import { tokenRequest } from '../helpers/oauth.js';
import { tempDir } from '../helpers/servers.js';

/*
 * Self-service over a real socket (issue 14): a vendor requests a channel to a company by business id, the company's
 * admin approves it (narrowed) or declines, the vendor creates its partner credential and the company its customer
 * credentials, a message sent with the SDK (MAC) on the new channel is read back by the company; rotation with an
 * overlap window on the server's clock (both sides of the window, for MAC keys and an OAuth client secret); members
 * list but do not create; either side disables the channel; every step in the audit trail.
 */

const PASSWORD = 'itsepalvelu on mukavaa puuhaa';
const ADMIN = 'b'.repeat(40);

interface Answer { status: number; body: any; headers: Headers }

describe('self-service credentials and channel requests', () => {
  const dir = tempDir();
  let store: Store;
  let built: BuiltApp;
  let url = '';
  /** The server's clock: real time, moved forward by `skewMs` to cross an overlap window. */
  let skewMs = 0;
  const clock = { now: () => Date.now() + skewMs };

  const api = async (method: string, path: string, bearer: string | undefined, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const events = async (action: string): Promise<AuditRecord[]> => {
    const res = await fetch(`${url}/admin/v1/audit?limit=1000&action=${encodeURIComponent(action)}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: AuditRecord[] }).items;
  };
  /** Registers an organisation, approves it with the operator token, and returns its id and an admin API token. */
  const organisation = async (kind: 'company' | 'party' | 'both', email: string, businessId?: string) => {
    const reg = await api('POST', '/registrations', undefined, { kind, organisationName: `${kind} Oy`, ...(businessId ? { businessId } : {}), email, displayName: 'Admin', password: PASSWORD });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const approved = await api('POST', `/admin/registrations/${reg.body.id}/approve`, ADMIN);
    const orgId: string = approved.body.organisationId;
    const session = (await api('POST', '/session', undefined, { email, password: PASSWORD, tokenInBody: true })).body.sessionToken as string;
    // Personal API tokens (90 days) outlive the sessions' idle timeout when the clock moves a day.
    const token = async (role: string) => (await api('POST', '/me/api-tokens', session, { organisationId: orgId, role, name: role })).body.token as string;
    return { orgId, admin: await token('admin'), member: await token('member'), userId: approved.body.userId as string };
  };

  let company: Awaited<ReturnType<typeof organisation>>;
  let vendor: Awaited<ReturnType<typeof organisation>>;
  const businessId = '1967543-8';
  let channelId = '';
  let sender: MacCredentials;
  let reader: MacCredentials;

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir, VAULTGATE_PORT: '0', VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0' } }),
      store, adminToken: ADMIN, clock, publicBaseUrl: () => url,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 7) }, [], undefined), clock, 'test'),
    });
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    const address = built.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    company = await organisation('company', 'admin@yritys.example', businessId);
    vendor = await organisation('party', 'admin@toimittaja.example');
  });
  afterAll(async () => {
    await built.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a vendor requests a channel by business id; nothing exists until the company approves, narrowing the types', async () => {
    const types = [{ name: 'TransportOrder', mediaTypes: ['application/json', 'application/xml'] }, { name: 'Invoice', mediaTypes: ['application/xml'] }];
    expect((await api('POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.member, { businessId, messageTypes: types })).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.admin, { businessId: '2729069-3', messageTypes: types })).status).toBe(404);
    expect((await api('POST', `/organisations/${company.orgId}/channel-requests`, company.admin, { businessId, messageTypes: types })).body.code).toBe('ORGANISATION_KIND_MISMATCH');
    const req = await api('POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.admin, { businessId, messageTypes: types });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    expect(req.body).toMatchObject({ id: expect.stringMatching(/^chr_test_/), status: 'pending', channelId: null, requestedBy: vendor.userId });
    expect((await api('GET', `/organisations/${vendor.orgId}/channels`, vendor.admin)).body.items).toEqual([]);

    // The company sees it pending; its members see it too but cannot decide.
    const pending = await api('GET', `/organisations/${company.orgId}/channel-requests?status=pending`, company.member);
    expect(pending.body.items.map((r: { id: string }) => r.id)).toEqual([req.body.id]);
    // What the company admin needs to decide: who asks (vendor's name, requester's email) and for what.
    expect(pending.body.items[0]).toMatchObject({
      vendorName: 'party Oy', companyName: 'company Oy', requestedByEmail: 'admin@toimittaja.example', messageTypes: types, grantedMessageTypes: null,
    });
    expect((await api('POST', `/organisations/${company.orgId}/channel-requests/${req.body.id}/approve`, company.member, {})).body.code).toBe('ACCOUNT_FORBIDDEN');
    // The vendor cannot approve its own request (it is not the company).
    expect((await api('POST', `/organisations/${vendor.orgId}/channel-requests/${req.body.id}/approve`, vendor.admin, {})).body.code).toBe('ORGANISATION_KIND_MISMATCH');
    const wider = await api('POST', `/organisations/${company.orgId}/channel-requests/${req.body.id}/approve`, company.admin, { messageTypes: [{ name: 'TransportOrder', mediaTypes: ['text/csv'] }] });
    expect(wider.status).toBe(400);
    expect(wider.body.code).toBe('CHANNEL_GRANT_EXCEEDS_REQUEST');

    const approved = await api('POST', `/organisations/${company.orgId}/channel-requests/${req.body.id}/approve`, company.admin, { messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: company.userId, channel: { status: 'active', messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] } });
    channelId = approved.body.channel.id;
    expect(approved.body.channelId).toBe(channelId);
    // The answer's top level says what was granted (the narrowing), as the channel got it; messageTypes stays what was asked.
    expect(approved.body.grantedMessageTypes).toEqual([{ name: 'TransportOrder', mediaTypes: ['application/json'] }]);
    expect(approved.body.messageTypes).toEqual(types);
    const listed = (await api('GET', `/organisations/${vendor.orgId}/channel-requests?status=approved`, vendor.member)).body.items;
    expect(listed).toMatchObject([{ id: req.body.id, channelId, grantedMessageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] }]);
    expect((await api('POST', `/organisations/${company.orgId}/channel-requests/${req.body.id}/decline`, company.admin)).body.code).toBe('STATE_CONFLICT');
    expect((await api('GET', `/organisations/${vendor.orgId}/channels`, vendor.member)).body.items.map((c: { id: string }) => c.id)).toEqual([channelId]);

    // A second request, declined: no channel.
    const again = await api('POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.admin, { businessId, messageTypes: [types[1]] });
    const declined = await api('POST', `/organisations/${company.orgId}/channel-requests/${again.body.id}/decline`, company.admin);
    expect(declined.body).toMatchObject({ status: 'declined', channelId: null, grantedMessageTypes: null, vendorName: 'party Oy' });
    expect((await api('GET', `/organisations/${company.orgId}/channels`, company.admin)).body.items).toHaveLength(1);

    expect((await events('channel-request.create')).map((e) => e.actor.id)).toEqual([vendor.userId, vendor.userId]);
    expect((await events('channel-request.approve'))[0]).toMatchObject({ subject: req.body.id, actor: { kind: 'user', id: company.userId }, tenants: [approved.body.companyId], details: { channelId } });
    expect((await events('channel-request.decline'))[0]).toMatchObject({ subject: again.body.id });
  });

  it('each side creates its credentials (shown once, no-store); members list but do not create; a message sent with the SDK is read back by the company', async () => {
    expect((await api('POST', `/organisations/${vendor.orgId}/partner-credentials`, vendor.member)).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('POST', `/organisations/${vendor.orgId}/customer-credentials`, vendor.admin, { name: 'x' })).body.code).toBe('ORGANISATION_KIND_MISMATCH');
    const partner = await api('POST', `/organisations/${vendor.orgId}/partner-credentials`, vendor.admin);
    expect(partner.status).toBe(201);
    expect(partner.headers.get('cache-control')).toBe('no-store');
    expect(partner.body.partnerKey).toEqual(expect.any(String));
    const listed = await api('GET', `/organisations/${vendor.orgId}/partner-credentials`, vendor.member);
    expect(listed.body.items).toEqual([expect.objectContaining({ partnerId: partner.body.partnerId, status: 'active' })]);
    expect(JSON.stringify(listed.body)).not.toContain(partner.body.partnerKey);

    const ingest = await api('POST', `/organisations/${company.orgId}/customer-credentials`, company.admin, { name: 'for the vendor', scopes: ['ingest'] });
    const read = await api('POST', `/organisations/${company.orgId}/customer-credentials`, company.admin, { name: 'our reader', scopes: ['vault.read'] });
    expect([ingest.status, read.status]).toEqual([201, 201]);
    expect((await api('GET', `/organisations/${company.orgId}/customer-credentials`, company.member)).body.items).toHaveLength(2);
    // Another organisation's credential is not found through this one.
    expect((await api('POST', `/organisations/${vendor.orgId}/partner-credentials/${partner.body.partnerId}/disable`, company.admin)).body.code).toBe('ACCOUNT_FORBIDDEN');

    sender = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey, customerId: ingest.body.customerId, customerKey: ingest.body.customerKey, organisationId: businessId };
    reader = { ...sender, customerId: read.body.customerId, customerKey: read.body.customerKey };
    const vg = new VaultgateClient({ baseUrl: url, credentials: sender, retry: { maxAttempts: 1 } });
    const sent = await vg.send(channelId, '{"order":"Örebro → Oulu"}', { messageType: 'TransportOrder', mediaType: 'application/json' });
    await vg.close();
    expect(sent.messageId).toMatch(/^msg_test_/);
    const owner = new VaultgateClient({ baseUrl: url, credentials: reader, retry: { maxAttempts: 1 } });
    const back = await owner.getMessage(sent.messageId);
    await owner.close();
    expect(back.body?.toString('utf8')).toBe('{"order":"Örebro → Oulu"}');

    // The vendor downloads the Postman files of its channel: ids filled in, keys empty.
    const postman = await api('GET', `/organisations/${vendor.orgId}/channels/${channelId}/postman`, vendor.member);
    expect(postman.status).toBe(200);
    const env = Object.fromEntries((postman.body.environment.values as { key: string; value: string }[]).map((v) => [v.key, v.value]));
    expect(env).toMatchObject({ channelId, partnerId: partner.body.partnerId, organisationId: businessId, partnerKey: '' });

    expect((await events('partner-credential.create'))[0]).toMatchObject({ actor: { id: vendor.userId }, subject: partner.body.partnerId });
    expect((await events('customer-credential.create')).map((e) => e.subject)).toEqual([ingest.body.customerId, read.body.customerId]);
  });

  it("another organisation's credential or channel id is NOT_FOUND exactly as an unknown one is (no existence oracle)", async () => {
    const other = await organisation('company', 'admin@toinen.example', '0112038-9');
    const theirs = (await api('POST', `/organisations/${other.orgId}/customer-credentials`, other.admin, { name: 'theirs' })).body.customerId as string;
    const unknown = 'cid_test_nosuchcredential00000';
    const answer = async (path: string, id: string) => (await api('POST', path.replace(':id', id), company.admin)).body;
    const credential = `/organisations/${company.orgId}/customer-credentials/:id/disable`;
    const [a, b] = [await answer(credential, theirs), await answer(credential, unknown)];
    expect(a).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: `No customer credential ${theirs}.` });
    expect(b).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: `No customer credential ${unknown}.` });
    // The channel between the vendor and the first company, asked about by the other company.
    const channel = `/organisations/${other.orgId}/channels/:id/disable`;
    const c = (await api('POST', channel.replace(':id', channelId), other.admin)).body;
    const d = (await api('POST', channel.replace(':id', 'ch_test_nosuchchannel0000000000'), other.admin)).body;
    expect(c).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: `No channel ${channelId}.` });
    expect(d).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'No channel ch_test_nosuchchannel0000000000.' });
    const strip = (x: Record<string, unknown>) => ({ ...x, detail: undefined, instance: undefined, requestId: undefined, traceId: undefined });
    expect(strip(a)).toEqual(strip(b));
    expect(strip(c)).toEqual(strip(d));
  });

  /** A signed POST on the server's clock (the SDK signs with the real one). */
  const sendAt = async (creds: MacCredentials): Promise<{ status: number; code?: string }> => {
    const target = `${url}/ingestion/${channelId}`;
    const res = await fetch(target, {
      method: 'POST', body: '{"n":1}',
      headers: { ...signRequest(creds, target, { nowMs: clock.now() }), 'content-type': 'application/json', 'x-message-type': 'TransportOrder', accept: 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, ...(text.startsWith('{') ? { code: (JSON.parse(text) as { code?: string }).code } : {}) };
  };

  it('rotation: old and new secrets both work inside the overlap window, only the new one after it (MAC keys and an OAuth client secret)', async () => {
    const client = await api('POST', `/organisations/${vendor.orgId}/clients`, vendor.admin, { name: 'sender' });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    const tooLong = await api('POST', `/organisations/${company.orgId}/customer-credentials/${sender.customerId}/rotate`, company.admin, { overlapHours: 1000 });
    expect(tooLong.body.code).toBe('INVALID_REQUEST');
    expect((await api('POST', `/organisations/${company.orgId}/customer-credentials/${sender.customerId}/rotate`, company.member, {})).body.code).toBe('ACCOUNT_FORBIDDEN');

    const rotatedCustomer = await api('POST', `/organisations/${company.orgId}/customer-credentials/${sender.customerId}/rotate`, company.admin, { overlapHours: 2 });
    expect(rotatedCustomer.status, JSON.stringify(rotatedCustomer.body)).toBe(200);
    expect(rotatedCustomer.headers.get('cache-control')).toBe('no-store');
    expect(Date.parse(rotatedCustomer.body.previousValidUntil) - Date.parse(rotatedCustomer.body.rotatedAt)).toBe(2 * 3_600_000);
    const rotatedPartner = await api('POST', `/organisations/${vendor.orgId}/partner-credentials/${sender.partnerId}/rotate`, vendor.admin, {});
    expect(Date.parse(rotatedPartner.body.previousValidUntil) - Date.parse(rotatedPartner.body.rotatedAt)).toBe(24 * 3_600_000);
    const rotatedClient = await api('POST', `/organisations/${vendor.orgId}/clients/${client.body.clientId}/rotate`, vendor.admin, { overlapHours: 24 });
    expect(rotatedClient.body.clientSecret).not.toBe(client.body.clientSecret);

    const old = sender;
    const fresh = { ...sender, customerKey: rotatedCustomer.body.customerKey, partnerKey: rotatedPartner.body.partnerKey };
    const token = (secret: string) => tokenRequest(url, { grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: secret });

    // Inside both windows: every combination of old and new keys, and both secrets.
    expect((await sendAt(old)).status).toBe(200);
    expect((await sendAt(fresh)).status).toBe(200);
    expect((await sendAt({ ...old, customerKey: fresh.customerKey })).status).toBe(200);
    expect((await token(client.body.clientSecret)).status).toBe(200);
    expect((await token(rotatedClient.body.clientSecret)).status).toBe(200);

    // Past the customer key's 2 hours: the old customer key is refused, the old partner key (24 h) still works.
    skewMs = 2 * 3_600_000 + 1000;
    expect(await sendAt(old)).toMatchObject({ status: 401, code: 'AUTHENTICATION_FAILED' });
    expect((await sendAt({ ...old, customerKey: fresh.customerKey })).status).toBe(200);
    expect((await sendAt(fresh)).status).toBe(200);

    // Past 24 hours: only the new partner key and the new client secret.
    skewMs = 24 * 3_600_000 + 1000;
    expect(await sendAt({ ...old, customerKey: fresh.customerKey })).toMatchObject({ status: 401, code: 'AUTHENTICATION_FAILED' });
    expect((await sendAt(fresh)).status).toBe(200);
    expect((await token(client.body.clientSecret)).status).toBe(401);
    expect((await token(rotatedClient.body.clientSecret)).status).toBe(200);
    sender = fresh;

    expect((await events('customer-credential.rotate'))[0]).toMatchObject({ subject: old.customerId, actor: { id: company.userId }, details: { previousValidUntil: rotatedCustomer.body.previousValidUntil } });
    expect((await events('partner-credential.rotate'))[0]).toMatchObject({ subject: old.partnerId });
    expect((await events('oauth-client.rotate'))[0]).toMatchObject({ subject: client.body.clientId });
    // A disabled credential is not rotated; a private_key_jwt client has no secret to rotate.
    const disabled = await api('POST', `/organisations/${company.orgId}/customer-credentials/${reader.customerId}/disable`, company.admin);
    expect(disabled.body.status).toBe('disabled');
    expect((await api('POST', `/organisations/${company.orgId}/customer-credentials/${reader.customerId}/rotate`, company.admin, {})).body.code).toBe('STATE_CONFLICT');
  });

  it('either side disables the channel: sending stops at once', async () => {
    expect((await api('POST', `/organisations/${vendor.orgId}/channels/${channelId}/disable`, vendor.member)).body.code).toBe('ACCOUNT_FORBIDDEN');
    const off = await api('POST', `/organisations/${vendor.orgId}/channels/${channelId}/disable`, vendor.admin);
    expect(off.body.status).toBe('disabled');
    expect(await sendAt(sender)).toEqual({ status: 403, code: 'CHANNEL_DISABLED' });
    expect((await events('channel.disable'))[0]).toMatchObject({ subject: channelId, actor: { id: vendor.userId } });
  });

  it('an organisation that is both says which side a client is for; a zero overlap refuses the old key at once; a JWK client has no secret to rotate', async () => {
    const both = await organisation('both', 'admin@molemmat.example', '2729069-3');
    const unsure = await api('POST', `/organisations/${both.orgId}/clients`, both.admin, { name: 'which?' });
    expect(unsure.status).toBe(400);
    expect(unsure.body.code).toBe('INVALID_REQUEST');
    const reading = await api('POST', `/organisations/${both.orgId}/clients`, both.admin, { name: 'reader', owner: 'company' });
    const sending = await api('POST', `/organisations/${both.orgId}/clients`, both.admin, { name: 'sender', owner: 'party' });
    expect([reading.body.roles, sending.body.roles]).toEqual([['vault.read'], ['ingest']]);
    expect((await api('GET', `/organisations/${both.orgId}/clients`, both.member)).body.items.map((c: { clientId: string }) => c.clientId)).toEqual([reading.body.clientId, sending.body.clientId]);
    // Another organisation's client is not found through this one.
    expect((await api('POST', `/organisations/${both.orgId}/clients/${reading.body.clientId}/rotate`, vendor.admin, {})).body.code).toBe('ACCOUNT_FORBIDDEN');
    const own = await api('POST', `/organisations/${vendor.orgId}/clients`, vendor.admin, { name: 'own' });
    expect((await api('POST', `/organisations/${both.orgId}/clients/${own.body.clientId}/disable`, both.admin)).status).toBe(404);

    const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
    const keyed = await api('POST', `/organisations/${both.orgId}/clients`, both.admin, { name: 'keyed', owner: 'party', jwk });
    expect(keyed.status, JSON.stringify(keyed.body)).toBe(201);
    expect((await api('POST', `/organisations/${both.orgId}/clients/${keyed.body.clientId}/rotate`, both.admin, {})).body.code).toBe('STATE_CONFLICT');

    // overlapHours 0: the old secret is refused at once, the new one works.
    const old = sending.body.clientSecret as string;
    const rotated = await api('POST', `/organisations/${both.orgId}/clients/${sending.body.clientId}/rotate`, both.admin, { overlapHours: 0 });
    expect(rotated.body.previousValidUntil).toBe(rotated.body.rotatedAt);
    expect((await tokenRequest(url, { grant_type: 'client_credentials', client_id: sending.body.clientId, client_secret: old })).status).toBe(401);
    expect((await tokenRequest(url, { grant_type: 'client_credentials', client_id: sending.body.clientId, client_secret: rotated.body.clientSecret })).status).toBe(200);

    // A suspended organisation's admins manage nothing until it is reinstated.
    expect((await api('POST', `/admin/organisations/${both.orgId}/suspend`, ADMIN)).status).toBe(200);
    const suspended = await api('POST', `/organisations/${both.orgId}/clients/${sending.body.clientId}/rotate`, both.admin, {});
    expect([suspended.status, suspended.body.code]).toEqual([403, 'ORGANISATION_SUSPENDED']);
    expect((await api('GET', `/organisations/${both.orgId}/channel-requests`, both.member)).body.code).toBe('ORGANISATION_SUSPENDED');
    expect((await api('POST', `/admin/organisations/${both.orgId}/reinstate`, ADMIN)).status).toBe(200);
    expect((await api('GET', `/organisations/${both.orgId}/channel-requests`, both.member)).status).toBe(200);
  });
});
