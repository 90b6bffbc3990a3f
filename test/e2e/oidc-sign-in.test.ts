import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, systemClock, type AuditRecord, type Clock } from '../../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { sessionTokenHash } from '../../src/server/services/accounts/sessions.js';
import { openSqliteKeyStore, openSqliteStore, type SqliteStore, type UserRecord } from '../../src/store/index.js';
import { OidcBrowser, startSignInProvider, type SignInProvider } from '../helpers/oidc-sign-in-provider.js';
import { CLI, tempDir } from '../helpers/servers.js';

/*
 * Sign-in through an external OpenID Connect provider (issue 14), end to end over real sockets: a real provider
 * (oidc-provider) whose login and consent a cookie-keeping client drives over HTTP, and Vaultgate on SQLite. Success
 * (first sign-in links by verified email, the next finds the link; no TOTP code asked), state tampering, a provider
 * refusal, the wrong provider for a domain, unknown people, an expired ID token (Vaultgate's clock moved on: checked
 * by openid-client), an unreachable provider, throttling, and the audit trail of each.
 */

const ADMIN_TOKEN = 'o'.repeat(40);
const CALLBACK = '/api/v1/session/oidc/callback';

interface Vaultgate { built: BuiltApp; store: SqliteStore; url: string; dir: string }

