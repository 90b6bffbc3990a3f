import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type AuditRecord } from '../../src/protocol/index.js';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { startSmtp } from '../helpers/smtp.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * The way back after a forgotten password or a lost authenticator (issue 14), over a real socket: an operator resets a
 * TOTP and issues a password-reset link (returned once without SMTP; mailed through a REAL local SMTP server with it);
 * an organisation admin resets a member's TOTP within the rule; the person sets a new password with the link (once,
 * every session ends); a signed-in user replaces their own authenticator with a current code. Also the other
 * findings of the newcomer's walk-through that answer on /api/v1.
 */

const PASSWORD = 'palautuksen salasana on pitkä';
const NEW_PASSWORD = 'uusi salasana on vieläkin pidempi';

describe('recovery (issue 14)', () => {
  let s: TestServer;
  let org: TestOrganisation;
  let other: TestOrganisation;
  const api = (method: string, path: string, bearer?: string, body?: unknown) => apiCall(s.url, method, path, bearer, body);
  const signIn = async (email: string, password = PASSWORD, totp?: string) => api('POST', '/session', undefined, { email, password, tokenInBody: true, ...(totp ? { totp } : {}) });
  const events = async (action: string): Promise<AuditRecord[]> => (await s.admin('GET', `/audit?limit=1000&action=${action}`)).body.items;
  /** A user of `org` with `role`, invited and accepted (the link comes back without SMTP); returns their id and a session. */
  const memberOf = async (o: TestOrganisation, email: string, role: 'admin' | 'member'): Promise<{ id: string; session: string }> => {
    const inv = await api('POST', `/organisations/${o.orgId}/invitations`, o.admin, { email, role });
    const accepted = await fetch(`${inv.body.link}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: email, password: PASSWORD }) });
    const id = ((await accepted.json()) as { userId: string }).userId;
    return { id, session: (await signIn(email)).body.sessionToken as string };
  };
  const enrol = async (session: string): Promise<string> => {
    const e = await api('POST', '/me/totp', session);
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    expect((await api('POST', '/me/totp/confirm', session, { code: totpCode(e.body.secret, Date.now()) })).body.totpEnrolled).toBe(true);
    return e.body.secret as string;
  };

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_SESSION_IDLE_S: '600' });
    org = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'aino@recovery.test', businessId: '1967543-8', password: PASSWORD });
    other = await registerOrganisation(s.url, s.adminToken, { kind: 'party', email: 'bertta@recovery.test', password: PASSWORD });
  });
  afterAll(() => s.stop());

  it("an operator finds a user's id by email (exact, case-insensitive) or lists the operators, in pages; adding an operator with a taken email says there is no promotion", async () => {
    const byEmail = await api('GET', `/admin/users?email=${encodeURIComponent('AINO@Recovery.TEST')}`, s.adminToken);
    expect(byEmail.status, JSON.stringify(byEmail.body)).toBe(200);
    expect(byEmail.body).toEqual({ items: [expect.objectContaining({ id: org.userId, email: 'aino@recovery.test', platformRole: null, totpEnrolled: false })], nextCursor: null });
    expect(JSON.stringify(byEmail.body)).not.toMatch(/password|argon2|totpSecret/i);
    expect((await api('GET', '/admin/users?email=aino@recovery', s.adminToken)).body.items).toEqual([]); // exact, not a prefix
    const added = await api('POST', '/admin/operators', s.adminToken, { email: 'outi@recovery.test', displayName: 'Outi', password: PASSWORD });
    expect(added.status).toBe(201);
    expect((await api('GET', '/admin/users?platformRole=operator', s.adminToken)).body.items.map((u: { id: string }) => u.id)).toContain(added.body.id);
    expect((await api('GET', '/admin/users?platformRole=operator', s.adminToken)).body.items.map((u: { platformRole: string }) => u.platformRole)).not.toContain(null);
    const first = await api('GET', '/admin/users?limit=1', s.adminToken);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await api('GET', `/admin/users?limit=1&cursor=${first.body.nextCursor}`, s.adminToken)).body.items[0].id).not.toBe(first.body.items[0].id);
    expect((await api('GET', '/admin/users?platformRole=admin', s.adminToken)).body.code).toBe('INVALID_REQUEST');
    expect((await api('GET', '/admin/users', org.admin)).body.code).toBe('ACCOUNT_FORBIDDEN');
    const taken = await api('POST', '/admin/operators', s.adminToken, { email: 'Aino@recovery.test', displayName: 'Aino', password: PASSWORD });
    expect(taken.body).toMatchObject({ status: 409, code: 'USER_EMAIL_TAKEN', detail: expect.stringContaining('there is no promotion') });
    expect(taken.body.detail).toContain('/api/v1/admin/users?email=');
  });

  it('ACCOUNT_FORBIDDEN: the detail carries the advice for its cause; the remedy is general and true for each', async () => {
    const member = await memberOf(org, 'filip@recovery.test', 'member');
    const adminV1 = async (bearer: string) => (await fetch(`${s.url}/admin/v1/companies`, { headers: { authorization: `Bearer ${bearer}` } })).json() as Promise<Record<string, string>>;
    const answers = {
      nonOperator: await adminV1(member.session),
      apiToken: await adminV1(org.admin),
      tokenCap: (await api('POST', '/me/api-tokens', member.session, { organisationId: org.orgId, role: 'admin', name: 'x' })).body,
      notMember: (await api('POST', '/me/api-tokens', member.session, { organisationId: other.orgId, role: 'viewer', name: 'x' })).body,
      role: (await api('POST', `/organisations/${org.orgId}/invitations`, member.session, { email: 'x@recovery.test', role: 'member' })).body,
      operatorOnly: (await api('GET', '/admin/users', member.session)).body,
    };
    expect(answers.nonOperator.detail).toContain('sign in as an operator user');
    expect(answers.apiToken.detail).toContain('A personal API token acts in its one organisation');
    expect(answers.tokenCap.detail).toContain(`your own role in ${org.orgId} (member): create it with that role or lower`);
    expect(answers.notMember.detail).toContain('you are not a member of it');
    expect(answers.role.detail).toBe(`Needs the role admin in ${org.orgId} (yours: member): an admin of it gives roles.`);
    expect(answers.operatorOnly.detail).toContain("an operator user's session");
    for (const a of Object.values(answers)) {
      expect(a).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', title: 'Your account may not do this.' });
      expect(a.remedy).toBe(ERROR_CATALOGUE.ACCOUNT_FORBIDDEN.remedy.en);
    }
  });

  it('an operator issues a password-reset link (returned once without SMTP); it sets a new password once and ends every session', async () => {
    const member = await memberOf(org, 'cecilia@recovery.test', 'member');
    const second = (await signIn('cecilia@recovery.test')).body.sessionToken as string;
    // Only an operator issues one.
    expect((await api('POST', `/admin/users/${member.id}/password-reset`, org.admin)).body.code).toBe('ACCOUNT_FORBIDDEN');
    const first = await api('POST', `/admin/users/${member.id}/password-reset`, s.adminToken);
    const issued = await api('POST', `/admin/users/${member.id}/password-reset`, s.adminToken);
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.body).toMatchObject({ mailed: false, link: expect.stringMatching(/\/api\/v1\/password-reset\/vgr_[A-Za-z0-9_-]{43}$/), passwordReset: { userId: member.id, usedAt: null } });
    expect(JSON.stringify(issued.body.passwordReset)).not.toContain('vgr_');
    const post = (link: string, password: string) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    // The newer link replaced the older one; the password policy applies before the link is spent.
    expect((await post(first.body.link, NEW_PASSWORD)).body).toMatchObject({ code: 'PASSWORD_RESET_INVALID', status: 404 });
    expect((await post(issued.body.link, 'lyhyt')).body.code).toBe('PASSWORD_TOO_SHORT');
    expect((await post(issued.body.link, 'password123456')).body.code).toBe('PASSWORD_TOO_COMMON');
    expect(await post(issued.body.link, NEW_PASSWORD)).toEqual({ status: 200, body: { userId: member.id } });
    expect((await post(issued.body.link, `${NEW_PASSWORD}!`)).body.code).toBe('PASSWORD_RESET_INVALID');
    // Every session ended; the old password is wrong, the new one works.
    for (const t of [member.session, second]) expect((await api('GET', '/me', t)).body.code).toBe('SESSION_REQUIRED');
    expect((await signIn('cecilia@recovery.test')).body.code).toBe('SIGN_IN_FAILED');
    expect((await signIn('cecilia@recovery.test', NEW_PASSWORD)).status).toBe(201);
    expect((await api('POST', '/admin/users/usr_test_nosuchuser00000000000/password-reset', s.adminToken)).body.code).toBe('NOT_FOUND');
    const ev = [...(await events('user.password-reset-issue')), ...(await events('user.password-reset'))];
    expect(ev.map((e) => [e.action, e.outcome, e.actor.kind])).toEqual([
      ['user.password-reset-issue', 'success', 'operator'], ['user.password-reset-issue', 'success', 'operator'],
      ['user.password-reset', 'refused', 'anonymous'], ['user.password-reset', 'success', 'user'], ['user.password-reset', 'refused', 'anonymous'],
    ]);
    expect(JSON.stringify(ev)).not.toMatch(/vgr_/);
  });

  it('an operator resets a lost authenticator: the user signs in with the password alone, then enrols again; their sessions end', async () => {
    const member = await memberOf(org, 'daniel@recovery.test', 'member');
    await enrol(member.session);
    expect((await signIn('daniel@recovery.test')).body.code).toBe('TOTP_REQUIRED');
    const reset = await api('DELETE', `/admin/users/${member.id}/totp`, s.adminToken);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body).toMatchObject({ id: member.id, totpEnrolled: false });
    expect((await api('GET', '/me', member.session)).body.code).toBe('SESSION_REQUIRED');
    const again = await signIn('daniel@recovery.test');
    expect(again.status).toBe(201);
    await enrol(again.body.sessionToken);
    expect((await api('DELETE', `/admin/users/${member.id}/totp`, org.admin)).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('DELETE', `/admin/users/${member.id}/totp`, s.adminToken)).status).toBe(200);
    expect((await api('DELETE', `/admin/users/${member.id}/totp`, s.adminToken)).body.code).toBe('STATE_CONFLICT');
    expect((await events('user.totp-reset')).map((e) => [e.subject, e.actor.kind])).toEqual([[member.id, 'operator'], [member.id, 'operator']]);
  });

  it("an organisation's admin resets a member's TOTP, but not an operator's, an admin's of another organisation, or their own", async () => {
    const member = await memberOf(org, 'eero@recovery.test', 'member');
    await enrol(member.session);
    const adminSession = (await signIn(org.email)).body.sessionToken as string;
    const url = (id: string) => `/organisations/${org.orgId}/members/${id}/totp`;
    const ok = await api('DELETE', url(member.id), adminSession);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await events('user.totp-reset')).at(-1)).toMatchObject({ subject: member.id, actor: { kind: 'user', id: org.userId }, details: { organisationId: org.orgId } });
    // A member is not an admin; an id that is not a member of the organisation is NOT_FOUND (exists or not).
    expect((await api('DELETE', url(member.id), member.session)).body.code).toBe('SESSION_REQUIRED'); // the reset ended it
    const memberSession = (await signIn('eero@recovery.test')).body.sessionToken as string;
    expect((await api('DELETE', url(org.userId), memberSession)).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('DELETE', url(other.userId), adminSession)).body.code).toBe('NOT_FOUND');
    // Bertta is an admin of the vendor too: only an operator resets her second factor.
    const bertta = (await signIn(other.email)).body.sessionToken as string;
    await enrol(bertta);
    const inv = await api('POST', `/organisations/${org.orgId}/invitations`, org.admin, { email: other.email, role: 'member' });
    expect((await fetch(`${inv.body.link}/accept`, { method: 'POST', headers: { authorization: `Bearer ${bertta}`, 'content-type': 'application/json' }, body: '{}' })).status).toBeLessThan(300);
    const refused = await api('DELETE', url(other.userId), adminSession);
    expect(refused.body).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', detail: expect.stringContaining(other.orgId) });
    expect((await api('DELETE', url(org.userId), adminSession)).body).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', detail: expect.stringContaining('You cannot reset your own authenticator') });
    expect((await api('DELETE', url(org.userId), adminSession)).body.detail).toContain('vaultgate account totp replace');
    // An operator user is never reset by an organisation admin.
    const op = await api('POST', '/admin/operators', s.adminToken, { email: 'olli@recovery.test', displayName: 'Olli', password: PASSWORD });
    const opSession = (await signIn('olli@recovery.test')).body.sessionToken as string;
    await enrol(opSession);
    const opInv = await api('POST', `/organisations/${org.orgId}/invitations`, org.admin, { email: 'olli@recovery.test', role: 'member' });
    await fetch(`${opInv.body.link}/accept`, { method: 'POST', headers: { authorization: `Bearer ${opSession}`, 'content-type': 'application/json' }, body: '{}' });
    expect((await api('DELETE', url(op.body.id), adminSession)).body).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', detail: expect.stringContaining('operator') });
    // The operator user does it (on /api/v1 as on /admin/v1).
    expect((await api('DELETE', `/admin/users/${other.userId}/totp`, opSession)).status).toBe(200);
  });

  it('a signed-in user replaces their own authenticator with a current code; the old one works until the new one is confirmed', async () => {
    const member = await memberOf(org, 'fanni@recovery.test', 'member');
    const old = await enrol(member.session);
    const noCode = await api('POST', '/me/totp', member.session);
    expect(noCode.body).toMatchObject({ code: 'STATE_CONFLICT', detail: expect.stringContaining('"code"') });
    const short = await api('POST', '/me/totp', member.session, { code: '12345' });
    expect(short.body).toMatchObject({ code: 'TOTP_INVALID', detail: expect.stringContaining('6 digits') });
    expect((await api('POST', '/me/totp', member.session, { code: '000000' })).body.code).toBe('TOTP_INVALID');
    // The confirmation spent this step: the next one (within the drift window) starts the replacement.
    const started = await api('POST', '/me/totp', member.session, { code: totpCode(old, Date.now() + 30_000) });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.headers.get('cache-control')).toBe('no-store');
    expect(started.body.otpauthUri).toContain(started.body.secret);
    expect((await api('GET', '/me', member.session)).body.user.totpEnrolled).toBe(true);
    expect((await api('POST', '/me/totp/confirm', member.session, { code: totpCode(old, Date.now() + 30_000) })).body.code).toBe('TOTP_INVALID');
    const done = await api('POST', '/me/totp/confirm', member.session, { code: totpCode(started.body.secret, Date.now()) });
    expect(done.body).toMatchObject({ totpEnrolled: true });
    expect((await api('POST', '/me/totp/confirm', member.session, { code: '123456' })).body.code).toBe('STATE_CONFLICT');
    // Sign-in now takes the new authenticator's codes, not the old one's.
    expect((await signIn('fanni@recovery.test', PASSWORD, totpCode(old, Date.now() - 30_000))).body.code).toBe('TOTP_INVALID');
    expect((await signIn('fanni@recovery.test', PASSWORD, totpCode(started.body.secret, Date.now() + 30_000))).status).toBe(201);
    expect((await events('user.totp-replace')).map((e) => e.outcome)).toEqual(['refused', 'success']);
    expect((await events('user.totp-replace-start')).map((e) => e.outcome)).toEqual(['refused', 'refused', 'success']);
  });

  it('the newcomer findings on /api/v1: a TOTP code that is not 6 digits, a business id with a wrong check digit, why a session is refused', async () => {
    const member = await memberOf(org, 'gunnar@recovery.test', 'member');
    const secret = await enrol(member.session);
    expect((await signIn('gunnar@recovery.test', PASSWORD, '1234567')).body).toMatchObject({ code: 'TOTP_INVALID', detail: 'A code is 6 digits (0-9), as the authenticator app shows it, without spaces.' });
    expect((await signIn('gunnar@recovery.test', PASSWORD, totpCode(secret, Date.now() + 30_000))).status).toBe(201);
    // A channel request's business id with a wrong check digit is told as such, not as an unknown company.
    const types = [{ name: 'TransportOrder', mediaTypes: ['application/json'] }];
    expect((await api('POST', `/organisations/${other.orgId}/channel-requests`, other.admin, { businessId: '1967543-9', messageTypes: types })).body).toMatchObject({ code: 'BUSINESS_ID_INVALID', status: 400 });
    expect((await api('POST', `/organisations/${other.orgId}/channel-requests`, other.admin, { businessId: '2729069-3', messageTypes: types })).body.code).toBe('NOT_FOUND');
    // Remedies point to self-service rather than the operator, and to the real path.
    const kind = await api('POST', `/organisations/${org.orgId}/channel-requests`, org.admin, { businessId: '2729069-3', messageTypes: types });
    expect(kind.body).toMatchObject({ code: 'ORGANISATION_KIND_MISMATCH', remedy: expect.stringContaining('register a separate organisation of that kind') });
    const forbidden = await api('GET', `/organisations/${other.orgId}/members`, org.member);
    expect(forbidden.body).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', remedy: expect.stringContaining('check the id you gave with --org') });
    expect(forbidden.body.remedy).toContain('`vaultgate account me`');
    for (const code of ['CHANNEL_DISABLED', 'MESSAGE_TYPE_NOT_AGREED'] as const) {
      expect(ERROR_CATALOGUE[code].remedy.en).toMatch(/vaultgate org --org <vendor> channels request .*vaultgate org --org <company> channels approve/);
      expect(ERROR_CATALOGUE[code].remedy.en).not.toMatch(/ask the operator/i);
    }
    // A token that is not a session says so (not "sign in again"); a signed-out session says it was signed out.
    const unknown = await api('GET', `/organisations/${org.orgId}/members`, 'z'.repeat(43));
    expect(unknown.body).toMatchObject({ code: 'SESSION_REQUIRED', detail: expect.stringContaining('not a session token') });
    await api('DELETE', '/session', member.session);
    expect((await api('GET', '/me', member.session)).body).toMatchObject({ code: 'SESSION_REQUIRED', detail: 'The session was signed out: sign in again.' });
  });
});

describe('a password-reset link by mail', () => {
  it('goes to the user in their language through the SMTP server, and is not in the answer', async () => {
    const smtp = await startSmtp();
    const s = await startTestServer({
      VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true', VAULTGATE_SMTP_HOST: '127.0.0.1', VAULTGATE_SMTP_PORT: String(smtp.port), VAULTGATE_SMTP_TLS: 'none',
      VAULTGATE_SMTP_USER: 'vaultgate', VAULTGATE_SMTP_PASSWORD: 'smtp-secret-1',
    });
    try {
      const reg = await apiCall(s.url, 'POST', '/registrations', undefined, { kind: 'party', organisationName: 'Posti Oy', email: 'helmi@mail.test', displayName: 'Helmi', language: 'sv', password: PASSWORD });
      const issued = await apiCall(s.url, 'POST', `/admin/users/${reg.body.userId}/password-reset`, s.adminToken);
      expect(issued.status).toBe(201);
      expect(issued.body.mailed).toBe(true);
      expect(issued.body.link).toBeUndefined();
      await expect.poll(() => smtp.mails.length).toBe(1);
      expect(smtp.mails[0]).toMatchObject({ to: ['helmi@mail.test'], language: 'sv', subject: 'Välj ett nytt lösenord för Vaultgate' });
      const link = /(http:\/\/\S+\/api\/v1\/password-reset\/vgr_[A-Za-z0-9_-]+)/.exec(smtp.mails[0]!.text)![1]!;
      const done = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: NEW_PASSWORD }) });
      expect(done.status).toBe(200);
      expect((await apiCall(s.url, 'POST', '/session', undefined, { email: 'helmi@mail.test', password: NEW_PASSWORD, tokenInBody: true })).status).toBe(201);
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});
