import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, systemClock } from '../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config/load-config.js';
import { Keyring } from '../src/server/crypto/keyring.js';
import { VaultCrypto } from '../src/server/crypto/vault-crypto.js';
import { hashPassword } from '../src/server/services/accounts/password.js';
import { sessionTokenHash } from '../src/server/services/accounts/sessions.js';
import { totpCode } from '../src/server/services/accounts/totp.js';
import { openSqliteKeyStore, openSqliteStore, type MembershipRole, type SqliteStore, type UserRecord } from '../src/store/index.js';
import { tempDir } from './helpers/servers.js';

/*
 * The authorization matrix of /api/v1 (issue 14): every principal (anonymous, the operator token, an operator user,
 * admin / member / viewer of each of two organisations by session, and personal API tokens of each role for each)
 * × every organisation (two, and one that does not exist) × every route. A request the rules allow must not be refused
 * as unauthenticated or forbidden (SESSION_REQUIRED, API_TOKEN_INVALID, ACCOUNT_FORBIDDEN, API_TOKEN_NOT_FOR_ACCOUNT); every other request must
 * be: 0 successes outside the rules.
 */

const ADMIN_TOKEN = 'a'.repeat(40);
const PASSWORD = 'matriisin salasana on pitkä';
const ROLES: MembershipRole[] = ['admin', 'member', 'viewer'];
const RANK: Record<MembershipRole, number> = { viewer: 0, member: 1, admin: 2 };
/** What a user held by a TOTP requirement (an operator without TOTP) may still reach: /me, enrolment, sign-out. */
const HELD_OPEN = new Set(['GET /session/csrf', 'DELETE /session', 'DELETE /sessions', 'GET /me', 'PATCH /me', 'POST /me/totp', 'POST /me/totp/confirm', 'DELETE /me/api-tokens/:tokenId', 'POST /invitations/:token/accept']);

type Principal =
  | { name: string; kind: 'anonymous' | 'operator-token' }
  | { name: string; kind: 'session'; user: UserRecord; operator: boolean; org?: string; role?: MembershipRole; /** An operator without TOTP: held to HELD_OPEN. */ held?: true }
  | { name: string; kind: 'api-token'; token: string; org: string; role: MembershipRole };

interface Route {
  method: string;
  url: string;
  /** Whether the rules allow the principal on organisation `org` (routes without one ignore it). */
  allowed: (p: Principal, org: string) => boolean;
  body?: (org: string) => unknown;
  /** Per-org routes run for each organisation; others once. */
  perOrg?: boolean;
  /** Something the request needs to exist first (e.g. a pending registration): returns the URL to call. */
  prepare?: (url: string) => Promise<string>;
}