async function startVaultgate(env: Record<string, string>, clock: Clock): Promise<Vaultgate> {
  const dir = tempDir();
  const store = openSqliteStore({ file: join(dir, 'db.sqlite') });
  let url = '';
  const built = await buildApp({
    config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir, ...env } }), store, clock, publicBaseUrl: () => url,
    crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 7) }, [], undefined), clock, 'test'),
    adminToken: ADMIN_TOKEN,
  });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(built.app.server.address() as { port: number }).port}`;
  return { built, store, url, dir };
}

async function stopVaultgate(v: Vaultgate): Promise<void> {
  await v.built.app.close();
  await v.store.close();
  rmSync(v.dir, { recursive: true, force: true });
}

describe('sign-in through an external OpenID Connect provider', () => {
  let op: SignInProvider;
  let vg: Vaultgate;
  /** The same configuration, with a clock two hours ahead: every ID token the provider issues has expired for it. */
  let late: Vaultgate;
  const orgs: Record<string, string> = {};
  const users: Record<string, UserRecord> = {};
  let n = 0;
  const setup = (subject: string) => ({
    id: `ae_test_oidcsetup${String(++n).padStart(17, '0')}`, at: new Date().toISOString(), environment: 'test', actor: { kind: 'system' as const, id: 'test' },
    action: 'test.setup', subject, tenants: [], clientAddress: null, requestId: null, outcome: 'success' as const, details: {},
  });
  const addUser = async (store: SqliteStore, email: string, org: string | null, over: Partial<UserRecord> = {}): Promise<UserRecord> => {
    const u: UserRecord = {
      id: newId('user', 'test'), email, displayName: email.split('@')[0]!, language: 'fi', passwordHash: null, totpSecretCiphertext: null,
      totpConfirmedAt: null, totpLastStep: null, platformRole: null, status: 'active', createdAt: new Date().toISOString(), ...over,
    };
    await store.createUser(u, setup(u.id));
    if (org) await store.addMembership({ userId: u.id, organisationId: org, role: 'admin', createdAt: u.createdAt }, setup(u.id));
    return u;
  };
  /** Events of the audit trail (GET /admin/v1/audit), of one action and outcome. */
  const events = async (v: Vaultgate, action: string, outcome?: AuditRecord['outcome']): Promise<AuditRecord[]> => {
    const r = await fetch(`${v.url}/admin/v1/audit?limit=1000&action=${action}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { items: AuditRecord[] }).items.filter((e) => !outcome || e.outcome === outcome);
  };
  /** Starts at Vaultgate, signs in at the provider as `login`, and returns Vaultgate's answer at the callback. */
  const signIn = async (v: Vaultgate, query: string, login: string, o: { browser?: OidcBrowser; cancel?: boolean } = {}) => {
    const browser = o.browser ?? new OidcBrowser();
    const start = await browser.request(`${v.url}/api/v1/session/oidc?${query}`);
    expect(start.status, await start.clone().text()).toBe(302);
    const callbackUrl = await browser.signInAtProvider(start.headers.get('location')!, `${v.url}${CALLBACK}`, login, o);
    const res = await browser.request(callbackUrl);
    return { res, body: (await res.json()) as any, browser, callbackUrl };
  };

  beforeAll(async () => {
    op = await startSignInProvider();
    const closed = await startSignInProvider(); // a port that answers nothing once closed
    await closed.close();
    const providers = (contosoOrg: string) => JSON.stringify([
      { id: 'contoso', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, domains: ['contoso.test'], organisations: [contosoOrg] },
      // Another provider owns fabrikam.test (never contacted: only the domain rule is exercised).
      { id: 'fabrikam', issuer: `${op.issuer}/fabrikam`, clientId: 'x', domains: ['fabrikam.test'] },
      { id: 'down', issuer: closed.issuer, clientId: 'x', domains: ['down.test'] },
    ]);
    // Organisation ids must be known before the configuration: create the stores' companies with fixed ids.
    const contosoOrg = newId('company', 'test');
    vg = await startVaultgate({ VAULTGATE_OIDC_SIGNIN_PROVIDERS: providers(contosoOrg) }, systemClock);
    late = await startVaultgate({ VAULTGATE_OIDC_SIGNIN_PROVIDERS: providers(contosoOrg) }, { now: () => Date.now() + 2 * 3600_000 });
    await op.start([`${vg.url}${CALLBACK}`, `${late.url}${CALLBACK}`]);
    for (const v of [vg, late]) {
      await v.store.createCompany({ id: contosoOrg, name: 'Contoso Oy', businessId: '1967543-8', createdAt: new Date().toISOString() });
    }
    orgs.contoso = contosoOrg;
    users.aino = await addUser(vg.store, 'Aino.Virtanen@contoso.test', contosoOrg, { totpConfirmedAt: new Date().toISOString() });
    users.guest = await addUser(vg.store, 'guest.consultant@gmail.test', contosoOrg);
    users.bob = await addUser(vg.store, 'bob@fabrikam.test', null);
    users.op = await addUser(vg.store, 'root@contoso.test', null, { platformRole: 'operator' });
    users.nomember = await addUser(vg.store, 'someone@elsewhere.test', null);
    await addUser(late.store, 'aino.virtanen@contoso.test', contosoOrg);
    op.accounts.set('aino-sub', { email: 'aino.virtanen@CONTOSO.test' });
    op.accounts.set('guest-sub', { email: 'guest.consultant@gmail.test' });
    op.accounts.set('guest-unverified', { email: 'guest.consultant@gmail.test', emailVerified: false });
    op.accounts.set('bob-sub', { email: 'bob@fabrikam.test' });
    op.accounts.set('root-sub', { email: 'root@contoso.test' });
    op.accounts.set('nobody-sub', { email: 'nobody@contoso.test' });
    op.accounts.set('elsewhere-sub', { email: 'someone@elsewhere.test' });
    op.accounts.set('no-email-sub', {});
    for (let i = 0; i < 6; i++) op.accounts.set(`flood-${i}`, { email: 'flood@contoso.test' });
  }, 60_000);
  afterAll(async () => {
    await stopVaultgate(vg);
    await stopVaultgate(late);
    await op.close();
  });

  it('first sign-in links the provider account to the user with its verified email; the next finds the link; no TOTP code is asked', async () => {
    const first = await signIn(vg, 'email=Aino.Virtanen%40contoso.test', 'aino-sub');
    expect(first.res.status, JSON.stringify(first.body)).toBe(200);
    expect(first.res.headers.get('cache-control')).toBe('no-store');
    expect(first.body.user).toMatchObject({ id: users.aino!.id, email: 'Aino.Virtanen@contoso.test', totpEnrolled: true });
    const session = first.browser.cookie(vg.url, '__Host-vaultgate-session');
    expect(session).toBeTruthy();
    expect(first.browser.cookie(vg.url, '__Host-vaultgate-oidc')).toBeUndefined(); // the flow cookie is spent
    const setCookie = first.res.headers.getSetCookie().find((c) => c.startsWith('__Host-vaultgate-session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const me = await first.browser.request(`${vg.url}/api/v1/me`);
    expect(me.status).toBe(200);
    expect(((await me.json()) as any).memberships[0].organisationId).toBe(orgs.contoso);
    // The session works for state-changing requests with its CSRF token, like a password session.
    const out = await first.browser.request(`${vg.url}/api/v1/session`, { method: 'DELETE', headers: { 'x-csrf-token': first.body.csrfToken } });
    expect(out.status).toBe(204);

    const second = await signIn(vg, 'provider=contoso', 'aino-sub');
    expect(second.res.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.user.id).toBe(users.aino!.id);
    expect(await vg.store.getIdentity(op.issuer, 'aino-sub')).toMatchObject({ userId: users.aino!.id });

    const trail = [...(await events(vg, 'identity.link')), ...(await events(vg, 'session.sign-in'))].filter((e) => e.subject === users.aino!.id);
    expect(trail.filter((e) => e.action === 'identity.link')).toMatchObject([{ outcome: 'success', actor: { kind: 'user', id: users.aino!.id }, details: { provider: 'contoso', issuer: op.issuer } }]);
    expect(trail.filter((e) => e.action === 'session.sign-in' && e.outcome === 'success').map((e) => e.details))
      .toEqual([{ method: 'oidc', secondFactor: false }, { method: 'oidc', secondFactor: false }]);
  });

  it('a member of an organisation configured for the provider signs in whatever their email domain', async () => {
    const r = await signIn(vg, 'provider=contoso', 'guest-sub');
    expect(r.res.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.user.id).toBe(users.guest!.id);
  });

  it('an organisation requiring TOTP lets a member without one in through OIDC (the session records its method), not through a password session', async () => {
    await vg.store.setOrganisationRequireTotp(orgs.contoso!, true, setup(orgs.contoso!));
    try {
      const r = await signIn(vg, 'provider=contoso', 'guest-sub');
      expect(r.res.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.user).toMatchObject({ id: users.guest!.id, totpEnrolled: false });
      const members = await r.browser.request(`${vg.url}/api/v1/organisations/${orgs.contoso}/members`);
      expect(members.status, await members.clone().text()).toBe(200);
      const me = (await (await r.browser.request(`${vg.url}/api/v1/me`)).json()) as any;
      expect(me).toMatchObject({ totpEnrolmentRequired: false, via: 'session' });
      // The same user with a session started by a password (made in the store: the guest has no password) is held.
      const token = randomBytes(32).toString('base64url');
      const now = new Date().toISOString();
      await vg.store.createSession({ tokenHash: sessionTokenHash(token), userId: users.guest!.id, createdAt: now, lastSeenAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), revokedAt: null, clientAddress: null, signInMethod: 'password' }, undefined, setup(users.guest!.id));
      const held = await fetch(`${vg.url}/api/v1/organisations/${orgs.contoso}/members`, { headers: { authorization: `Bearer ${token}` } });
      expect(held.status).toBe(401);
      expect(((await held.json()) as any).code).toBe('TOTP_REQUIRED');
      expect(((await (await fetch(`${vg.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as any).totpEnrolmentRequired).toBe(true);
    } finally {
      await vg.store.setOrganisationRequireTotp(orgs.contoso!, false, setup(orgs.contoso!));
    }
  });

  it('refuses a tampered state, a missing or forged flow cookie, and a replayed callback (OIDC_STATE_INVALID, audited)', async () => {
    const browser = new OidcBrowser();
    const start = await browser.request(`${vg.url}/api/v1/session/oidc?provider=contoso`);
    const callbackUrl = await browser.signInAtProvider(start.headers.get('location')!, `${vg.url}${CALLBACK}`, 'guest-sub');
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    const bad = await browser.request(tampered.href);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).code).toBe('OIDC_STATE_INVALID');
    // The refused try spent the flow: the genuine callback afterwards has no flow to match either.
    const replay = await browser.request(callbackUrl);
    expect(((await replay.json()) as any).code).toBe('OIDC_STATE_INVALID');

    const other = new OidcBrowser();
    const start2 = await other.request(`${vg.url}/api/v1/session/oidc?provider=contoso`);
    const cb2 = await other.signInAtProvider(start2.headers.get('location')!, `${vg.url}${CALLBACK}`, 'guest-sub');
    // Another browser (an attacker's callback URL sent to a victim): no flow cookie.
    const stranger = await new OidcBrowser().request(cb2);
    expect(stranger.status).toBe(400);
    expect(((await stranger.json()) as any).code).toBe('OIDC_STATE_INVALID');
    // A cookie not sealed by the server.
    other.setCookie(vg.url, '__Host-vaultgate-oidc', Buffer.from('{"p":"contoso","s":"x"}').toString('base64url'));
    const forged = await other.request(cb2);
    expect(((await forged.json()) as any).code).toBe('OIDC_STATE_INVALID');
    const refused = (await events(vg, 'session.sign-in', 'refused')).filter((e) => e.details.code === 'OIDC_STATE_INVALID');
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused[0]!.details).toMatchObject({ method: 'oidc' });
  });

  it('the provider refusing the sign-in is OIDC_PROVIDER_DENIED', async () => {
    const r = await signIn(vg, 'email=aino.virtanen%40contoso.test', 'aino-sub', { cancel: true });
    expect(r.res.status).toBe(401);
    expect(r.body.code).toBe('OIDC_PROVIDER_DENIED');
    const refused = await events(vg, 'session.sign-in', 'refused');
    expect(refused.some((e) => e.details.code === 'OIDC_PROVIDER_DENIED' && e.subject === 'aino.virtanen@contoso.test')).toBe(true);
  });

  it('refuses the wrong provider for a domain or a user, and links no one (OIDC_PROVIDER_MISMATCH)', async () => {
    // bob@fabrikam.test signs in at contoso's provider: fabrikam.test belongs to the fabrikam provider.
    const wrongDomain = await signIn(vg, 'provider=contoso', 'bob-sub');
    expect(wrongDomain.res.status).toBe(403);
    expect(wrongDomain.body.code).toBe('OIDC_PROVIDER_MISMATCH');
    // someone@elsewhere.test exists, but neither their domain nor an organisation of theirs has this provider.
    const noProvider = await signIn(vg, 'provider=contoso', 'elsewhere-sub');
    expect(noProvider.res.status).toBe(403);
    expect(noProvider.body.code).toBe('OIDC_PROVIDER_MISMATCH');
    expect(await vg.store.getIdentity(op.issuer, 'bob-sub')).toBeUndefined();
    expect(await vg.store.getIdentity(op.issuer, 'elsewhere-sub')).toBeUndefined();
    const refused = await events(vg, 'session.sign-in', 'refused');
    expect(refused.filter((e) => e.details.code === 'OIDC_PROVIDER_MISMATCH').length).toBe(2);
  });

  it('refuses unknown people, unverified emails, ID tokens without an email, and operators (OIDC_USER_UNKNOWN); creates no user', async () => {
    for (const login of ['nobody-sub', 'guest-unverified', 'no-email-sub', 'root-sub']) {
      const r = await signIn(vg, 'provider=contoso', login);
      expect(r.res.status, login).toBe(401);
      expect(r.body.code, login).toBe('OIDC_USER_UNKNOWN');
      expect(await vg.store.getIdentity(op.issuer, login)).toBeUndefined();
    }
    expect(await vg.store.getUserByEmail('nobody@contoso.test')).toBeUndefined();
    const refused = (await events(vg, 'session.sign-in', 'refused')).filter((e) => e.details.code === 'OIDC_USER_UNKNOWN');
    expect(refused.map((e) => e.subject)).toContain(`${op.issuer} nobody-sub`);
  });

  it('an expired ID token is refused by the library (OIDC_TOKEN_INVALID): the server whose clock is two hours on', async () => {
    const r = await signIn(late, 'email=aino.virtanen%40contoso.test', 'aino-sub');
    expect(r.res.status, JSON.stringify(r.body)).toBe(401);
    expect(r.body.code).toBe('OIDC_TOKEN_INVALID');
    expect(r.body.detail).toMatch(/JWT timestamp claim value failed/); // openid-client's own check of exp, not ours
    expect(r.browser.cookie(late.url, '__Host-vaultgate-session')).toBeUndefined();
    const refused = await events(late, 'session.sign-in', 'refused');
    expect(refused.map((e) => e.details.code)).toContain('OIDC_TOKEN_INVALID');
  });

  it('answers OIDC_PROVIDER_UNKNOWN for a domain or name without a provider, and OIDC_PROVIDER_UNAVAILABLE when it cannot be reached', async () => {
    // The detail says what was wrong with what was given (an email's domain, a name, or nothing given).
    const details = { 'email=someone%40nowhere.test': 'No provider is configured for the domain nowhere.test.', 'provider=nosuch': 'No provider nosuch.', '': 'Give ?email=' };
    for (const [q, detail] of Object.entries(details)) {
      const r = await fetch(`${vg.url}/api/v1/session/oidc?${q}`, { redirect: 'manual' });
      expect(r.status, q).toBe(400);
      const body = (await r.json()) as any;
      expect(body.code, q).toBe('OIDC_PROVIDER_UNKNOWN');
      expect(body.detail, q).toContain(detail);
      expect(body.remedy, q).toMatch(/password.*\?provider=/);
    }
    const titles = { en: /domain of this email address/, fi: /sähköpostiosoitteen verkkotunnukselle/, sv: /e-postadressens domän/ };
    for (const [language, title] of Object.entries(titles)) {
      const r = await fetch(`${vg.url}/api/v1/session/oidc?email=someone%40nowhere.test`, { redirect: 'manual', headers: { 'accept-language': language } });
      expect(((await r.json()) as any).title, language).toMatch(title);
    }
    // A CLI handoff goes only to a loopback address (RFC 8252 §7.3), never to another host.
    for (const r of ['http://evil.example/cb', 'https://127.0.0.1:1/cb', 'http://localhost:8000/cb']) {
      const q = new URLSearchParams({ provider: 'contoso', cliRedirect: r, cliChallenge: 'c'.repeat(43) });
      const res = await fetch(`${vg.url}/api/v1/session/oidc?${q}`, { redirect: 'manual' });
      expect(res.status, r).toBe(400);
      expect(((await res.json()) as any).code, r).toBe('INVALID_REQUEST');
    }
    const down = await fetch(`${vg.url}/api/v1/session/oidc?email=x%40down.test`, { redirect: 'manual' });
    expect(down.status).toBe(503);
    expect(((await down.json()) as any).code).toBe('OIDC_PROVIDER_UNAVAILABLE');
  });

  it('failed sign-ins count towards the account throttle, as on the password path (SIGN_IN_THROTTLED)', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await signIn(vg, 'email=flood%40contoso.test', `flood-${i}`);
      codes.push(r.body.code);
      if (r.res.status === 429) expect(Number(r.res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(codes).toEqual([...Array(5).fill('OIDC_USER_UNKNOWN'), 'SIGN_IN_THROTTLED']);
    const refused = await events(vg, 'session.sign-in', 'refused');
    expect(refused.filter((e) => e.subject === 'flood@contoso.test' && e.details.code === 'SIGN_IN_THROTTLED')).toHaveLength(1);
  });

  it('the CLI signs in through the provider: prints the URL, waits on its loopback redirect, collects the session with its verifier', async () => {
    const home = tempDir();
    try {
      const child = spawn(process.execPath, [CLI, 'account', '--json', 'signin', '--oidc', '--email', 'aino.virtanen@contoso.test', '--timeout-s', '60'], {
        env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: vg.url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => { stdout += String(c); });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const startUrl = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (c) => {
          stderr += String(c);
          const m = /(http:\/\/\S+\/api\/v1\/session\/oidc\?\S+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        void exited.then(() => reject(new Error(`the CLI exited: ${stderr}`)));
      });
      expect(new URL(startUrl).searchParams.get('cliRedirect')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const browser = new OidcBrowser();
      const callbackUrl = await browser.signInAtProvider(startUrl, `${vg.url}${CALLBACK}`, 'aino-sub');
      const back = await browser.request(callbackUrl);
      expect(back.status).toBe(302);
      expect(browser.cookie(vg.url, '__Host-vaultgate-session')).toBeUndefined(); // the session goes to the CLI, not the browser
      const loopback = new URL(back.headers.get('location')!);
      // The handoff without the CLI's verifier is worth nothing.
      const stolen = await fetch(`${vg.url}/api/v1/session/oidc/handoff`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ handoff: loopback.searchParams.get('handoff'), verifier: 'x'.repeat(43) }),
      });
      expect(stolen.status).toBe(400);
      expect(((await stolen.json()) as any).code).toBe('OIDC_STATE_INVALID');
      const page = await browser.request(loopback.href);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('close this tab');
      expect(await exited, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ id: users.aino!.id, email: 'Aino.Virtanen@contoso.test' });
      const token = /session_token = (\S+)/.exec(readFileSync(join(home, 'vaultgate', 'credentials'), 'utf8'))![1]!;
      const me = await fetch(`${vg.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      const refused = (await events(vg, 'session.sign-in', 'refused')).filter((e) => e.details.step === 'cli-handoff');
      expect(refused).toHaveLength(1);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('the CLI reports an unknown provider in the terminal', async () => {
    const home = tempDir();
    try {
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'account', '--json', 'signin', '--oidc', '--email', 'x@nowhere.test'], { env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: vg.url } });
        let stdout = '';
        child.stdout.on('data', (c) => { stdout += String(c); });
        child.on('exit', (code) => resolve({ code, stdout }));
      });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).code).toBe('OIDC_PROVIDER_UNKNOWN');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
