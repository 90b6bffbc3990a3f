import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import type { AuditRecord } from '../../src/protocol/index.js';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { apiCall, registerOrganisation } from '../helpers/organisations.js';
import { adminCall, createTenant, startTestServer, type TestServer } from '../helpers/servers.js';

describe('admin API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_PUBLIC_URL: 'https://vaultgate.example.com' });
  });
  afterAll(() => s.stop());

  it('refuses requests without the operator token, or with a wrong one', async () => {
    const none = await fetch(`${s.url}/admin/v1/companies`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await none.json()).toMatchObject({ code: 'ADMIN_UNAUTHORIZED', detail: expect.stringContaining('No credential was sent') });
    const basic = await fetch(`${s.url}/admin/v1/companies`, { headers: { authorization: 'Basic eDp5' } });
    expect(await basic.json()).toMatchObject({ code: 'ADMIN_UNAUTHORIZED', detail: expect.stringContaining('not of the form "Bearer <token>"') });
    const wrong = await adminCall(s.url, 'x'.repeat(43), 'GET', '/companies');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('ADMIN_UNAUTHORIZED');
  });

  it("an operator user's session does what the admin token does, once TOTP is enrolled; org admins and API tokens are refused; audit names the user", async () => {
    const password = 'operaattorin oma pitkä salasana';
    const op = await apiCall(s.url, 'POST', '/admin/operators', s.adminToken, { email: 'olli@operator.test', displayName: 'Olli', password });
    expect(op.status, JSON.stringify(op.body)).toBe(201);
    const bearer = (await apiCall(s.url, 'POST', '/session', undefined, { email: 'olli@operator.test', password, tokenInBody: true })).body.sessionToken as string;
    const cookieSignIn = await apiCall(s.url, 'POST', '/session', undefined, { email: 'olli@operator.test', password });
    const cookie = cookieSignIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const csrf = cookieSignIn.body.csrfToken as string;
    // Not enrolled yet: held, as on /api/v1.
    expect((await adminCall(s.url, bearer, 'GET', '/companies')).body).toMatchObject({ code: 'TOTP_REQUIRED', status: 401 });
    const enrol = await apiCall(s.url, 'POST', '/me/totp', bearer);
    expect((await apiCall(s.url, 'POST', '/me/totp/confirm', bearer, { code: totpCode(enrol.body.secret, Date.now()) })).body.totpEnrolled).toBe(true);

    expect((await adminCall(s.url, bearer, 'GET', '/companies')).status).toBe(200);
    const created = await adminCall(s.url, bearer, 'POST', '/companies', { name: 'Operaattorin Oy', businessId: '2331972-7' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await adminCall(s.url, bearer, 'POST', `/companies/${created.body.id}/clients`, { name: 'bi' })).status).toBe(201);
    // The browser session: the cookie, and X-CSRF-Token on every change.
    const viaCookie = (headers: Record<string, string>) => fetch(`${s.url}/admin/v1/parties`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Ohjelmisto Oy' }) });
    expect((await (await viaCookie({})).json()).code).toBe('CSRF_TOKEN_INVALID');
    expect((await viaCookie({ 'x-csrf-token': csrf })).status).toBe(201);
    expect((await fetch(`${s.url}/admin/v1/companies`, { headers: { cookie } })).status).toBe(200);
    const events: AuditRecord[] = (await s.admin('GET', `/audit?limit=1000&actor=${op.body.id}`)).body.items;
    expect(events.map((e) => [e.action, e.actor])).toEqual(expect.arrayContaining([
      ['company.create', { kind: 'user', id: op.body.id }], ['oauth-client.create', { kind: 'user', id: op.body.id }], ['party.create', { kind: 'user', id: op.body.id }],
    ]));

    // An organisation admin (session or personal API token) is no operator.
    const org = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'aino@admin.test', businessId: '1967543-8' });
    const orgSession = (await apiCall(s.url, 'POST', '/session', undefined, { email: org.email, password: org.password, tokenInBody: true })).body.sessionToken as string;
    expect((await adminCall(s.url, orgSession, 'GET', '/companies')).body).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', status: 403 });
    const pat = await adminCall(s.url, org.admin, 'GET', '/companies');
    expect(pat.body).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', detail: expect.stringContaining('never as an operator') });
    // A token that is no session, and an ended one: ADMIN_UNAUTHORIZED, whose remedy names both ways in.
    const unknown = await adminCall(s.url, 'y'.repeat(43), 'GET', '/companies');
    expect(unknown.body).toMatchObject({ code: 'ADMIN_UNAUTHORIZED', status: 401, detail: expect.stringContaining('not a session token') });
    expect(unknown.body.remedy).toMatch(/admin token.*session/s);
    await apiCall(s.url, 'DELETE', '/session', bearer);
    expect((await adminCall(s.url, bearer, 'GET', '/companies')).body).toMatchObject({ code: 'ADMIN_UNAUTHORIZED', detail: expect.stringContaining('signed out') });
  });

  it('registers a company with a valid Finnish business id and refuses a wrong check digit', async () => {
    const ok = await s.admin('POST', '/companies', { name: 'Demo Oy', businessId: '2729069-3' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ name: 'Demo Oy', businessId: '2729069-3', environment: 'test' });
    expect(ok.body.id).toMatch(/^co_test_[0-9a-z]{26}$/);

    const bad = await s.admin('POST', '/companies', { name: 'Typo Oy', businessId: '2729069-4' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BUSINESS_ID_INVALID');
    expect(bad.body.detail).toMatch(/check digit/);

    const taken = await s.admin('POST', '/companies', { name: 'Again', businessId: '2729069-3' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('BUSINESS_ID_TAKEN');

    const other = await s.admin('POST', '/companies', { name: 'Svensk AB', businessId: 'SE556036-0793' });
    expect(other.status).toBe(201);

    const got = await s.admin('GET', `/companies/${ok.body.id}`);
    expect(got.body).toEqual(ok.body);
    const byBid = await s.admin('GET', '/companies?businessId=2729069-3');
    expect(byBid.body.items.map((c: any) => c.id)).toEqual([ok.body.id]);
  });

  it('validates input with coded errors listing every problem, and does not coerce types', async () => {
    const r = await s.admin('POST', '/companies', { name: 5, businessId: 7, extra: true });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('INVALID_REQUEST');
    expect(r.body.problems.length).toBeGreaterThanOrEqual(2);
    const notJson = await fetch(`${s.url}/admin/v1/parties`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' }, body: '{"name":' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).code).toBe('INVALID_REQUEST');
    const badLimit = await s.admin('GET', '/parties?limit=0');
    expect(badLimit.body.code).toBe('INVALID_REQUEST');
    const list = await s.admin('GET', '/companies?limit=abc');
    expect(list.status).toBe(400);
  });

  it('returns keys once, never in lists or gets', async () => {
    const party = await s.admin('POST', '/parties', { name: 'Vendor' });
    const pc = await s.admin('POST', `/parties/${party.body.id}/partner-credentials`);
    expect(pc.status).toBe(201);
    expect(pc.body.partnerId).toMatch(/^pid_test_/);
    expect(pc.body.partnerKey).toMatch(/^[0-9A-F]{64}$/);
    const co = await s.admin('POST', '/companies', { name: 'Keys Oy', businessId: '0112038-9' });
    const cc = await s.admin('POST', `/companies/${co.body.id}/customer-credentials`, { name: 'erp' });
    expect(cc.body).toMatchObject({ scopes: ['ingest'], status: 'active' });
    expect(cc.body.customerKey).toMatch(/^[0-9A-F]{64}$/);

    const all = JSON.stringify([
      await s.admin('GET', `/parties/${party.body.id}/partner-credentials`),
      await s.admin('GET', `/partner-credentials/${pc.body.partnerId}`),
      await s.admin('GET', `/companies/${co.body.id}/customer-credentials`),
      await s.admin('GET', `/customer-credentials/${cc.body.customerId}`),
    ]);
    expect(all).toContain(pc.body.partnerId);
    expect(all).not.toContain(pc.body.partnerKey);
    expect(all).not.toContain(cc.body.customerKey);
    expect(all).not.toMatch(/Key"/);
  });

  it('creates channels with the full ingestion URL under the public base URL', async () => {
    const t = await createTenant(s.admin, { businessId: '1572860-0' });
    expect(t.channelUrl).toBe(`https://vaultgate.example.com/ingestion/${t.channelId}`);
    const ch = await s.admin('GET', `/channels/${t.channelId}`);
    expect(ch.body).toMatchObject({ id: t.channelId, environment: 'test', companyId: t.companyId, partyId: t.partyId, status: 'active' });
    const listed = await s.admin('GET', `/channels?companyId=${t.companyId}`);
    expect(listed.body.items.map((c: any) => c.id)).toEqual([t.channelId]);

    const dupType = await s.admin('POST', '/channels', {
      companyId: t.companyId, partyId: t.partyId,
      messageTypes: [{ name: 'A', mediaTypes: ['application/json'] }, { name: 'A', mediaTypes: ['text/csv'] }],
    });
    expect(dupType.body.code).toBe('INVALID_REQUEST');
    const badMedia = await s.admin('POST', '/channels', { companyId: t.companyId, partyId: t.partyId, messageTypes: [{ name: 'A', mediaTypes: ['not a type'] }] });
    expect(badMedia.body.code).toBe('INVALID_REQUEST');
    const noCompany = await s.admin('POST', '/channels', { companyId: 'co_test_00000000000000000000000000', partyId: t.partyId, messageTypes: [{ name: 'A', mediaTypes: ['text/csv'] }] });
    expect(noCompany.status).toBe(404);
    expect(noCompany.body.code).toBe('NOT_FOUND');
  });

  it('answers ENVIRONMENT_MISMATCH for ids of another environment and NOT_FOUND for unknown ones', async () => {
    for (const path of ['/channels/ch_live_01abc', '/companies/co_uat_01abc', '/parties/tp_live_01abc', '/partner-credentials/pid_live_01abc', '/customer-credentials/cid_uat_01abc']) {
      const r = await s.admin('GET', path);
      expect(r.status, path).toBe(421);
      expect(r.body.code, path).toBe('ENVIRONMENT_MISMATCH');
    }
    const unknown = await s.admin('GET', '/channels/ch_test_0000000000000000000000000a');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    const route = await s.admin('GET', '/nothing-here');
    expect(route.body.code).toBe('NOT_FOUND');
  });

  it('disabling a party disables its credentials and channels, and blocks new ones', async () => {
    const t = await createTenant(s.admin, { businessId: '1234567-1' });
    const before = await macRequest({ baseUrl: s.url, signedUrl: `https://vaultgate.example.com/ingestion/${t.channelId}`, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
    expect(before.status, before.text).toBe(200);
    const d = await s.admin('POST', `/parties/${t.partyId}/disable`);
    expect(d.body).toMatchObject({ status: 'disabled' });
    expect(d.body.disabledAt).toBeTruthy();
    expect((await s.admin('GET', `/channels/${t.channelId}`)).body.status).toBe('disabled');
    expect((await s.admin('GET', `/partner-credentials/${t.sender.partnerId}`)).body.status).toBe('disabled');
    const again = await s.admin('POST', `/parties/${t.partyId}/partner-credentials`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('STATE_CONFLICT');
    const after = await macRequest({ baseUrl: s.url, signedUrl: `https://vaultgate.example.com/ingestion/${t.channelId}`, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
    expect(after.json().code).toBe('AUTHENTICATION_FAILED');
  });

  it('the operator token reads no message content', async () => {
    const r = await fetch(`${s.url}/vault/v1/messages`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    // Of a session's shape, it is taken for a person (issue 16): the operator is none, and reads no vault.
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', detail: expect.stringContaining('does not read vaults') });
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="vaultgate", error="insufficient_scope"/);
  });
});

describe('GET /metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  it('needs the operator token, and counts requests by route and outcome code, bytes, batches and the ledger', async () => {
    const anon = await fetch(`${s.url}/metrics`);
    expect(anon.status).toBe(401);
    expect((await anon.json()).code).toBe('ADMIN_UNAUTHORIZED');

    const t = await createTenant(s.admin);
    const body = '{"metric":true}';
    const send = (transactionId: string) => macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, headers: { 'content-type': 'application/json' }, transactionId });
    expect((await send('m-1')).status).toBe(200);
    expect((await send('m-1')).json().code).toBe('REQUEST_NOT_UNIQUE');

    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/vaultgate_requests_total\{route="\/ingestion\/:channelId",method="POST",code="OK"\} 1/);
    expect(text).toMatch(/vaultgate_requests_total\{route="\/ingestion\/:channelId",method="POST",code="REQUEST_NOT_UNIQUE"\} 1/);
    expect(text).toMatch(/vaultgate_requests_total\{route="\/admin\/v1\/channels",method="POST",code="OK"\} 1/);
    expect(text).toMatch(new RegExp(`vaultgate_ingested_bytes_total ${body.length}\\b`));
    expect(text).toMatch(/vaultgate_ingested_messages_total 1\b/);
    expect(text).toMatch(/vaultgate_commit_batch_size_count 2\b/);
    expect(text).toMatch(/vaultgate_transaction_ledger_size 1\b/);
    // Counted in the histogram (the +Inf bucket: every request, however slow; no timing is asserted).
    expect(text).toMatch(/vaultgate_request_duration_seconds_bucket\{le="\+Inf",route="\/ingestion\/:channelId"\} 2/);
    expect(text).toMatch(/vaultgate_process_resident_memory_bytes \d+/);
    expect(text).not.toContain(t.sender.partnerKey);
  });
});