describe('authorization matrix of /api/v1', () => {
  let built: BuiltApp;
  let store: SqliteStore;
  const dir = tempDir();
  const orgs: string[] = [];
  const principals: Principal[] = [];
  let signInEmail = '';

  const user = async (over: Partial<UserRecord>): Promise<UserRecord> => {
    const u: UserRecord = {
      id: newId('user', 'test'), email: `${randomBytes(4).toString('hex')}@example.com`, displayName: 'M', language: 'en', passwordHash: null, totpSecretCiphertext: null,
      totpConfirmedAt: null, totpLastStep: null, platformRole: null, status: 'active', createdAt: new Date().toISOString(), ...over,
    };
    await store.createUser(u, audit(u.id));
    return u;
  };
  let n = 0;
  const audit = (subject: string) => ({ id: `ae_test_matrix${String(++n).padStart(18, '0')}`, at: new Date().toISOString(), environment: 'test', actor: { kind: 'system' as const, id: 'test' }, action: 'test.setup', subject, tenants: [], clientAddress: null, requestId: null, outcome: 'success' as const, details: {} });
  /** A fresh session of a user (sign-out routes end the one they are called with). */
  const sessionOf = async (u: UserRecord): Promise<string> => {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    await store.createSession({ tokenHash: sessionTokenHash(token), userId: u.id, createdAt: new Date(now).toISOString(), lastSeenAt: new Date(now).toISOString(), expiresAt: new Date(now + 3_600_000).toISOString(), revokedAt: null, clientAddress: null, signInMethod: 'password' }, undefined, audit(u.id));
    return token;
  };
  /** Enrols and confirms TOTP for a user over the API, as a person does (an operator without it is held to /me). */
  const enrolTotp = async (u: UserRecord): Promise<void> => {
    const headers = { authorization: `Bearer ${await sessionOf(u)}` };
    const enrol = await inject('POST', '/me/totp', headers);
    expect(enrol.statusCode, enrol.body).toBe(201);
    const confirm = await inject('POST', '/me/totp/confirm', headers, { code: totpCode(enrol.json().secret, Date.now()) });
    expect(confirm.json()).toMatchObject({ totpEnrolled: true });
  };
  const headersOf = async (p: Principal): Promise<Record<string, string>> => {
    if (p.kind === 'anonymous') return {};
    if (p.kind === 'operator-token') return { authorization: `Bearer ${ADMIN_TOKEN}` };
    if (p.kind === 'api-token') return { authorization: `Bearer ${p.token}` };
    if (p.kind !== 'session') throw new Error('unreachable');
    return { authorization: `Bearer ${await sessionOf(p.user)}` };
  };
  const inject = async (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    built.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir } }), store,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 1) }, [], undefined), systemClock, 'test'),
      adminToken: ADMIN_TOKEN,
    });
    await built.app.ready();
    const a = { id: newId('company', 'test'), name: 'A Oy', businessId: '1967543-8', createdAt: new Date().toISOString() };
    const b = { id: newId('party', 'test'), name: 'B Oy', status: 'active' as const, createdAt: new Date().toISOString(), disabledAt: null };
    await store.createCompany(a);
    await store.createParty(b);
    orgs.push(a.id, b.id);
    principals.push({ name: 'anonymous', kind: 'anonymous' }, { name: 'operator token', kind: 'operator-token' });
    const operatorUser = await user({ platformRole: 'operator' });
    await enrolTotp(operatorUser);
    principals.push({ name: 'operator user', kind: 'session', user: operatorUser, operator: true });
    principals.push({ name: 'operator user without TOTP', kind: 'session', user: await user({ platformRole: 'operator' }), operator: true, held: true });
    for (const org of orgs) {
      for (const role of ROLES) {
        const u = await user({});
        await store.addMembership({ userId: u.id, organisationId: org, role, createdAt: new Date().toISOString() }, audit(u.id));
        principals.push({ name: `${role} of ${org.slice(0, 2)}`, kind: 'session', user: u, operator: false, org, role });
        const token = `vgp_${randomBytes(32).toString('base64url')}`;
        await store.createApiToken({
          id: newId('apiToken', 'test'), tokenHash: createHash('sha256').update(token).digest('hex'), userId: u.id, organisationId: org, role, name: 'matrix',
          createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), revokedAt: null, signInMethod: 'password',
        }, audit(u.id));
        principals.push({ name: `${role} token of ${org.slice(0, 2)}`, kind: 'api-token', token, org, role });
      }
    }
    signInEmail = (await user({ passwordHash: await hashPassword(PASSWORD) })).email;
  });
  afterAll(async () => {
    await built.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const anyone = () => true;
  const operator = (p: Principal) => p.kind === 'operator-token' || (p.kind === 'session' && p.operator);
  const viaSession = (p: Principal) => p.kind === 'session';
  const memberOf = (p: Principal, org: string, least: MembershipRole) =>
    operator(p) || ((p.kind === 'session' || p.kind === 'api-token') && p.org === org && RANK[p.role!] >= RANK[least]);
  const registration = async (url: string) => {
    const r = await inject('POST', '/registrations', {}, { kind: 'party', organisationName: 'R', email: `${randomBytes(4).toString('hex')}@example.com`, displayName: 'R', password: PASSWORD });
    return url.replace(':registrationId', r.json().id);
  };
  const fresh = () => `${randomBytes(4).toString('hex')}@example.com`;

  const routes: Route[] = [
    { method: 'POST', url: '/registrations', allowed: anyone, body: () => ({ kind: 'party', organisationName: 'R', email: fresh(), displayName: 'R', password: PASSWORD }) },
    { method: 'POST', url: '/session', allowed: anyone, body: () => ({ email: signInEmail, password: PASSWORD, tokenInBody: true }) },
    // Without a provider configured: 400 OIDC_PROVIDER_UNKNOWN and OIDC_STATE_INVALID, for anyone alike (test/e2e/oidc-sign-in.test.ts signs in).
    { method: 'GET', url: '/session/oidc', allowed: anyone },
    { method: 'GET', url: '/session/oidc/callback', allowed: anyone },
    { method: 'POST', url: '/session/oidc/handoff', allowed: anyone, body: () => ({ handoff: 'x', verifier: 'v'.repeat(43) }) },
    { method: 'GET', url: '/admin/registrations', allowed: operator },
    { method: 'POST', url: '/admin/registrations/:registrationId/approve', allowed: operator, prepare: registration },
    { method: 'POST', url: '/admin/registrations/:registrationId/decline', allowed: operator, prepare: registration },
    { method: 'POST', url: '/admin/operators', allowed: operator, body: () => ({ email: fresh(), displayName: 'O', password: PASSWORD }) },
    { method: 'GET', url: '/session/csrf', allowed: viaSession },
    { method: 'DELETE', url: '/session', allowed: viaSession },
    { method: 'DELETE', url: '/sessions', allowed: viaSession },
    { method: 'GET', url: '/me', allowed: (p) => p.kind === 'session' || p.kind === 'api-token' },
    { method: 'PATCH', url: '/me', allowed: viaSession, body: () => ({ language: 'fi' }) },
    { method: 'POST', url: '/me/totp', allowed: viaSession },
    { method: 'POST', url: '/me/totp/confirm', allowed: viaSession, body: () => ({ code: '000000' }) },
    { method: 'POST', url: '/me/api-tokens', allowed: (p, org) => p.kind === 'session' && p.org === org, body: (org) => ({ organisationId: org, role: 'viewer', name: 'n' }), perOrg: true },
    { method: 'GET', url: '/me/api-tokens', allowed: viaSession },
    { method: 'DELETE', url: '/me/api-tokens/:tokenId', allowed: viaSession, prepare: async (url) => url.replace(':tokenId', 'pat_test_nosuchtoken0000000000') },
    { method: 'GET', url: '/organisations/:organisationId', allowed: (p, org) => memberOf(p, org, 'viewer'), perOrg: true },
    { method: 'GET', url: '/organisations/:organisationId/members', allowed: (p, org) => memberOf(p, org, 'viewer'), perOrg: true },
    { method: 'PUT', url: '/organisations/:organisationId/require-totp', allowed: (p, org) => memberOf(p, org, 'admin'), body: () => ({ required: false }), perOrg: true },
    // Self-service (issue 14): members (viewer and up) list, admins change. Ids that do not exist: NOT_FOUND once allowed.
    ...selfServiceRoutes(),
    ...webhookRoutes(),
    // Ingestion statistics and refusals (issue 16): members (viewer and up) of the organisation read; every refusal: operators.
    { method: 'GET', url: '/organisations/:organisationId/ingestion/stats', allowed: (p, org) => memberOf(p, org, 'viewer'), perOrg: true },
    { method: 'GET', url: '/organisations/:organisationId/ingestion/refusals', allowed: (p, org) => memberOf(p, org, 'viewer'), perOrg: true },
    { method: 'GET', url: '/admin/ingestion/refusals', allowed: operator },
    // Issue 16: the directory (any signed-in person) and an organisation's listing; feed checkpoints (viewers read, members and admins write).
    { method: 'GET', url: '/directory', allowed: (p) => p.kind !== 'anonymous' },
    { method: 'GET', url: '/organisations/:organisationId/directory-listing', allowed: (p, org) => memberOf(p, org, 'viewer'), perOrg: true },
    { method: 'PUT', url: '/organisations/:organisationId/directory-listing', allowed: (p, org) => memberOf(p, org, 'admin'), body: () => ({ listed: false }), perOrg: true },
    ...checkpointRoutes(),
    // People (invitations, roles): admins of the organisation and operators; the link itself: anyone who has it, and a
    // signed-in user (session) accepting for their own email. Suspension: operators only (last, suspend then reinstate).
    { method: 'POST', url: '/organisations/:organisationId/invitations', allowed: (p, org) => memberOf(p, org, 'admin'), body: () => ({ email: fresh(), role: 'viewer' }), perOrg: true },
    { method: 'GET', url: '/organisations/:organisationId/invitations', allowed: (p, org) => memberOf(p, org, 'admin'), perOrg: true },
    { method: 'DELETE', url: '/organisations/:organisationId/invitations/:invitationId', allowed: (p, org) => memberOf(p, org, 'admin'), perOrg: true, prepare: async (url) => url.replace(':invitationId', 'inv_test_nosuchinvitation00000') },
    { method: 'GET', url: '/invitations/:token', allowed: anyone, prepare: async (url) => url.replace(':token', 'vgi_nosuchtoken') },
    { method: 'POST', url: '/invitations/:token/accept', allowed: (p) => p.kind === 'anonymous' || viaSession(p), body: () => ({}), prepare: async (url) => url.replace(':token', 'vgi_nosuchtoken') },
    { method: 'PUT', url: '/organisations/:organisationId/members/:userId', allowed: (p, org) => memberOf(p, org, 'admin'), body: () => ({ role: 'viewer' }), perOrg: true, prepare: async (url) => url.replace(':userId', 'usr_test_nosuchuser00000000000') },
    { method: 'DELETE', url: '/organisations/:organisationId/members/:userId', allowed: (p, org) => memberOf(p, org, 'admin'), perOrg: true, prepare: async (url) => url.replace(':userId', 'usr_test_nosuchuser00000000000') },
    // Recovery: operators reset a TOTP and issue reset links; an organisation's admins reset a member's TOTP; the link: anyone.
    { method: 'DELETE', url: '/admin/users/:userId/totp', allowed: operator, prepare: async (url) => url.replace(':userId', 'usr_test_nosuchuser00000000000') },
    { method: 'POST', url: '/admin/users/:userId/password-reset', allowed: operator, prepare: async (url) => url.replace(':userId', 'usr_test_nosuchuser00000000000') },
    { method: 'DELETE', url: '/organisations/:organisationId/members/:userId/totp', allowed: (p, org) => memberOf(p, org, 'admin'), perOrg: true, prepare: async (url) => url.replace(':userId', 'usr_test_nosuchuser00000000000') },
    { method: 'GET', url: '/password-reset/:token', allowed: anyone, prepare: async (url) => url.replace(':token', 'vgr_nosuchtoken') },
    { method: 'POST', url: '/password-reset/:token', allowed: anyone, body: () => ({ password: PASSWORD }), prepare: async (url) => url.replace(':token', 'vgr_nosuchtoken') },
    { method: 'GET', url: '/admin/organisations', allowed: operator },
    { method: 'GET', url: '/admin/users', allowed: operator },
    { method: 'POST', url: '/admin/organisations/:organisationId/suspend', allowed: operator, perOrg: true },
    { method: 'POST', url: '/admin/organisations/:organisationId/reinstate', allowed: operator, perOrg: true },
  ];

  function selfServiceRoutes(): Route[] {
    const org = '/organisations/:organisationId';
    const viewer = (p: Principal, o: string) => memberOf(p, o, 'viewer');
    const admin = (p: Principal, o: string) => memberOf(p, o, 'admin');
    const none = (name: string, id: string) => async (url: string) => url.replace(`:${name}`, id);
    const list = (path: string): Route => ({ method: 'GET', url: `${org}${path}`, allowed: viewer, perOrg: true });
    const change = (path: string, body?: (o: string) => unknown, prepare?: (url: string) => Promise<string>): Route =>
      ({ method: 'POST', url: `${org}${path}`, allowed: admin, perOrg: true, ...(body ? { body } : {}), ...(prepare ? { prepare } : {}) });
    const types = [{ name: 'invoice', mediaTypes: ['application/xml'] }];
    return [
      list('/customer-credentials'), change('/customer-credentials', () => ({ name: 'matrix', scopes: ['vault.read'] })),
      change('/customer-credentials/:customerId/disable', undefined, none('customerId', 'cid_test_nosuchcredential00000')),
      change('/customer-credentials/:customerId/rotate', () => ({}), none('customerId', 'cid_test_nosuchcredential00000')),
      list('/partner-credentials'), change('/partner-credentials'),
      change('/partner-credentials/:partnerId/disable', undefined, none('partnerId', 'pid_test_nosuchcredential00000')),
      change('/partner-credentials/:partnerId/rotate', () => ({ overlapHours: 1 }), none('partnerId', 'pid_test_nosuchcredential00000')),
      list('/clients'), change('/clients', () => ({ name: 'matrix' })),
      change('/clients/:clientId/disable', undefined, none('clientId', 'oc_test_nosuchclient0000000000')),
      change('/clients/:clientId/rotate', () => ({}), none('clientId', 'oc_test_nosuchclient0000000000')),
      list('/channel-requests'), change('/channel-requests', () => ({ businessId: '1967543-8', messageTypes: types })),
      change('/channel-requests/:requestId/approve', () => ({}), none('requestId', 'chr_test_nosuchrequest000000000')),
      change('/channel-requests/:requestId/decline', undefined, none('requestId', 'chr_test_nosuchrequest000000000')),
      list('/channels'), change('/channels/:channelId/disable', undefined, none('channelId', 'ch_test_nosuchchannel0000000000')),
      { method: 'GET', url: `${org}/channels/:channelId/postman`, allowed: viewer, perOrg: true, prepare: none('channelId', 'ch_test_nosuchchannel0000000000') },
      // Body integrity (issue 17): a vendor's signature keys, a channel's Content-Digest rule.
      list('/signature-keys'), change('/signature-keys', () => ({ algorithm: 'hmac-sha256', label: 'matrix' })),
      change('/signature-keys/:keyId/disable', undefined, none('keyId', 'hsk_test_nosuchkey000000000000000')),
      { method: 'GET', url: `${org}/channels/:channelId/integrity`, allowed: viewer, perOrg: true, prepare: none('channelId', 'ch_test_nosuchchannel0000000000') },
      change('/channels/:channelId/integrity', () => ({ requireContentDigest: true }), none('channelId', 'ch_test_nosuchchannel0000000000')),
    ];
  }

  /** Webhook endpoints (issue 15): members read, admins change; an unknown endpoint id reaches the service (404). */
  function checkpointRoutes(): Route[] {
    const base = '/organisations/:organisationId/feed/checkpoints';
    const viewer = (p: Principal, o: string) => memberOf(p, o, 'viewer');
    const member = (p: Principal, o: string) => memberOf(p, o, 'member');
    const named = async (url: string) => url.replace(':name', 'matrix');
    return [
      { method: 'GET', url: base, allowed: viewer, perOrg: true },
      { method: 'GET', url: `${base}/:name`, allowed: viewer, perOrg: true, prepare: named },
      { method: 'PUT', url: `${base}/:name`, allowed: member, perOrg: true, prepare: named, body: () => ({ position: 'start' }) },
      { method: 'DELETE', url: `${base}/:name`, allowed: member, perOrg: true, prepare: named },
    ];
  }

  function webhookRoutes(): Route[] {
    const base = '/organisations/:organisationId/webhook-endpoints';
    const viewer = (p: Principal, o: string) => memberOf(p, o, 'viewer');
    const admin = (p: Principal, o: string) => memberOf(p, o, 'admin');
    const none = async (url: string) => url.replace(':endpointId', 'ep_test_nosuchendpoint000000000');
    const r = (method: string, path: string, allowed: Route['allowed'], body?: () => unknown): Route =>
      ({ method, url: `${base}${path}`, allowed, perOrg: true, ...(body ? { body } : {}), ...(path.includes(':endpointId') ? { prepare: none } : {}) });
    return [
      r('GET', '', viewer), r('POST', '', admin, () => ({ url: 'https://hooks.example.com/in' })), r('GET', '/:endpointId', viewer),
      r('PATCH', '/:endpointId', admin, () => ({ description: 'x' })), r('DELETE', '/:endpointId', admin), r('POST', '/:endpointId/disable', admin),
      r('POST', '/:endpointId/enable', admin), r('POST', '/:endpointId/rotate-secret', admin, () => ({})), r('POST', '/:endpointId/test', admin),
      r('GET', '/:endpointId/deliveries', viewer), r('POST', '/:endpointId/replay', admin, () => ({ since: '2026-01-01T00:00:00Z' })),
    ];
  }

  it('/admin/v1 (a sample of its routes): the operator token and an operator user with TOTP; nobody else, an API token never', async () => {
    const sample = [{ method: 'GET', url: '/admin/v1/companies' }, { method: 'GET', url: '/admin/v1/audit?limit=1' }, { method: 'POST', url: '/admin/v1/parties', body: { name: 'Matriisi Oy' } }];
    const wrong: string[] = [];
    for (const r of sample) {
      for (const p of principals) {
        const res = await built.app.inject({ method: r.method as 'GET', url: r.url, headers: { ...(await headersOf(p)), ...(r.body ? { 'content-type': 'application/json' } : {}) }, ...(r.body ? { payload: JSON.stringify(r.body) } : {}) });
        const allowed = operator(p) && !(p.kind === 'session' && p.held);
        const code = res.statusCode < 300 ? undefined : (res.json() as { code: string }).code;
        const expected = allowed ? undefined : p.kind === 'anonymous' ? 'ADMIN_UNAUTHORIZED' : p.kind === 'session' && p.held ? 'TOTP_REQUIRED' : 'ACCOUNT_FORBIDDEN';
        if (code !== expected) wrong.push(`${p.name} ${r.method} ${r.url}: ${res.statusCode} ${code ?? ''} (expected ${expected ?? 'success'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('covers every /api/v1 route', () => {
    // The grant routes and the organisation's audit trail (issue 15) have their own matrix: test/grants-authorization.test.ts.
    const registered = built.routes.filter((r) => r.url.startsWith('/api/v1') && !/^\/api\/v1\/organisations\/:organisationId\/(grants|audit)/.test(r.url)).map((r) => `${r.method} ${r.url.slice('/api/v1'.length)}`);
    expect(registered.sort()).toEqual(routes.map((r) => `${r.method} ${r.url}`).sort());
  });

  it('allows exactly what the rules allow: principals × organisations × routes', async () => {
    const NONE = 'co_test_nosuchorganisation0000';
    let checked = 0;
    let outside = 0;
    const wrong: string[] = [];
    for (const route of routes) {
      for (const org of route.perOrg ? [...orgs, NONE] : [orgs[0]!]) {
        for (const p of principals) {
          let url = route.url.replace(':organisationId', org);
          if (route.prepare) url = await route.prepare(url);
          const res = await inject(route.method, url, await headersOf(p), route.body?.(org));
          // Refused as not authenticated or not allowed (a wrong TOTP code, by contrast, is an answer to an allowed request).
          const code = res.body ? (res.json() as { code?: string }).code : undefined;
          const denied = ['SESSION_REQUIRED', 'API_TOKEN_INVALID', 'ACCOUNT_FORBIDDEN', 'API_TOKEN_NOT_FOR_ACCOUNT', 'TOTP_REQUIRED'].includes(code ?? '');
          const held = p.kind === 'session' && p.held && route.allowed !== anyone && !HELD_OPEN.has(`${route.method} ${route.url}`);
          const allowed = route.allowed(p, org) && !held;
          checked++;
          if (!allowed && res.statusCode < 300) outside++;
          if (allowed === denied) wrong.push(`${p.name} ${route.method} ${url}: ${res.statusCode} ${code ?? ''} (allowed: ${allowed})`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(outside).toBe(0);
    expect(checked).toBe(principals.length * (routes.filter((r) => !r.perOrg).length + 3 * routes.filter((r) => r.perOrg).length));
    // Several thousand requests one after another: 60 s is not enough on 2 loaded cores (seen: CI at load 10).
  }, 300_000);
});
