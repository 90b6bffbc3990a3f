import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { VaultgateClient, type MacCredentials } from '../../src/sdk/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type Store } from '../../src/store/index.js';
import { OidcBrowser, startSignInProvider, type SignInProvider } from '../helpers/oidc-sign-in-provider.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtp } from '../helpers/smtp.js';
import { CLI, tempDir } from '../helpers/servers.js';

/*
 * Issue 14's whole journey over real sockets ("Done when"): a company and a software vendor register, the operator
 * approves both, the company's admin signs in with a password and TOTP (codes from otpauth) and invites a second
 * admin by email (a real local SMTP server receives the mail; the test follows its link), who signs in through a real
 * OpenID provider (oidc-provider) although the company requires TOTP; each side creates its credentials; the vendor
 * requests a channel, the company approves it; a message sent with the SDK (MAC) on it is read back by the company.
 * Every step is checked in the audit trail.
 */

const ADMIN = 'j'.repeat(40);
const CALLBACK = '/api/v1/session/oidc/callback';
const PASSWORD = 'matka alkaa rekisteröinnistä';
const BUSINESS_ID = '1967543-8';

interface Answer { status: number; body: any; headers: Headers }
interface Auth { bearer?: string; cookie?: string; csrf?: string }

describe('the accounts journey (issue 14)', () => {
  const dir = tempDir();
  let store: Store;
  let built: BuiltApp;
  let url = '';
  let op: SignInProvider;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  /** One CLI profile directory per person of the CLI journey. */
  const homes = { olli: tempDir(), vilma: tempDir(), cecilia: tempDir() };

  const api = async (method: string, path: string, auth: Auth = {}, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.csrf) headers['x-csrf-token'] = auth.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path.startsWith('http') ? path : `${url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const ok = (r: Answer, status: number): any => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const events = async (action: string): Promise<AuditRecord[]> =>
    ok(await api('GET', `${url}/admin/v1/audit?limit=1000&action=${encodeURIComponent(action)}`, { bearer: ADMIN }), 200).items;

  beforeAll(async () => {
    smtp = await startSmtp();
    op = await startSignInProvider();
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    const clock = { now: () => Date.now() };
    built = await buildApp({
      config: loadConfig({
        env: {
          VAULTGATE_DATA_DIR: dir, VAULTGATE_PORT: '0', VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0',
          VAULTGATE_SMTP_HOST: '127.0.0.1', VAULTGATE_SMTP_PORT: String(smtp.port), VAULTGATE_SMTP_TLS: 'none',
          VAULTGATE_SMTP_USER: SMTP_USER, VAULTGATE_SMTP_PASSWORD: SMTP_PASSWORD, VAULTGATE_MAIL_FROM: 'Vaultgate <no-reply@vaultgate.test>',
          VAULTGATE_OIDC_SIGNIN_PROVIDERS: JSON.stringify([{ id: 'yritys-sso', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, domains: ['sso.yritys.test'] }]),
        },
      }),
      store, adminToken: ADMIN, clock, publicBaseUrl: () => url,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 7) }, [], undefined), clock, 'test'),
    });
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(built.app.server.address() as { port: number }).port}`;
    await op.start([`${url}${CALLBACK}`]);
    op.accounts.set('bertta-sub', { email: 'bertta@sso.yritys.test' });
    op.accounts.set('cecilia-sub', { email: 'cecilia@sso.yritys.test' });
  }, 60_000);
  afterAll(async () => {
    await built?.app.close();
    await store?.close();
    await op?.close();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
    for (const h of Object.values(homes)) rmSync(h, { recursive: true, force: true });
  });

  it('through the HTTP API: registration → approval → invitation by mail → sign-in (password + TOTP; OIDC) → credentials → channel request → approval → a message sent and read back; every step audited', async () => {
    // 1. Registration of a company and of a vendor; nobody can sign in before the operator approves.
    const companyReg = ok(await api('POST', '/registrations', {}, { kind: 'company', organisationName: 'Yritys Oy', businessId: BUSINESS_ID, email: 'aino@yritys.test', displayName: 'Aino', language: 'fi', password: PASSWORD }), 201);
    const vendorReg = ok(await api('POST', '/registrations', {}, { kind: 'party', organisationName: 'Toimittaja Oy', email: 'ville@toimittaja.test', displayName: 'Ville', language: 'en', password: PASSWORD }), 201);
    expect([companyReg.status, vendorReg.status]).toEqual(['pending', 'pending']);
    expect((await api('POST', '/session', {}, { email: 'aino@yritys.test', password: PASSWORD })).body.code).toBe('SIGN_IN_FAILED');

    // 2. The operator approves both.
    const pending = ok(await api('GET', '/admin/registrations?status=pending', { bearer: ADMIN }), 200);
    expect(pending.items.map((r: { id: string }) => r.id)).toEqual([companyReg.id, vendorReg.id]);
    const company = ok(await api('POST', `/admin/registrations/${companyReg.id}/approve`, { bearer: ADMIN }), 200);
    const vendor = ok(await api('POST', `/admin/registrations/${vendorReg.id}/approve`, { bearer: ADMIN }), 200);
    const companyOrg: string = company.organisationId;
    const vendorOrg: string = vendor.organisationId;

    // 3. The company's admin signs in with a password (a browser: cookie + CSRF token), enrols TOTP and requires it.
    const signIn = async (email: string, extra: Record<string, unknown> = {}): Promise<Auth> => {
      const r = await api('POST', '/session', {}, { email, password: PASSWORD, ...extra });
      ok(r, 201);
      return { cookie: r.headers.getSetCookie()[0]!.split(';')[0]!, csrf: r.body.csrfToken as string };
    };
    let aino = await signIn('aino@yritys.test');
    const enrol = ok(await api('POST', '/me/totp', aino), 201);
    const totp = URI.parse(enrol.otpauthUri);
    ok(await api('POST', '/me/totp/confirm', aino, { code: totp.generate() }), 200);
    ok(await api('PUT', `/organisations/${companyOrg}/require-totp`, aino, { required: true }), 200);
    // The next sign-in needs a code; the confirmation's step is spent, so the next step's (within the drift allowed).
    expect((await api('POST', '/session', {}, { email: 'aino@yritys.test', password: PASSWORD })).body.code).toBe('TOTP_REQUIRED');
    aino = await signIn('aino@yritys.test', { totp: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(ok(await api('GET', '/me', aino), 200)).toMatchObject({ user: { totpEnrolled: true }, memberships: [{ organisationId: companyOrg, role: 'admin' }] });

    // 4. Aino invites a second admin; the mail reaches the SMTP server and its link creates the user.
    const invited = ok(await api('POST', `/organisations/${companyOrg}/invitations`, aino, { email: 'bertta@sso.yritys.test', role: 'admin', language: 'fi' }), 201);
    expect(invited.mailed).toBe(true);
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['bertta@sso.yritys.test']);
    const link = /(http:\/\/\S+\/api\/v1\/invitations\/vgi_[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect(ok(await api('GET', link), 200)).toMatchObject({ organisationName: 'Yritys Oy', existingUser: false });
    const accepted = ok(await api('POST', `${link}/accept`, {}, { displayName: 'Bertta', password: 'bertan oma pitkä salalause' }), 201);

    // 5. Bertta signs in through the company's OpenID provider (her domain's): no TOTP asked, and the company's
    //    TOTP requirement lets the OIDC session through.
    const browser = new OidcBrowser();
    const start = await browser.request(`${url}/api/v1/session/oidc?email=bertta%40sso.yritys.test`);
    expect(start.status).toBe(302);
    const callback = await browser.request(await browser.signInAtProvider(start.headers.get('location')!, `${url}${CALLBACK}`, 'bertta-sub'));
    const oidc = (await callback.json()) as any;
    expect(callback.status, JSON.stringify(oidc)).toBe(200);
    expect(oidc.user).toMatchObject({ id: accepted.userId, totpEnrolled: false });
    const bertta: Auth = { cookie: `__Host-vaultgate-session=${browser.cookie(url, '__Host-vaultgate-session')}`, csrf: oidc.csrfToken };
    expect(ok(await api('GET', '/me', bertta), 200)).toMatchObject({ totpEnrolmentRequired: false, memberships: [{ organisationId: companyOrg, role: 'admin' }] });
    //    A personal API token made in her OIDC session is held by the requirement no more than the session is.
    const pat = ok(await api('POST', '/me/api-tokens', bertta, { organisationId: companyOrg, role: 'viewer', name: 'reports' }), 201);
    expect(pat.signInMethod).toBe('oidc');
    expect(ok(await api('GET', `/organisations/${companyOrg}/members`, { bearer: pat.token }), 200).items).toHaveLength(2);
    expect(ok(await api('GET', '/me', { bearer: pat.token }), 200)).toMatchObject({ via: 'api-token', totpEnrolmentRequired: false });

    // 6. The vendor's admin signs in (the CLI's way: the session token as a bearer) and requests a channel.
    const ville = ok(await api('POST', '/session', {}, { email: 'ville@toimittaja.test', password: PASSWORD, tokenInBody: true }), 201);
    const villeAuth: Auth = { bearer: ville.sessionToken };
    const early = await api('POST', '/me/totp/confirm', villeAuth, { code: '123456' });
    expect(early.body).toMatchObject({ code: 'STATE_CONFLICT', detail: expect.stringContaining('No enrolment is pending') });
    const types = [{ name: 'TransportOrder', mediaTypes: ['application/json'] }];
    const request = ok(await api('POST', `/organisations/${vendorOrg}/channel-requests`, villeAuth, { businessId: BUSINESS_ID, messageTypes: types }), 201);

    // 7. Bertta (OIDC, cookie + CSRF) approves it; self-service credentials on both sides.
    expect((await api('POST', `/organisations/${companyOrg}/channel-requests/${request.id}/approve`, { cookie: bertta.cookie }, {})).body.code).toBe('CSRF_TOKEN_INVALID');
    const approved = ok(await api('POST', `/organisations/${companyOrg}/channel-requests/${request.id}/approve`, bertta, {}), 200);
    expect(approved).toMatchObject({ status: 'approved', decidedBy: accepted.userId, channel: { status: 'active' } });
    const channelId: string = approved.channel.id;
    const partner = ok(await api('POST', `/organisations/${vendorOrg}/partner-credentials`, villeAuth), 201);
    const ingest = ok(await api('POST', `/organisations/${companyOrg}/customer-credentials`, bertta, { name: 'for Toimittaja', scopes: ['ingest'] }), 201);
    const read = ok(await api('POST', `/organisations/${companyOrg}/customer-credentials`, aino, { name: 'our reader', scopes: ['vault.read'] }), 201);

    // 8. The vendor sends a message on the new channel (SDK, MAC); the company reads it back.
    const sender: MacCredentials = { partnerId: partner.partnerId, partnerKey: partner.partnerKey, customerId: ingest.customerId, customerKey: ingest.customerKey, organisationId: BUSINESS_ID };
    const out = new VaultgateClient({ baseUrl: url, credentials: sender, retry: { maxAttempts: 1 } });
    const sent = await out.send(channelId, '{"tilaus":"Oulu → Turku"}', { messageType: 'TransportOrder', mediaType: 'application/json' });
    await out.close();
    const owner = new VaultgateClient({ baseUrl: url, credentials: { ...sender, customerId: read.customerId, customerKey: read.customerKey }, retry: { maxAttempts: 1 } });
    const back = await owner.getMessage(sent.messageId);
    await owner.close();
    expect(back.body?.toString('utf8')).toBe('{"tilaus":"Oulu → Turku"}');

    // 9. The audit trail holds each step, by whom.
    const by = async (action: string, subject?: string) => (await events(action)).filter((e) => e.outcome === 'success' && (subject === undefined || e.subject === subject));
    expect((await by('registration.create')).map((e) => e.subject)).toEqual([companyReg.id, vendorReg.id]);
    expect((await by('registration.approve')).map((e) => [e.subject, e.actor.kind])).toEqual([[companyReg.id, 'operator'], [vendorReg.id, 'operator']]);
    expect(await by('user.totp-enrol', company.userId)).toHaveLength(1);
    expect(await by('user.totp-confirm', company.userId)).toHaveLength(1);
    expect((await by('organisation.require-totp'))[0]).toMatchObject({ actor: { id: company.userId }, tenants: [companyOrg] });
    expect((await by('session.sign-in', company.userId)).map((e) => e.details)).toEqual([{ method: 'password', secondFactor: false }, { method: 'password', secondFactor: true }]);
    expect((await by('session.sign-in', accepted.userId)).map((e) => e.details)).toEqual([{ method: 'oidc', secondFactor: false }]);
    expect((await by('session.sign-in', vendor.userId)).map((e) => e.details)).toEqual([{ method: 'password', secondFactor: false }]);
    expect((await by('invitation.create', invited.invitation.id))[0]).toMatchObject({ actor: { id: company.userId } });
    expect((await by('invitation.accept', invited.invitation.id))[0]).toMatchObject({ actor: { id: accepted.userId } });
    expect((await by('identity.link', accepted.userId))[0]).toMatchObject({ details: { provider: 'yritys-sso' } });
    expect((await by('channel-request.create', request.id))[0]).toMatchObject({ actor: { id: vendor.userId } });
    expect((await by('channel-request.approve', request.id))[0]).toMatchObject({ actor: { id: accepted.userId }, details: { channelId } });
    expect((await by('partner-credential.create', partner.partnerId))[0]).toMatchObject({ actor: { id: vendor.userId } });
    expect((await by('customer-credential.create')).map((e) => [e.subject, e.actor.id])).toEqual([[ingest.customerId, accepted.userId], [read.customerId, company.userId]]);
  });

  it('through the CLI as a process: the same journey, each person with their own profile', async () => {
    /** Runs the CLI as `who` (their profile), with the operator token and a password in the environment. */
    const vg = (who: keyof typeof homes, args: string[], o: { env?: Record<string, string>; input?: string; onStderr?: (text: string) => void } = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], {
          env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: homes[who], VAULTGATE_URL: url, VAULTGATE_ADMIN_TOKEN: ADMIN, VAULTGATE_PASSWORD: PASSWORD, ...o.env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => {
          stderr += String(d);
          o.onStderr?.(stderr);
        });
        child.stdin.end(o.input ?? '');
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const json = async (who: keyof typeof homes, args: string[], o: Parameters<typeof vg>[2] = {}): Promise<any> => {
      const r = await vg(who, args, o);
      expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
      return JSON.parse(r.stdout);
    };
    const businessId = '2729069-3';

    // 1-2. Registration of a company and a vendor; the operator approves both.
    const companyReg = await json('olli', ['account', '--json', 'register', '--kind', 'company', '--organisation-name', 'Kuljetus Oy', '--business-id', businessId, '--email', 'olli@kuljetus.test', '--display-name', 'Olli']);
    const vendorReg = await json('vilma', ['account', '--json', 'register', '--kind', 'party', '--organisation-name', 'Ohjelmisto Oy', '--email', 'vilma@ohjelmisto.test', '--display-name', 'Vilma']);
    expect((await vg('olli', ['admin', 'registrations', 'ls', '--status', 'pending'])).stdout).toContain(companyReg.id);
    const company = await json('olli', ['admin', '--json', 'registrations', 'approve', companyReg.id]);
    const vendor = await json('vilma', ['admin', '--json', 'registrations', 'approve', vendorReg.id]);
    const companyOrg: string = company.organisationId;
    const vendorOrg: string = vendor.organisationId;

    // 3. The company's admin signs in, enrols TOTP (the code from otpauth), and signs in again with it.
    expect((await vg('olli', ['account', 'signin', '--email', 'olli@kuljetus.test'])).code).toBe(0);
    const enrol = await json('olli', ['account', '--json', 'totp', 'enrol']);
    const totp = URI.parse(enrol.otpauthUri);
    expect((await json('olli', ['account', '--json', 'totp', 'confirm', totp.generate()])).totpEnrolled).toBe(true);
    const again = await vg('olli', ['account', 'totp', 'confirm', totp.generate()]);
    expect(again.stderr).toContain('STATE_CONFLICT');
    expect(again.stderr).toContain('confirmed already');
    expect((await vg('olli', ['account', 'signin', '--email', 'olli@kuljetus.test'])).stderr).toContain('TOTP_REQUIRED');
    expect((await vg('olli', ['account', 'signin', '--email', 'olli@kuljetus.test', '--totp', totp.generate({ timestamp: Date.now() + 30_000 })])).code).toBe(0);

    // 4. Olli invites Cecilia as an admin: mailed through the SMTP server; she accepts with the mail's link.
    const invited = await vg('olli', ['account', 'invite', 'cecilia@sso.yritys.test', '--org', companyOrg, '--role', 'admin']);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stderr).toContain('mailed to cecilia@sso.yritys.test');
    expect(invited.stdout).not.toContain('vgi_');
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['cecilia@sso.yritys.test']);
    const link = /(http:\/\/\S+\/api\/v1\/invitations\/vgi_[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const accepted = await json('cecilia', ['account', '--json', 'accept', link, '--display-name', 'Cecilia'], { env: { VAULTGATE_PASSWORD: 'cecilian oma pitkä salalause' } });
    expect(accepted).toMatchObject({ organisationId: companyOrg, role: 'admin' });

    // 5. Cecilia signs in through the OpenID provider from the CLI: it prints the URL, the "browser" signs in there.
    const browser = new OidcBrowser();
    let started = false;
    const signedIn = await vg('cecilia', ['account', '--json', 'signin', '--oidc', '--email', 'cecilia@sso.yritys.test', '--timeout-s', '60'], {
      onStderr: (text) => {
        const m = /(http:\/\/\S+\/api\/v1\/session\/oidc\?\S+)/.exec(text);
        if (!m || started) return;
        started = true;
        void (async () => {
          const back = await browser.request(await browser.signInAtProvider(m[1]!, `${url}${CALLBACK}`, 'cecilia-sub'));
          await browser.request(new URL(back.headers.get('location')!).href);
        })();
      },
    });
    expect(signedIn.code, signedIn.stderr).toBe(0);
    expect(JSON.parse(signedIn.stdout)).toMatchObject({ id: accepted.userId, email: 'cecilia@sso.yritys.test' });
    expect(await json('cecilia', ['account', '--json', 'me'])).toMatchObject({ via: 'session', memberships: [{ organisationId: companyOrg, role: 'admin' }] });

    // 6-7. The vendor signs in and requests a channel; Cecilia approves it; credentials on both sides.
    expect((await vg('vilma', ['account', 'signin', '--email', 'vilma@ohjelmisto.test'])).code).toBe(0);
    const request = await json('vilma', ['org', '--org', vendorOrg, '--json', 'channels', 'request', '--business-id', businessId, '--type', 'TransportOrder:application/json']);
    expect(request).toMatchObject({ status: 'pending', channelId: null });
    const approved = await json('cecilia', ['org', '--org', companyOrg, '--json', 'channels', 'approve', request.id]);
    expect(approved).toMatchObject({ status: 'approved', decidedBy: accepted.userId, channel: { status: 'active' } });
    const channelId: string = approved.channel.id;
    const partner = await json('vilma', ['org', '--org', vendorOrg, '--json', 'credentials', 'create', '--kind', 'partner']);
    const ingest = await json('cecilia', ['org', '--org', companyOrg, '--json', 'credentials', 'create', '--kind', 'customer', '--name', 'for Ohjelmisto', '--scopes', 'ingest']);
    const reader = await json('olli', ['org', '--org', companyOrg, '--json', 'credentials', 'create', '--kind', 'customer', '--name', 'our reader', '--scopes', 'vault.read']);

    // 8. The vendor sends with `vaultgate send` (MAC); the company reads it back with `vaultgate vault get`.
    const mac = (customer: { customerId: string; customerKey: string }) => ({
      VAULTGATE_PARTNER_ID: partner.partnerId, VAULTGATE_PARTNER_KEY: partner.partnerKey, VAULTGATE_CUSTOMER_ID: customer.customerId,
      VAULTGATE_CUSTOMER_KEY: customer.customerKey, VAULTGATE_ORGANISATION_ID: businessId,
    });
    const sent = await json('vilma', ['send', '--channel', channelId, '--message-type', 'TransportOrder', '--json', '-'], { env: mac(ingest), input: '{"kolli":"Vaasa → Kemi"}' });
    const read = await vg('olli', ['vault', 'get', sent.messageId], { env: mac(reader) });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('{"kolli":"Vaasa → Kemi"}');

    // 9. The audit trail holds each step of this journey, by whom.
    const by = async (action: string, subject: string) => (await events(action)).filter((e) => e.outcome === 'success' && e.subject === subject);
    expect(await by('registration.create', companyReg.id)).toHaveLength(1);
    expect((await by('registration.approve', vendorReg.id))[0]).toMatchObject({ actor: { kind: 'operator' } });
    expect((await by('user.totp-confirm', company.userId))).toHaveLength(1);
    expect((await by('session.sign-in', company.userId)).map((e) => e.details)).toEqual([{ method: 'password', secondFactor: false }, { method: 'password', secondFactor: true }]);
    expect((await by('session.sign-in', accepted.userId)).map((e) => e.details)).toEqual([{ method: 'oidc', secondFactor: false }]);
    expect((await events('invitation.accept')).find((e) => e.actor.id === accepted.userId)).toMatchObject({ outcome: 'success', tenants: [companyOrg] });
    expect((await by('channel-request.create', request.id))[0]).toMatchObject({ actor: { id: vendor.userId } });
    expect((await by('channel-request.approve', request.id))[0]).toMatchObject({ actor: { id: accepted.userId }, details: { channelId } });
    expect((await by('partner-credential.create', partner.partnerId))[0]).toMatchObject({ actor: { id: vendor.userId } });
    expect((await by('customer-credential.create', ingest.customerId))[0]).toMatchObject({ actor: { id: accepted.userId } });
    expect((await by('customer-credential.create', reader.customerId))[0]).toMatchObject({ actor: { id: company.userId } });
  });
});
