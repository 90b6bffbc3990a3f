import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { startSmtp } from '../helpers/smtp.js';
import { bearerRequest, fetchToken, tokenRequest } from '../helpers/oauth.js';
import { adminCall, createTenant, spawnServer, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * People of an organisation over a real socket (issue 14): an admin invites by email, a REAL local SMTP server
 * (smtp-server) receives the mail, the test follows the link in it and accepts as a new user; an existing user
 * accepts signed in; single use; roles, the last admin; the operator suspends an organisation and its MAC
 * credentials, OAuth clients, personal API tokens and members' sessions are refused until it is reinstated.
 */

interface Answer { status: number; body: any; headers: Headers }
const PASSWORD = 'kuusi kettua hyppää aidan yli';
const NEW_PASSWORD = 'seitsemän susia ulvoo kuulle';

async function call(url: string, method: string, o: { body?: unknown; bearer?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  const res = await fetch(url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('people: invitations, roles, suspension (issue 14)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let s: TestServer;
  let t: Tenant;
  let adminBearer = '';
  let orgId = '';
  const api = (method: string, path: string, o: { body?: unknown; bearer?: string } = {}) => call(`${s.url}/api/v1${path}`, method, o);
  const events = async (action: string): Promise<AuditRecord[]> => (await s.admin('GET', `/audit?limit=1000&action=${action}`)).body.items;
  const signIn = async (email: string, password = PASSWORD): Promise<string> => {
    const r = await api('POST', '/session', { body: { email, password, tokenInBody: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.sessionToken as string;
  };
  const linkIn = (text: string): string => /(http:\/\/\S+\/api\/v1\/invitations\/vgi_[A-Za-z0-9_-]+)/.exec(text)![1]!;

  beforeAll(async () => {
    smtp = await startSmtp();
    s = await startTestServer({
      VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true', VAULTGATE_SMTP_HOST: '127.0.0.1', VAULTGATE_SMTP_PORT: String(smtp.port), VAULTGATE_SMTP_TLS: 'none',
      VAULTGATE_SMTP_USER: 'vaultgate', VAULTGATE_SMTP_PASSWORD: 'smtp-secret-1', VAULTGATE_MAIL_FROM: 'Vaultgate <no-reply@vaultgate.test>',
    });
    // The company of an existing tenant (admin API) gets an admin user through an invitation by the operator.
    t = await createTenant((m, p, b) => s.admin(m, p, b));
    orgId = t.companyId;
    const r = await api('POST', `/organisations/${orgId}/invitations`, { bearer: s.adminToken, body: { email: 'Aino.Admin@Example.fi', role: 'admin', language: 'fi' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const mail = smtp.mails.at(-1)!;
    const accepted = await call(`${linkIn(mail.text)}/accept`, 'POST', { body: { displayName: 'Aino', password: PASSWORD } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    adminBearer = await signIn('aino.admin@example.fi');
  });
  afterAll(async () => {
    await s?.stop();
    await smtp?.close();
  });

  it('an admin invites by email: the mail reaches the SMTP server in the chosen language; following its link creates the user', async () => {
    const before = smtp.mails.length;
    const r = await api('POST', `/organisations/${orgId}/invitations`, { bearer: adminBearer, body: { email: 'Bertta@Example.fi', role: 'member', language: 'sv' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ mailed: true, invitation: { id: expect.stringMatching(/^inv_test_/), organisationId: orgId, role: 'member', language: 'sv', acceptedAt: null } });
    expect(r.body.link).toBeUndefined(); // mailed: the link is in the mail only
    expect(smtp.mails.length).toBe(before + 1);
    const mail = smtp.mails.at(-1)!;
    expect(mail).toMatchObject({ to: ['Bertta@example.fi'], language: 'sv', auth: 'vaultgate', subject: expect.stringContaining('Inbjudan') });
    expect(mail.text).toContain('rollen member');
    const link = linkIn(mail.text);
    // Following the link: what it invites to, then accepting as a new user (password policy applies).
    const seen = await call(link, 'GET');
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ organisationName: `Company ${t.businessId}`, existingUser: false, invitation: { email: 'Bertta@Example.fi' } });
    expect((await call(`${link}/accept`, 'POST', { body: { displayName: 'Bertta', password: 'lyhyt' } })).body.code).toBe('PASSWORD_TOO_SHORT');
    expect((await call(`${link}/accept`, 'POST', { body: {} })).body.code).toBe('INVALID_REQUEST');
    const ok = await call(`${link}/accept`, 'POST', { body: { displayName: 'Bertta', password: NEW_PASSWORD } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ organisationId: orgId, role: 'member', userId: expect.stringMatching(/^usr_test_/) });
    // Single use.
    const again = await call(`${link}/accept`, 'POST', { body: { displayName: 'Bertta', password: NEW_PASSWORD } });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('INVITATION_INVALID');
    expect((await call(link, 'GET')).body.code).toBe('INVITATION_INVALID');
    // The new user signs in, in the language chosen at the invitation, and sees the membership.
    const bertta = await signIn('bertta@example.fi', NEW_PASSWORD);
    const me = await api('GET', '/me', { bearer: bertta });
    expect(me.body.user).toMatchObject({ language: 'sv', status: 'active' });
    expect(me.body.memberships).toEqual([expect.objectContaining({ organisationId: orgId, role: 'member' })]);
    // A member cannot invite.
    expect((await api('POST', `/organisations/${orgId}/invitations`, { bearer: bertta, body: { email: 'x@example.fi', role: 'member' } })).body.code).toBe('ACCOUNT_FORBIDDEN');
    // Audited: created (no token, no link in the event) and accepted by the new user.
    const created = (await events('invitation.create')).find((e) => e.subject === r.body.invitation.id)!;
    expect(created.details).toMatchObject({ email: 'Bertta@Example.fi', role: 'member', mailed: true });
    expect(JSON.stringify(created)).not.toContain('vgi_');
    const acc = (await events('invitation.accept')).filter((e) => e.subject === r.body.invitation.id);
    expect(acc.map((e) => e.outcome).sort()).toEqual(['refused', 'success']);
    expect(acc.find((e) => e.outcome === 'success')!.actor).toEqual({ kind: 'user', id: ok.body.userId });
  });

  it("the mail is in the inviter's language when none is chosen (Aino's: FI, from her own invitation)", async () => {
    const r = await api('POST', `/organisations/${orgId}/invitations`, { bearer: adminBearer, body: { email: 'cecilia@example.fi', role: 'viewer' } });
    expect(r.status).toBe(201);
    expect(r.body.invitation.language).toBe('fi');
    expect(smtp.mails.at(-1)).toMatchObject({ to: ['cecilia@example.fi'], language: 'fi', subject: expect.stringContaining('Kutsu') });
  });

  it('an existing user accepts signed in as the invited email; another signed-in user is refused', async () => {
    // A second company (admin API) invites Bertta, who exists already.
    const other = await s.admin('POST', '/companies', { name: 'Toinen Oy', businessId: '2729069-3' });
    const inv = await api('POST', `/organisations/${other.body.id}/invitations`, { bearer: s.adminToken, body: { email: 'BERTTA@example.fi', role: 'viewer' } });
    const link = linkIn(smtp.mails.at(-1)!.text);
    expect((await call(link, 'GET')).body.existingUser).toBe(true);
    const anonymous = await call(`${link}/accept`, 'POST', { body: { displayName: 'B', password: NEW_PASSWORD } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('SESSION_REQUIRED');
    const wrong = await call(`${link}/accept`, 'POST', { bearer: adminBearer, body: {} });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('INVITATION_EMAIL_MISMATCH');
    const bertta = await signIn('bertta@example.fi', NEW_PASSWORD);
    const ok = await call(`${link}/accept`, 'POST', { bearer: bertta, body: {} });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ organisationId: other.body.id, role: 'viewer' });
    expect(inv.body.invitation.email).toBe('BERTTA@example.fi');
  });

  it('an expired or revoked link is refused', async () => {
    const r = await api('POST', `/organisations/${orgId}/invitations`, { bearer: adminBearer, body: { email: 'revoked@example.fi', role: 'member' } });
    const link = linkIn(smtp.mails.at(-1)!.text);
    const del = await api('DELETE', `/organisations/${orgId}/invitations/${r.body.invitation.id}`, { bearer: adminBearer });
    expect(del.status).toBe(204);
    expect((await call(`${link}/accept`, 'POST', { body: { displayName: 'R', password: NEW_PASSWORD } })).body.code).toBe('INVITATION_INVALID');
    expect((await api('DELETE', `/organisations/${orgId}/invitations/${r.body.invitation.id}`, { bearer: adminBearer })).body.code).toBe('NOT_FOUND');
    const list = await api('GET', `/organisations/${orgId}/invitations`, { bearer: adminBearer });
    expect(list.body.items.find((i: any) => i.id === r.body.invitation.id)).toMatchObject({ revokedAt: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain('vgi_');
    expect((await call(`${s.url}/api/v1/invitations/vgi_forged`, 'GET')).body.code).toBe('INVITATION_INVALID');
    expect((await events('invitation.revoke')).filter((e) => e.subject === r.body.invitation.id).map((e) => [e.outcome, e.tenants])).toEqual([['success', [orgId]]]);
  });

  it('an admin changes roles and removes members, never the last admin; audited', async () => {
    const members = (await api('GET', `/organisations/${orgId}/members`, { bearer: adminBearer })).body.items as any[];
    const aino = members.find((m) => m.email === 'Aino.Admin@Example.fi')!;
    const bertta = members.find((m) => m.email === 'Bertta@Example.fi')!;
    const last = await api('PUT', `/organisations/${orgId}/members/${aino.userId}`, { bearer: adminBearer, body: { role: 'member' } });
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('LAST_ADMIN');
    expect((await api('DELETE', `/organisations/${orgId}/members/${aino.userId}`, { bearer: adminBearer })).body.code).toBe('LAST_ADMIN');
    expect((await api('PUT', `/organisations/${orgId}/members/usr_test_nobody`, { bearer: adminBearer, body: { role: 'member' } })).body.code).toBe('NOT_FOUND');
    const up = await api('PUT', `/organisations/${orgId}/members/${bertta.userId}`, { bearer: adminBearer, body: { role: 'admin' } });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ userId: bertta.userId, role: 'admin' });
    // Now Aino is not the last admin: she can step down, and Bertta can remove her.
    expect((await api('PUT', `/organisations/${orgId}/members/${aino.userId}`, { bearer: adminBearer, body: { role: 'viewer' } })).status).toBe(200);
    const berttaToken = await signIn('bertta@example.fi', NEW_PASSWORD);
    expect((await api('DELETE', `/organisations/${orgId}/members/${aino.userId}`, { bearer: berttaToken })).status).toBe(204);
    expect((await api('GET', `/organisations/${orgId}`, { bearer: adminBearer })).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await events('membership.role')).map((e) => e.details)).toEqual(expect.arrayContaining([{ organisationId: orgId, role: 'admin' }, { organisationId: orgId, role: 'viewer' }]));
    expect((await events('membership.remove')).some((e) => e.subject === aino.userId && e.actor.id === bertta.userId)).toBe(true);
    adminBearer = berttaToken;
  });

  it('the operator suspends an organisation: MAC, OAuth bearer, API token and session are refused, and work again after reinstatement', async () => {
    const sender = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    const reader = (await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'bi' })).body;
    const pat = (await api('POST', '/me/api-tokens', { bearer: adminBearer, body: { organisationId: orgId, role: 'admin', name: 'ci' } })).body.token as string;
    const macSend = () => macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{"a":1}', headers: { 'content-type': 'application/json' }, useHttpStatusCodes: true });
    const macRead = () => macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: t.reader, useHttpStatusCodes: true, json: true });
    // Tokens issued before the suspension: refused at their next use during it, accepted again after.
    const sendToken = await fetchToken(s.url, sender.clientId, sender.clientSecret);
    const readToken = await fetchToken(s.url, reader.clientId, reader.clientSecret);
    const bearerSend = async () => bearerRequest(`${s.url}/ingestion/${t.channelId}`, sendToken, { body: '{"b":2}', headers: { 'content-type': 'application/json' } });
    const bearerRead = async () => bearerRequest(`${s.url}/vault/v1/messages`, readToken);
    const all = async () => [
      (await macSend()).status, (await macRead()).status, (await bearerSend()).status, (await bearerRead()).status,
      (await api('GET', `/organisations/${orgId}/members`, { bearer: pat })).status, (await api('GET', `/organisations/${orgId}/members`, { bearer: adminBearer })).status,
    ];
    expect(await all()).toEqual([200, 200, 200, 200, 200, 200]);

    // Only an operator suspends.
    expect((await api('POST', `/admin/organisations/${orgId}/suspend`, { bearer: adminBearer })).body.code).toBe('ACCOUNT_FORBIDDEN');
    const sus = await api('POST', `/admin/organisations/${orgId}/suspend`, { bearer: s.adminToken });
    expect(sus.status).toBe(200);
    expect(sus.body.status).toBe('suspended');
    expect((await api('POST', `/admin/organisations/${orgId}/suspend`, { bearer: s.adminToken })).body.code).toBe('STATE_CONFLICT');
    // The company is suspended: its customer credentials (MAC send and read), its client, token and session stop; the
    // vendor's own client is the vendor's (another organisation) and is refused once the vendor is suspended too.
    expect(await all()).toEqual([403, 403, 200, 403, 403, 403]);
    // The refusal names which organisation is suspended, by name and id: the vendor's credential is fine, the company is suspended.
    const companyName = (await s.admin('GET', `/companies/${t.companyId}`)).body.name as string;
    const partyName = (await s.admin('GET', `/parties/${t.partyId}`)).body.name as string;
    expect(companyName).toEqual(expect.any(String));
    expect((await macSend()).json()).toMatchObject({ code: 'ORGANISATION_SUSPENDED', detail: `The company ${companyName} (${t.companyId}) is suspended.`, organisationId: t.companyId });
    expect((await api('GET', `/organisations/${orgId}/members`, { bearer: adminBearer })).body).toMatchObject({ detail: `The company ${companyName} (${orgId}) is suspended.` });
    expect((await api('POST', `/admin/organisations/${t.partyId}/suspend`, { bearer: s.adminToken })).status).toBe(200);
    expect(await all()).toEqual([403, 403, 403, 403, 403, 403]);
    expect((await macSend()).json()).toMatchObject({ code: 'ORGANISATION_SUSPENDED' });
    expect((await macRead()).json()).toMatchObject({ code: 'ORGANISATION_SUSPENDED' });
    expect((await bearerSend()).json).toMatchObject({ code: 'ORGANISATION_SUSPENDED', detail: `The software vendor ${partyName} (${t.partyId}) is suspended.` });
    expect((await bearerRead()).json.code).toBe('ORGANISATION_SUSPENDED');
    expect((await api('GET', `/organisations/${orgId}/members`, { bearer: pat })).body.code).toBe('ORGANISATION_SUSPENDED');
    expect((await api('GET', `/organisations/${orgId}/members`, { bearer: adminBearer })).body.code).toBe('ORGANISATION_SUSPENDED');
    // No new tokens either: the token endpoint answers invalid_client (RFC 6749 §5.2) for a suspended owner.
    const refusedToken = await tokenRequest(s.url, { grant_type: 'client_credentials', client_id: reader.clientId, client_secret: reader.clientSecret });
    expect(refusedToken.status).toBe(401);
    expect(refusedToken.body.error).toBe('invalid_client');
    // The client authenticated correctly, so its description says why (RFC 6749 §5.2 error_description) …
    expect(refusedToken.body.error_description).toContain(`The company ${companyName} (${t.companyId}) is suspended.`);
    // … but with a wrong secret it says nothing about the organisation.
    const wrongSecret = await tokenRequest(s.url, { grant_type: 'client_credentials', client_id: reader.clientId, client_secret: 'x'.repeat(43) });
    expect(wrongSecret.body.error).toBe('invalid_client');
    expect(wrongSecret.body.error_description).not.toContain('suspended');
    // The operator still manages it, and finds the suspended ones in its list of organisations (paged, by status).
    expect((await api('GET', `/organisations/${orgId}/members`, { bearer: s.adminToken })).status).toBe(200);
    const suspended = await api('GET', '/admin/organisations?status=suspended', { bearer: s.adminToken });
    expect(suspended.body.items.map((o: { id: string }) => o.id)).toEqual([orgId, t.partyId]);
    expect(suspended.body.items[0]).toMatchObject({ companyId: t.companyId, status: 'suspended', businessId: expect.any(String) });
    const first = await api('GET', '/admin/organisations?limit=1', { bearer: s.adminToken });
    expect(first.body.items).toHaveLength(1);
    const rest = await api('GET', `/admin/organisations?limit=1000&cursor=${first.body.nextCursor}`, { bearer: s.adminToken });
    expect([...first.body.items, ...rest.body.items].map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([orgId, t.partyId]));
    expect(rest.body.nextCursor).toBeNull();
    expect((await api('GET', '/admin/organisations?status=gone', { bearer: s.adminToken })).status).toBe(400);
    expect((await api('GET', '/admin/organisations', { bearer: adminBearer })).body.code).toBe('ACCOUNT_FORBIDDEN');

    const back = await api('POST', `/admin/organisations/${orgId}/reinstate`, { bearer: s.adminToken });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('active');
    expect((await api('POST', `/admin/organisations/${t.partyId}/reinstate`, { bearer: s.adminToken })).status).toBe(200);
    expect(await all()).toEqual([200, 200, 200, 200, 200, 200]);
    await fetchToken(s.url, reader.clientId, reader.clientSecret);
    const ev = [...(await events('organisation.suspend')), ...(await events('organisation.reinstate'))];
    expect(ev.map((e) => [e.action, e.subject])).toEqual([
      ['organisation.suspend', orgId], ['organisation.suspend', t.partyId], ['organisation.reinstate', orgId], ['organisation.reinstate', t.partyId],
    ]);
    expect(ev[0]!.tenants).toEqual([t.companyId]);
  });
});

describe('invitations when the SMTP server is unreachable, and without SMTP', () => {
  it('answers 503 MAIL_UNAVAILABLE and withdraws the invitation; without SMTP the link comes back once', async () => {
    // A port nothing listens on: bind one, then close it.
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const s = await startTestServer({ VAULTGATE_SMTP_HOST: '127.0.0.1', VAULTGATE_SMTP_PORT: String(port), VAULTGATE_SMTP_TLS: 'none' });
    const plain = await startTestServer();
    try {
      const t = await createTenant((m, p, b) => s.admin(m, p, b));
      const r = await call(`${s.url}/api/v1/organisations/${t.companyId}/invitations`, 'POST', { bearer: s.adminToken, body: { email: 'x@example.fi', role: 'member' } });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('MAIL_UNAVAILABLE');
      const list = await call(`${s.url}/api/v1/organisations/${t.companyId}/invitations`, 'GET', { bearer: s.adminToken });
      expect(list.body.items).toEqual([expect.objectContaining({ email: 'x@example.fi', revokedAt: expect.any(String) })]);

      const p = await createTenant((m, path, b) => plain.admin(m, path, b));
      const inv = await call(`${plain.url}/api/v1/organisations/${p.companyId}/invitations`, 'POST', { bearer: plain.adminToken, body: { email: 'y@example.fi', role: 'viewer' } });
      expect(inv.status).toBe(201);
      expect(inv.body).toMatchObject({ mailed: false, link: expect.stringMatching(new RegExp(`^${plain.url}/api/v1/invitations/vgi_`)) });
      expect(inv.headers.get('cache-control')).toBe('no-store');
      const ok = await call(`${inv.body.link}/accept`, 'POST', { body: { displayName: 'Y', password: PASSWORD } });
      expect(ok.body).toMatchObject({ organisationId: p.companyId, role: 'viewer' });
    } finally {
      await s.stop();
      await plain.stop();
    }
  });
});

describe('invitation mail over STARTTLS', () => {
  it('upgrades with STARTTLS to a server whose certificate VAULTGATE_SMTP_CA trusts, and never sends in plain text when STARTTLS is required', async () => {
    const certs = tempDir('vg-smtp-certs-');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-days', '1', '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'),
    ], { stdio: 'ignore' });
    const tlsSmtp = await startSmtp({ key: readFileSync(join(certs, 'key.pem')), cert: readFileSync(join(certs, 'cert.pem')) });
    const plainSmtp = await startSmtp();
    const smtpEnv = { VAULTGATE_SMTP_HOST: '127.0.0.1', VAULTGATE_SMTP_USER: 'vaultgate', VAULTGATE_SMTP_PASSWORD: 'smtp-secret-1' };
    const s = await startTestServer({ ...smtpEnv, VAULTGATE_SMTP_PORT: String(tlsSmtp.port), VAULTGATE_SMTP_TLS: 'starttls', VAULTGATE_SMTP_CA: join(certs, 'cert.pem') });
    const downgraded = await startTestServer({ ...smtpEnv, VAULTGATE_SMTP_PORT: String(plainSmtp.port), VAULTGATE_SMTP_TLS: 'starttls' });
    try {
      const t = await createTenant((m, p, b) => s.admin(m, p, b));
      const r = await call(`${s.url}/api/v1/organisations/${t.companyId}/invitations`, 'POST', { bearer: s.adminToken, body: { email: 'tls@example.fi', role: 'member' } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(tlsSmtp.mails).toEqual([expect.objectContaining({ to: ['tls@example.fi'], secure: true, auth: 'vaultgate' })]);

      const d = await createTenant((m, p, b) => downgraded.admin(m, p, b));
      const refused = await call(`${downgraded.url}/api/v1/organisations/${d.companyId}/invitations`, 'POST', { bearer: downgraded.adminToken, body: { email: 'plain@example.fi', role: 'member' } });
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('MAIL_UNAVAILABLE');
      expect(plainSmtp.mails).toEqual([]);
    } finally {
      await s.stop();
      await downgraded.stop();
      await tlsSmtp.close();
      await plainSmtp.close();
      rmSync(certs, { recursive: true, force: true });
    }
  });
});

describe('invitation links stay out of the log', () => {
  it('following and accepting a link logs the route with the token redacted', async () => {
    const dataDir = tempDir();
    const srv = await spawnServer({ VAULTGATE_DATA_DIR: dataDir, VAULTGATE_ADMIN_TOKEN: 'o'.repeat(40) });
    try {
      const t = await createTenant((m, p, b) => adminCall(srv.url, 'o'.repeat(40), m, p, b));
      const r = await call(`${srv.url}/api/v1/organisations/${t.companyId}/invitations`, 'POST', { bearer: 'o'.repeat(40), body: { email: 'log@example.fi', role: 'member' } });
      const link = r.body.link as string;
      const token = /vgi_[^/?#]+/.exec(link)![0];
      expect((await call(link, 'GET')).status).toBe(200);
      expect((await call(`${link}/accept`, 'POST', { body: { displayName: 'Loki', password: NEW_PASSWORD } })).status).toBeLessThan(300);
      await expect.poll(() => srv.logs()).toMatch(/"url":"\/api\/v1\/invitations\/vgi_\[redacted\]\/accept"/);
      expect(srv.logs() + srv.stderr()).not.toContain(token);
    } finally {
      srv.child.kill('SIGTERM');
      await srv.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the SMTP password stays out of the log', () => {
  it('a refused SMTP login is MAIL_UNAVAILABLE, logged by its error code only', async () => {
    const smtp = await startSmtp();
    const dataDir = tempDir();
    const secret = 'not-the-smtp-password-7f3a9c';
    const srv = await spawnServer({
      VAULTGATE_DATA_DIR: dataDir, VAULTGATE_ADMIN_TOKEN: 'o'.repeat(40), VAULTGATE_SMTP_HOST: '127.0.0.1', VAULTGATE_SMTP_PORT: String(smtp.port),
      VAULTGATE_SMTP_TLS: 'none', VAULTGATE_SMTP_USER: 'vaultgate', VAULTGATE_SMTP_PASSWORD: secret,
    });
    try {
      const t = await createTenant((m, p, b) => adminCall(srv.url, 'o'.repeat(40), m, p, b));
      const r = await call(`${srv.url}/api/v1/organisations/${t.companyId}/invitations`, 'POST', { bearer: 'o'.repeat(40), body: { email: 'z@example.fi', role: 'member' } });
      expect(r.body.code).toBe('MAIL_UNAVAILABLE');
      expect(smtp.mails).toEqual([]);
      await expect.poll(() => srv.logs()).toMatch(/"code":"MAIL_UNAVAILABLE","cause":"EAUTH"/);
      expect(srv.logs() + srv.stderr()).not.toContain(secret);
    } finally {
      srv.child.kill('SIGTERM');
      await srv.exited;
      await smtp.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
