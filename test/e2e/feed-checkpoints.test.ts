import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { apiCall, registerOrganisation, type Answer, type TestOrganisation } from '../helpers/organisations.js';
import { businessIds, createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Feed checkpoints (issue 16) on a real socket: a follower reads GET /vault/v1/feed?checkpoint=<name>, commits the
 * answer's nextCursor with PUT, and after a server restart resumes exactly after what it committed; start and now;
 * a cursor the feed did not give this organisation is refused; at most 100 per organisation; viewers only read.
 */
const TOKEN = 'c'.repeat(40);
const TYPES = [{ name: 'Invoice', mediaTypes: ['application/json'] }];

describe('feed checkpoints', () => {
  let s: TestServer;
  let org: TestOrganisation;
  let reader: MacCredentials;
  let sender: MacCredentials;
  let channelId = '';
  let other: Tenant;
  const [idOrg, idOther] = businessIds(4720000, 2) as [string, string];
  const api = (method: string, path: string, bearer = org.member, body?: unknown): Promise<Answer> => apiCall(s.url, method, path, bearer, body);
  const cp = (name = '') => `/organisations/${org.orgId}/feed/checkpoints${name ? `/${name}` : ''}`;
  const expectCode = (r: { status: number; body: any }, status: number, code: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.code).toBe(code);
  };
  const send = async (i: number): Promise<string> => {
    const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${channelId}`, creds: sender, body: JSON.stringify({ i }), headers: { 'content-type': 'application/json', 'x-message-type': 'Invoice' } });
    expect(r.status, r.text).toBe(200);
    return r.json().messageId;
  };
  const feedRaw = (creds: MacCredentials, query: string) => macRequest({ baseUrl: s.url, target: `/vault/v1/feed${query ? `?${query}` : ''}`, creds, useHttpStatusCodes: true, json: true });
  const feed = async (query: string, creds = reader): Promise<any> => {
    const r = await feedRaw(creds, query);
    expect(r.status, r.text).toBe(200);
    return r.json();
  };
  const ids = (page: any): string[] => page.items.filter((i: any) => i.type === 'message.received').map((i: any) => i.message.messageId);

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_ADMIN_TOKEN: TOKEN });
    org = await registerOrganisation(s.url, TOKEN, { kind: 'company', email: 'admin@seuraaja.test', businessId: idOrg, name: 'Seuraaja Oy' });
    const party = await s.admin('POST', '/parties', { name: 'Lähettäjä Oy' });
    const partner = await s.admin('POST', `/parties/${party.body.id}/partner-credentials`);
    const cred = async (scopes: string[]) => (await s.admin('POST', `/companies/${org.orgId}/customer-credentials`, { name: scopes.join(), scopes })).body;
    const [ingest, read] = [await cred(['ingest']), await cred(['vault.read'])];
    const base = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey, organisationId: idOrg };
    sender = { ...base, customerId: ingest.customerId, customerKey: ingest.customerKey };
    reader = { ...base, customerId: read.customerId, customerKey: read.customerKey };
    const channel = await s.admin('POST', '/channels', { companyId: org.orgId, partyId: party.body.id, messageTypes: TYPES });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    channelId = channel.body.id;
    other = await createTenant(s.admin, { businessId: idOther, messageTypes: TYPES });
  });
  afterAll(() => s?.stop());

  it('reads from a checkpoint, commits nextCursor, and resumes after a restart exactly after the commit', async () => {
    const started = await api('PUT', cp('main'), org.member, { position: 'start' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ name: 'main', messageSeq: 0, grantEventSeq: 0, created: true, updatedBy: org.userId });
    const sent = [await send(1), await send(2), await send(3)];

    const page = await feed('checkpoint=main&limit=2');
    expect(ids(page)).toEqual(sent.slice(0, 2));
    // Reading does not move it: the same two again until committed.
    expect(ids(await feed('checkpoint=main&limit=2'))).toEqual(sent.slice(0, 2));
    const commit = await api('PUT', cp('main'), org.member, { cursor: page.nextCursor });
    expect(commit.status, JSON.stringify(commit.body)).toBe(200);
    expect(commit.body).toMatchObject({ cursor: page.nextCursor, created: false });
    expect(commit.body.messageSeq).toBe(page.items[1].position);

    await s.close();
    s = { ...s, ...(await startTestServer({ VAULTGATE_ADMIN_TOKEN: TOKEN }, s.dataDir)) };
    const resumed = await feed('checkpoint=main');
    expect(ids(resumed)).toEqual([sent[2]]);

    const listed = await api('GET', cp(), org.viewer);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ name: 'main', cursor: page.nextCursor, messageSeq: page.items[1].position })]);
    // The head is past the checkpoint by the one message not committed yet.
    expect(listed.body.head.messageSeq).toBe(resumed.items[0].position);
    expect(listed.body.head.messageSeq).toBeGreaterThan(listed.body.items[0].messageSeq);
  });

  it('starts at "now": only what arrives afterwards', async () => {
    await send(4);
    const now = await api('PUT', cp('tail'), org.admin, { position: 'now' });
    expect(now.status, JSON.stringify(now.body)).toBe(200);
    expect((await feed('checkpoint=tail')).items).toEqual([]);
    const later = await send(5);
    expect(ids(await feed('checkpoint=tail'))).toEqual([later]);
    const one = await api('GET', cp('tail'), org.viewer);
    expect(one.body).toMatchObject({ name: 'tail', updatedBy: org.userId });
  });

  it('works the same for a bearer token of the organisation\'s client (the same reader as its MAC credential)', async () => {
    const client = await s.admin('POST', `/companies/${org.orgId}/clients`, { name: 'follower', roles: ['vault.read'] });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    const token = await fetchToken(s.url, client.body.clientId, client.body.clientSecret);
    expect((await api('PUT', cp('bearer'), org.member, { position: 'now' })).status).toBe(200);
    const later = await send(6);
    const r = await bearerRequest(`${s.url}/vault/v1/feed?checkpoint=bearer`, token);
    expect(r.status, r.text).toBe(200);
    expect(ids(r.json)).toEqual([later]);
    // Its nextCursor commits (a MAC read of the same organisation continues from it).
    expect((await api('PUT', cp('bearer'), org.member, { cursor: r.json.nextCursor })).status).toBe(200);
    expect((await feed('checkpoint=bearer')).items).toEqual([]);
  });

  it('refuses a cursor the feed did not give this organisation, an unknown checkpoint, a bad name, cursor with checkpoint; viewers only read', async () => {
    expectCode(await api('PUT', cp('main'), org.member, { cursor: 'bm90LWEtY3Vyc29y' }), 400, 'FEED_CURSOR_INVALID');
    const theirs = await feed('', other.reader);
    expectCode(await api('PUT', cp('main'), org.member, { cursor: theirs.nextCursor }), 400, 'FEED_CURSOR_INVALID');
    expectCode(await api('PUT', cp('main'), org.member, { cursor: 'x', position: 'now' }), 400, 'INVALID_REQUEST');
    expectCode(await api('PUT', cp('Not%20A%20Name'), org.member, { position: 'start' }), 400, 'INVALID_REQUEST');
    expectCode(await api('PUT', cp('main'), org.viewer, { position: 'start' }), 403, 'ACCOUNT_FORBIDDEN');
    expectCode(await api('DELETE', cp('main'), org.viewer), 403, 'ACCOUNT_FORBIDDEN');
    // (A MAC request is answered with its Netvisor family's status: INVALID_DATA, 400.)
    const missing = await feedRaw(reader, 'checkpoint=nosuch');
    expectCode({ status: missing.status, body: missing.json() }, 400, 'FEED_CHECKPOINT_NOT_FOUND');
    const both = await feedRaw(reader, `checkpoint=main&cursor=${(await feed('')).nextCursor}`);
    expectCode({ status: both.status, body: both.json() }, 400, 'INVALID_REQUEST');
    // Another organisation's reader does not see this organisation's checkpoint.
    const foreign = await feedRaw(other.reader, 'checkpoint=main');
    expectCode({ status: foreign.status, body: foreign.json() }, 400, 'FEED_CHECKPOINT_NOT_FOUND');
    expectCode(await api('GET', cp('nosuch'), org.viewer), 404, 'FEED_CHECKPOINT_NOT_FOUND');
    expectCode(await api('DELETE', cp('nosuch'), org.member), 404, 'FEED_CHECKPOINT_NOT_FOUND');
    expectCode(await api('GET', `/organisations/${other.companyId}/feed/checkpoints`, org.admin), 403, 'ACCOUNT_FORBIDDEN');
  });

  it('keeps at most 100 per organisation; a delete makes room', async () => {
    const have = (await api('GET', `${cp()}?limit=1000`, org.viewer)).body.items.length as number;
    for (let i = have; i < 100; i++) expect((await api('PUT', cp(`c-${i}`), org.member, { position: 'start' })).status).toBe(200);
    expectCode(await api('PUT', cp('one.too_many'), org.member, { position: 'start' }), 409, 'FEED_CHECKPOINT_LIMIT');
    // Moving an existing one still works at the limit.
    expect((await api('PUT', cp('main'), org.member, { position: 'now' })).status).toBe(200);
    const del = await api('DELETE', cp('c-99'), org.member);
    expect(del.status).toBe(204);
    expect((await api('PUT', cp('one.too_many'), org.member, { position: 'start' })).status).toBe(200);
    const page = await api('GET', `${cp()}?limit=60`, org.viewer);
    expect(page.body.items).toHaveLength(60);
    const rest = await api('GET', `${cp()}?limit=60&cursor=${page.body.nextCursor}`, org.viewer);
    expect(rest.body.items).toHaveLength(40);
    expect(rest.body.nextCursor).toBeNull();
    expectCode(await api('GET', `${cp()}?cursor=bm9wZQ`, org.viewer), 400, 'CURSOR_INVALID');
  });
});
