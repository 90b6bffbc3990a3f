import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * Accounts over a real socket (issue 14): registration → the operator approves → sign-in with password and TOTP →
 * /me → sign-out everywhere → the old session refused; CSRF; throttled sign-in; the authorization matrix of the
 * organisation routes; and the audit events of every step.
 */

interface Answer { status: number; body: any; headers: Headers }

async function call(base: string, method: string, path: string, o: { body?: unknown; cookie?: string; csrf?: string; bearer?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  const res = await fetch(`${base}/api/v1${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const PASSWORD = 'kuusi kettua hyppää aidan yli';

describe('accounts (issue 14)', () => {
  let s: TestServer;
  const api = (method: string, path: string, o: Parameters<typeof call>[3] = {}) => call(s.url, method, path, o);
  const events = async (q: string): Promise<AuditRecord[]> => {
    const r = await s.admin('GET', `/audit?limit=1000&${q}`);
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const register = (email: string, over: Record<string, unknown> = {}) =>
    api('POST', '/registrations', { body: { kind: 'company', organisationName: 'Tilitoimisto Oy', businessId: '1967543-8', email, displayName: 'Aino Ääkkönen', language: 'fi', password: PASSWORD, ...over } });
  /** Signs in with a cookie; returns the cookie header to send back and the CSRF token. */
  const signIn = async (email: string, extra: Record<string, unknown> = {}) => {
    const r = await api('POST', '/session', { body: { email, password: PASSWORD, ...extra } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const setCookie = r.headers.getSetCookie()[0]!;
    return { cookie: setCookie.split(';')[0]!, csrf: r.body.csrfToken as string, setCookie, body: r.body };
  };

  let adminEmail = '';
  let companyOrg = '';
  let totpSecret = '';
  /** The company admin's session from the TOTP sign-in (a code's step can be used once: tests reuse this one). */
  let adminBearer = '';
  /** A cookie session of the company admin from before TOTP, still live until sign-out everywhere. */
  let adminCookie = '';
  let vendorOrgId = '';

  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  it('registers a company with its admin user, pending; weak passwords and a taken email are refused', async () => {
    adminEmail = 'Aino.Admin@Example.fi';
    expect((await register('weak@example.fi', { password: 'lyhyt' })).body.code).toBe('PASSWORD_TOO_SHORT');
    expect((await register('weak@example.fi', { password: 'password123456' })).body).toMatchObject({ code: 'PASSWORD_TOO_COMMON', status: 400 });
    expect((await register('bad@example.fi', { businessId: '1967543-9' })).body.code).toBe('BUSINESS_ID_INVALID');
    const r = await register(adminEmail);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: expect.stringMatching(/^reg_test_/), kind: 'company', status: 'pending', businessId: '1967543-8', organisationId: null });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const again = await register(adminEmail.toLowerCase(), { businessId: '2729069-3' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('USER_EMAIL_TAKEN');
    // Not approved yet: the account cannot sign in, with the same answer as a wrong password.
    const early = await api('POST', '/session', { body: { email: adminEmail, password: PASSWORD } });
    expect(early.status).toBe(401);
    expect(early.body.code).toBe('SIGN_IN_FAILED');
  });

  it('only an operator approves: the operator token lists and approves; anonymous and a company user are refused', async () => {
    const anonymous = await api('GET', '/admin/registrations?status=pending');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('SESSION_REQUIRED');
    const pending = await api('GET', '/admin/registrations?status=pending', { bearer: s.adminToken });
    expect(pending.status).toBe(200);
    expect(pending.body.items).toHaveLength(1);
    const approved = await api('POST', `/admin/registrations/${pending.body.items[0].id}/approve`, { bearer: s.adminToken });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'operator', organisationId: expect.stringMatching(/^co_test_/) });
    companyOrg = approved.body.organisationId;
    const twice = await api('POST', `/admin/registrations/${pending.body.items[0].id}/approve`, { bearer: s.adminToken });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('STATE_CONFLICT');
    // The organisation is a company of the registry, visible to the operator's admin API.
    expect((await s.admin('GET', `/companies/${companyOrg}`)).body).toMatchObject({ businessId: '1967543-8', name: 'Tilitoimisto Oy' });
    const user = await signIn(adminEmail);
    const refused = await api('POST', `/admin/registrations/${pending.body.items[0].id}/decline`, { cookie: user.cookie, csrf: user.csrf });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ACCOUNT_FORBIDDEN');
  });

  it('signs in with a __Host- cookie (HttpOnly, SameSite=Strict, Path=/, Secure even on plain HTTP: the prefix requires it) and shows /me', async () => {
    const { cookie, setCookie, body } = await signIn(adminEmail.toUpperCase());
    expect(setCookie).toMatch(/^__Host-vaultgate-session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Secure/);
    expect(body.user).toMatchObject({ email: adminEmail, language: 'fi', totpEnrolled: false, platformRole: null });
    expect(body.sessionToken).toBeUndefined();
    const me = await api('GET', '/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { email: adminEmail }, memberships: [{ organisationId: companyOrg, role: 'admin', organisation: { businessId: '1967543-8' } }], totpEnrolmentRequired: false });
    const wrong = await api('POST', '/session', { body: { email: adminEmail, password: 'not the password at all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('SIGN_IN_FAILED');
  });

  it('refuses a state-changing cookie request without the CSRF token, with a wrong one, or cross-site', async () => {
    const { cookie, csrf } = await signIn(adminEmail);
    adminCookie = cookie;
    for (const o of [{ cookie }, { cookie, csrf: 'x'.repeat(43) }, { cookie, csrf, headers: { 'sec-fetch-site': 'cross-site' } }]) {
      const r = await api('POST', '/me/totp', o);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('CSRF_TOKEN_INVALID');
    }
    expect((await api('GET', '/session/csrf', { cookie })).body.csrfToken).toBe(csrf);
  });

  it('enrols TOTP (URI shown once), then requires the code at sign-in; a code is accepted once', async () => {
    const { cookie, csrf } = await signIn(adminEmail);
    const enrol = await api('POST', '/me/totp', { cookie, csrf });
    expect(enrol.status).toBe(201);
    expect(enrol.headers.get('cache-control')).toBe('no-store');
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Vaultgate%20\(test\):Aino\.Admin%40Example\.fi\?/);
    totpSecret = enrol.body.secret;
    expect((await api('POST', '/me/totp/confirm', { cookie, csrf, body: { code: '000000' === totpCode(totpSecret, Date.now()) ? '111111' : '000000' } })).body.code).toBe('TOTP_INVALID');
    const confirmed = await api('POST', '/me/totp/confirm', { cookie, csrf, body: { code: totpCode(totpSecret, Date.now()) } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.totpEnrolled).toBe(true);
    // Confirming again says that it is on already (not "start the enrolment"), under the neutral STATE_CONFLICT title.
    const again = await api('POST', '/me/totp/confirm', { cookie, csrf, body: { code: totpCode(totpSecret, Date.now()) } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'STATE_CONFLICT', title: 'The resource is not in a state that allows this.', detail: expect.stringContaining('confirmed already') });

    const without = await api('POST', '/session', { body: { email: adminEmail, password: PASSWORD } });
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('TOTP_REQUIRED');
    // The confirmation used the current step; the next step's code is within the window.
    const code = totpCode(totpSecret, Date.now() + 30_000);
    const ok = await api('POST', '/session', { body: { email: adminEmail, password: PASSWORD, totp: code, tokenInBody: true } });
    expect(ok.status).toBe(201);
    expect(ok.headers.getSetCookie()).toEqual([]);
    expect(ok.body.sessionToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const replay = await api('POST', '/session', { body: { email: adminEmail, password: PASSWORD, totp: code } });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('TOTP_INVALID');
    // A bearer session needs no CSRF token.
    adminBearer = ok.body.sessionToken;
    expect((await api('GET', '/me', { bearer: adminBearer })).body.user.totpEnrolled).toBe(true);
  });

  it('authorization matrix of the organisation routes: members of the organisation and operators only, admins to change', async () => {
    // A second organisation, a software vendor, with its own admin.
    const reg = await register('vendor@ohjelmisto.fi', { kind: 'party', businessId: undefined, organisationName: 'Ohjelmisto Oy' });
    const vendorOrg = (await api('POST', `/admin/registrations/${reg.body.id}/approve`, { bearer: s.adminToken })).body.organisationId as string;
    vendorOrgId = vendorOrg;
    expect(vendorOrg).toMatch(/^tp_test_/);
    const operator = await api('POST', '/admin/operators', { bearer: s.adminToken, body: { email: 'ops@vaultgate.example', displayName: 'Operaattori', password: PASSWORD } });
    expect(operator.status).toBe(201);
    expect(operator.body.platformRole).toBe('operator');

    const bearerOf = async (email: string, totp?: string) => (await api('POST', '/session', { body: { email, password: PASSWORD, tokenInBody: true, ...(totp ? { totp } : {}) } })).body.sessionToken as string;
    // An operator without TOTP is held to /me, /me/totp* and sign-out until they enrol one.
    const held = await bearerOf('ops@vaultgate.example');
    const heldAnswer = await api('GET', '/admin/registrations', { bearer: held });
    expect(heldAnswer.status).toBe(401);
    expect(heldAnswer.body).toMatchObject({ code: 'TOTP_REQUIRED', detail: expect.stringContaining('platform operator'), remedy: expect.stringContaining('/me/totp') });
    expect((await api('GET', '/me', { bearer: held })).body).toMatchObject({ totpEnrolmentRequired: true, user: { platformRole: 'operator' } });
    const opSecret = (await api('POST', '/me/totp', { bearer: held })).body.secret as string;
    // Confirmed with the previous step's code (one step of drift is accepted), so that the sign-in can use the current one.
    expect((await api('POST', '/me/totp/confirm', { bearer: held, body: { code: totpCode(opSecret, Date.now() - 30_000) } })).body.totpEnrolled).toBe(true);
    expect((await api('GET', '/admin/registrations', { bearer: held })).status).toBe(200);
    const principals: Record<string, string | undefined> = {
      anonymous: undefined,
      companyAdmin: adminBearer,
      vendorAdmin: await bearerOf('vendor@ohjelmisto.fi'),
      operatorUser: await bearerOf('ops@vaultgate.example', totpCode(opSecret, Date.now())),
      operatorToken: s.adminToken,
    };
    const routes = (org: string) => [
      { method: 'GET', path: `/organisations/${org}`, write: false },
      { method: 'GET', path: `/organisations/${org}/members`, write: false },
      { method: 'PUT', path: `/organisations/${org}/require-totp`, write: true, body: { required: false } },
    ];
    const allowed = (who: string, org: string, write: boolean): boolean =>
      who === 'operatorUser' || who === 'operatorToken' || (who === 'companyAdmin' && org === companyOrg) || (who === 'vendorAdmin' && org === vendorOrg && (write || !write));
    let successes = 0;
    let outside = 0;
    for (const [who, bearer] of Object.entries(principals)) {
      for (const org of [companyOrg, vendorOrg, 'co_test_nosuchorganisation00000']) {
        for (const r of routes(org)) {
          const a = await api(r.method, r.path, { ...(bearer ? { bearer } : {}), ...(r.body ? { body: r.body } : {}) });
          const expected = allowed(who, org, r.write) && !org.includes('nosuch');
          if (a.status < 300) successes++;
          if (a.status < 300 && !expected) outside++;
          if (expected) expect(a.status, `${who} ${r.method} ${r.path}`).toBe(200);
          else if (who === 'anonymous') expect(a.body.code, `${who} ${r.method} ${r.path}`).toBe('SESSION_REQUIRED');
          else expect([403, 404], `${who} ${r.method} ${r.path} ${JSON.stringify(a.body)}`).toContain(a.status);
        }
      }
    }
    expect(outside).toBe(0);
    expect(successes).toBe(3 * 2 + 3 * 2 + 3 + 3);
    const members = await api('GET', `/organisations/${companyOrg}/members`, { bearer: principals.companyAdmin });
    expect(members.body.items).toEqual([expect.objectContaining({ email: adminEmail, role: 'admin', displayName: 'Aino Ääkkönen' })]);
    // An operator user decides registrations as the operator token does.
    const third = await register('kolmas@example.fi', { businessId: '2729069-3' });
    const declined = await api('POST', `/admin/registrations/${third.body.id}/decline`, { bearer: principals.operatorUser });
    expect(declined.body).toMatchObject({ status: 'declined', decidedBy: operator.body.id });
    const vendorPat = (await api('POST', '/me/api-tokens', { bearer: principals.vendorAdmin, body: { organisationId: vendorOrg, role: 'viewer', name: 'made in a password session' } })).body;
    expect(vendorPat.signInMethod).toBe('password');
    // The vendor's admin, who has no authenticator, cannot require TOTP: it would lock them out (TOTP_ENROLMENT_FIRST).
    const lockout = await api('PUT', `/organisations/${vendorOrg}/require-totp`, { bearer: principals.vendorAdmin, body: { required: true } });
    expect(lockout.body).toMatchObject({ status: 409, code: 'TOTP_ENROLMENT_FIRST', detail: expect.stringContaining(vendorOrg), remedy: expect.stringContaining('vaultgate account totp enrol') });
    expect((await api('GET', `/organisations/${vendorOrg}`, { bearer: principals.vendorAdmin })).body.requireTotp).toBe(false);
    // The operator requires it: until its users enrol one, only /me and enrolment serve.
    expect((await api('PUT', `/organisations/${vendorOrg}/require-totp`, { bearer: s.adminToken, body: { required: true } })).body.requireTotp).toBe(true);
    const blocked = await api('GET', `/organisations/${vendorOrg}/members`, { bearer: principals.vendorAdmin });
    expect(blocked.status).toBe(401);
    expect(blocked.body.code).toBe('TOTP_REQUIRED');
    expect((await api('GET', '/me', { bearer: principals.vendorAdmin })).body.totpEnrolmentRequired).toBe(true);
    // A token made in a password session is held as that session is, until its user enrols.
    expect((await api('GET', `/organisations/${vendorOrg}/members`, { bearer: vendorPat.token })).body.code).toBe('TOTP_REQUIRED');
  });

  it('personal API tokens: one organisation and role, shown once, usable as a bearer, revocable; they cannot manage the account', async () => {
    const create = (body: Record<string, unknown>, bearer = adminBearer) => api('POST', '/me/api-tokens', { bearer, body });
    const viewer = await create({ organisationId: companyOrg, role: 'viewer', name: 'reporting job', expiresInDays: 30 });
    expect(viewer.status).toBe(201);
    expect(viewer.headers.get('cache-control')).toBe('no-store');
    expect(viewer.body).toMatchObject({ id: expect.stringMatching(/^pat_test_/), role: 'viewer', organisationId: companyOrg, revokedAt: null, token: expect.stringMatching(/^vgp_[A-Za-z0-9_-]{43}$/) });
    expect(Date.parse(viewer.body.expiresAt) - Date.parse(viewer.body.createdAt)).toBe(30 * 86_400_000);
    const admin = await create({ organisationId: companyOrg, role: 'admin', name: 'provisioning' });
    const vt = viewer.body.token as string;
    const at = admin.body.token as string;

    expect((await api('GET', `/organisations/${companyOrg}/members`, { bearer: vt })).status).toBe(200);
    expect((await api('GET', `/organisations/${vendorOrgId}`, { bearer: vt })).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('PUT', `/organisations/${companyOrg}/require-totp`, { bearer: vt, body: { required: false } })).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('PUT', `/organisations/${companyOrg}/require-totp`, { bearer: at, body: { required: false } })).status).toBe(200);
    // Never above the user's own role, nor in an organisation they are not in; never as an operator.
    expect((await create({ organisationId: vendorOrgId, role: 'viewer', name: 'x' })).body.code).toBe('ACCOUNT_FORBIDDEN');
    expect((await api('GET', '/admin/registrations', { bearer: at })).body.code).toBe('ACCOUNT_FORBIDDEN');
    // A token reads /me but cannot manage the account: no new tokens, no sign-out, no TOTP.
    expect((await api('GET', '/me', { bearer: vt })).body.user.email).toBe(adminEmail);
    // /me with a token shows what the token can do: its one organisation at its role (not the user's admin), and that it is a token.
    expect((await api('GET', '/me', { bearer: vt })).body).toMatchObject({ via: 'api-token', memberships: [{ organisationId: companyOrg, role: 'viewer' }] });
    expect((await api('GET', '/me', { bearer: vt })).body.memberships).toHaveLength(1);
    expect((await api('GET', '/me', { bearer: adminBearer })).body).toMatchObject({ via: 'session', memberships: [{ organisationId: companyOrg, role: 'admin' }] });
    for (const [method, path] of [['POST', '/me/api-tokens'], ['DELETE', '/sessions'], ['POST', '/me/totp']] as const) {
      const r = await api(method, path, { bearer: at, ...(method === 'POST' && path === '/me/api-tokens' ? { body: { organisationId: companyOrg, role: 'viewer', name: 'y' } } : {}) });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body, `${method} ${path}`).toMatchObject({ code: 'API_TOKEN_NOT_FOR_ACCOUNT', remedy: expect.stringContaining('Sign in') });
    }

    const listed = await api('GET', '/me/api-tokens', { bearer: adminBearer });
    expect(listed.body.items.map((t: { name: string }) => t.name)).toEqual(['reporting job', 'provisioning']);
    expect(JSON.stringify(listed.body)).not.toContain(vt);
    expect(listed.body.items[0].token).toBeUndefined();
    expect((await api('DELETE', `/me/api-tokens/${viewer.body.id}`, { bearer: adminBearer })).status).toBe(204);
    // The revocation names the organisation as the creation does.
    const eventOf = async (action: string): Promise<AuditRecord> => (await events(`action=${action}`)).find((e) => e.subject === viewer.body.id)!;
    const revokedEvent = await eventOf('api-token.revoke');
    expect(revokedEvent).toMatchObject({ outcome: 'success', tenants: [companyOrg], details: { organisationId: companyOrg } });
    expect(revokedEvent.tenants).toEqual((await eventOf('api-token.create')).tenants);
    const revoked = await api('GET', `/organisations/${companyOrg}/members`, { bearer: vt });
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('API_TOKEN_INVALID');
    expect((await api('DELETE', `/me/api-tokens/${viewer.body.id}`, { bearer: adminBearer })).status).toBe(404);
    expect((await api('GET', '/me', { bearer: `vgp_${'A'.repeat(43)}` })).body.code).toBe('API_TOKEN_INVALID');
    expect((await api('GET', '/me', { bearer: at })).status).toBe(200);
  });

  it('signs out one session and everywhere: the old sessions are refused afterwards', async () => {
    // The vendor's admin (held by its organisation's TOTP requirement, which leaves /me and sign-out open).
    const first = await signIn('vendor@ohjelmisto.fi');
    const other = await signIn('vendor@ohjelmisto.fi');
    const out = await api('DELETE', '/session', { cookie: first.cookie, csrf: first.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^__Host-vaultgate-session=;/);
    expect((await api('GET', '/me', { cookie: first.cookie })).body.code).toBe('SESSION_REQUIRED');
    expect((await api('GET', '/me', { cookie: other.cookie })).status).toBe(200);

    // The company admin signs out everywhere with the CLI-style bearer session (no CSRF token needed there).
    expect((await api('GET', '/me', { cookie: adminCookie })).status).toBe(200);
    const everywhere = await api('DELETE', '/sessions', { bearer: adminBearer });
    expect(everywhere.status).toBe(200);
    expect(everywhere.body.signedOut).toBeGreaterThanOrEqual(3);
    for (const o of [{ cookie: adminCookie }, { bearer: adminBearer }]) {
      const r = await api('GET', '/me', o);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('SESSION_REQUIRED');
    }
  });

  it('throttles failed sign-ins of an account: 429 SIGN_IN_THROTTLED with Retry-After, the password not even checked', async () => {
    const email = 'vendor@ohjelmisto.fi';
    for (let i = 0; i < 5; i++) expect((await api('POST', '/session', { body: { email, password: `wrong password ${i}` } })).body.code).toBe('SIGN_IN_FAILED');
    const throttled = await api('POST', '/session', { body: { email, password: PASSWORD } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('SIGN_IN_THROTTLED');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Further throttled attempts are refused the same way, and recorded once a minute, not each.
    expect((await api('POST', '/session', { body: { email, password: PASSWORD } })).status).toBe(429);
    const recorded = (await events('action=session.sign-in')).filter((e) => e.details.code === 'SIGN_IN_THROTTLED');
    expect(recorded).toHaveLength(1);
    // Its subject is the user's id, as in the other refusals (SIGN_IN_FAILED) of that account.
    const failedSubjects = new Set((await events('action=session.sign-in')).filter((e) => e.details.code === 'SIGN_IN_FAILED' && e.subject.startsWith('usr_')).map((e) => e.subject));
    expect(recorded[0]!.subject).toMatch(/^usr_test_/);
    expect(failedSubjects.has(recorded[0]!.subject)).toBe(true);
    // An address nobody has: the (normalised) email is the only subject there is.
    for (let i = 0; i < 5; i++) await api('POST', '/session', { body: { email: 'Nobody.Here@example.fi', password: `wrong password ${i}` } });
    expect((await api('POST', '/session', { body: { email: 'Nobody.Here@example.fi', password: PASSWORD } })).status).toBe(429);
    expect((await events('action=session.sign-in')).filter((e) => e.details.code === 'SIGN_IN_THROTTLED').map((e) => e.subject)).toEqual([recorded[0]!.subject, 'nobody.here@example.fi']);
    // Another account is not affected: its password is checked (and right: the operator's TOTP code is asked next).
    expect((await api('POST', '/session', { body: { email: 'ops@vaultgate.example', password: PASSWORD } })).body.code).toBe('TOTP_REQUIRED');
  });

  it('records every step in the audit trail', async () => {
    const byAction = (all: AuditRecord[], action: string) => all.filter((e) => e.action === action);
    const all = await events('');
    expect(byAction(all, 'registration.create').length).toBe(3);
    expect(byAction(all, 'registration.approve')).toEqual(expect.arrayContaining([expect.objectContaining({ actor: { kind: 'operator', id: 'operator' }, tenants: [companyOrg] })]));
    expect(byAction(all, 'registration.decline')).toEqual([expect.objectContaining({ actor: expect.objectContaining({ kind: 'user' }) })]);
    const signIns = byAction(all, 'session.sign-in');
    expect(signIns.filter((e) => e.outcome === 'success').length).toBeGreaterThanOrEqual(8);
    const refusals = signIns.filter((e) => e.outcome === 'refused').map((e) => e.details.code);
    for (const code of ['SIGN_IN_FAILED', 'TOTP_REQUIRED', 'TOTP_INVALID', 'SIGN_IN_THROTTLED']) expect(refusals).toContain(code);
    expect(signIns.find((e) => e.outcome === 'success' && e.details.secondFactor === true)).toMatchObject({ actor: { kind: 'user' }, clientAddress: expect.stringMatching(/127\.0\.0\.1/) });
    for (const action of ['api-token.create', 'api-token.revoke', 'user.totp-enrol', 'user.totp-confirm', 'user.create', 'organisation.require-totp', 'session.sign-out', 'session.sign-out-everywhere']) {
      expect(byAction(all, action).length, action).toBeGreaterThanOrEqual(1);
    }
    // No secret in any event: neither the password nor the TOTP secret.
    const text = JSON.stringify(all);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(totpSecret);
  });
  it('a declined registrant can register again with the same email; the refusals a registrant meets tell them what to do', async () => {
    const email = 'Declined.Once@Example.fi';
    const first = await register(email, { businessId: '2729069-3', organisationName: 'Ensimmäinen Oy' });
    expect(first.status).toBe(201);
    expect((await api('POST', `/admin/registrations/${first.body.id}/decline`, { bearer: s.adminToken })).body.status).toBe('declined');
    const second = await register(email.toLowerCase(), { businessId: '2729069-3', organisationName: 'Toinen Oy', displayName: 'Toinen Yritys' });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ status: 'pending', userId: first.body.userId, organisationName: 'Toinen Oy' });
    const created = (await events('action=registration.create')).find((e) => e.subject === second.body.id)!;
    expect(created.details).toMatchObject({ userId: first.body.userId, afterDecline: true });
    // Pending again: a third try is USER_EMAIL_TAKEN, whose remedy says to sign in (and that a pending registration holds the address).
    const third = await register(email, { businessId: '2729069-3' });
    expect(third.body).toMatchObject({ code: 'USER_EMAIL_TAKEN', status: 409 });
    expect(third.body.remedy).toMatch(/sign in with it .*vaultgate account signin.*waiting for the operator's decision/);
    expect(third.body.remedy).not.toMatch(/\/admin\//);
    // Approved on the second try: the person signs in with the new password as the new organisation's admin.
    const approved = await api('POST', `/admin/registrations/${second.body.id}/approve`, { bearer: s.adminToken });
    expect(approved.status).toBe(200);
    const me = await signIn(email);
    expect(me.body.user).toMatchObject({ id: first.body.userId, displayName: 'Toinen Yritys', status: 'active' });
    // A company registered already: the remedy sends a registrant to its admins, not to an operator-only route first.
    const taken = await register('someone.else@example.fi', { businessId: '2729069-3' });
    expect(taken.body).toMatchObject({ code: 'BUSINESS_ID_TAKEN', status: 409 });
    expect(taken.body.remedy).toMatch(/^The company has a Vaultgate organisation already: if you work there, ask one of its admins to invite you/);
  });
});

describe('automatic approval (test and uat environments); cookies behind a TLS proxy', () => {
  it('approves a registration at once when VAULTGATE_REGISTRATION_AUTO_APPROVE is on; the cookie is Secure behind a trusted proxy', async () => {
    const s = await startTestServer({ VAULTGATE_REGISTRATION_AUTO_APPROVE: 'true', VAULTGATE_TRUST_PROXY: '127.0.0.1' });
    try {
      const r = await call(s.url, 'POST', '/registrations', { body: { kind: 'both', organisationName: 'Molemmat Oy', businessId: '1967543-8', email: 'both@example.fi', displayName: 'B', password: PASSWORD } });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ status: 'approved', decidedBy: 'vaultgate', organisationId: expect.stringMatching(/^co_test_/) });
      const signedIn = await call(s.url, 'POST', '/session', { body: { email: 'both@example.fi', password: PASSWORD, tokenInBody: true } });
      const me = await call(s.url, 'GET', '/me', { bearer: signedIn.body.sessionToken });
      expect(me.body.memberships[0].organisation).toMatchObject({ companyId: r.body.organisationId, partyId: expect.stringMatching(/^tp_test_/) });
      const cookie = await call(s.url, 'POST', '/session', { body: { email: 'both@example.fi', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      expect(cookie.headers.getSetCookie()[0]).toMatch(/^__Host-vaultgate-session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    } finally {
      await s.stop();
    }
  });

});
