import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, SqliteKeyStore, type SqliteStore } from '../../src/store/index.js';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, tabTo, typeInto, type PortalBrowser,
} from '../helpers/browser.js';
import { macRequest } from '../helpers/mac-request.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { enrolTotp, PORTAL_ADMIN_TOKEN, totpCode } from '../helpers/portal-server.js';
import { createTenant, NO_THROTTLE, tempDir, type Tenant } from '../helpers/servers.js';

/*
 * The operator pages in a real browser (issue 16): an operator user (made through the API, TOTP enrolled) signs in
 * with TOTP, approves a registration (by keyboard), meets the coded error of a registration decided meanwhile,
 * suspends and reinstates an organisation, rotates the token signing key, verifies the audit trail in the browser
 * (ok) and — after the stopped server's database file is edited — sees it break at the edited seq; the health page
 * charts real numbers from /metrics after ingestion. A non-operator never sees the section and the API refuses them.
 * Every page: axe, a screenshot, no request off the server's origin, no CSP violation. Needs `npm run build`.
 */

const PASSWORD = 'operaattorin salasana on pitkä';
/** Aino's password after the operator's reset link (test 3). */
const NEW_PASSWORD = 'uusi pitkä salasana tälle';

/** The portal's server on files that outlive a restart (the browser tests' portal-server.ts, with a kept data dir). */
class RestartableServer {
  built!: BuiltApp;
  store!: SqliteStore;
  keys!: SqliteKeyStore;
  url = '';
  port = 0;
  readonly dir = tempDir('vg-portal-op-');
  get dbFile(): string { return join(this.dir, 'db.sqlite'); }
  async start(): Promise<void> {
    this.store = openSqliteStore({ file: this.dbFile });
    this.keys = openSqliteKeyStore({ file: join(this.dir, 'keys.sqlite') });
    this.built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: this.dir, VAULTGATE_REGISTRATION_AUTO_APPROVE: 'false', ...NO_THROTTLE } }), store: this.store, publicBaseUrl: () => this.url,
      crypto: new VaultCrypto(this.keys, new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 9) }, [], undefined), systemClock, 'test'),
      adminToken: PORTAL_ADMIN_TOKEN,
    });
    await this.built.app.listen({ port: this.port, host: '127.0.0.1' });
    this.port = (this.built.app.server.address() as { port: number }).port;
    this.url = `http://localhost:${this.port}`;
  }
  async stop(): Promise<void> {
    await this.built.app.close();
    await this.store.close();
    await this.keys.close();
  }
}

describe.skipIf(skipBrowser())('portal operator pages in chromium', () => {
  const server = new RestartableServer();
  let browser: PortalBrowser;
  let page: Page;
  let otpauth: string;
  let org: TestOrganisation;
  let tenant: Tenant;
  const url = (path: string) => `${server.url}/portal${path}`;
  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await fetch(`${server.url}/admin/v1${path}`, {
      method, headers: { authorization: `Bearer ${PORTAL_ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: await r.json() as any };
  };
  const register = async (name: string, email: string) => (await apiCall(server.url, 'POST', '/registrations', undefined, {
    kind: 'party', organisationName: name, email, displayName: 'Admin', password: PASSWORD,
  })).body.id as string;
  const h1 = () => page.locator('h1').textContent();

  beforeAll(async () => {
    await server.start();
    const op = await apiCall(server.url, 'POST', '/admin/operators', PORTAL_ADMIN_TOKEN, { email: 'olli@operaattori.test', displayName: 'Olli Operaattori', password: PASSWORD });
    expect(op.status).toBe(201);
    otpauth = await enrolTotp(server.url, 'olli@operaattori.test', PASSWORD);
    org = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'company', email: 'aino@yritys.test', businessId: '1967543-8', name: 'Yritys Oy' });
    tenant = await createTenant(admin, { businessId: '2745102-0' });
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server.stop().catch(() => undefined);
  });
  afterEach(() => {
    expectOnlyOrigins(browser, [server.url]);
    expectNoCspViolations(browser);
  });

  it('signs the operator in with TOTP and approves a registration by keyboard', async () => {
    const pending = await register('Odottava Oy', 'odottava@ohjelmisto.test');
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill('olli@operaattori.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('One-time code').fill(totpCode(otpauth, 1));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/portal\/operator$/);
    await expect.poll(h1).toBe('Registrations');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.textContent()).toContain('Operator');
    await page.getByRole('cell', { name: 'Odottava Oy', exact: true }).waitFor();
    await checkA11y(page, 'operator-registrations');
    await screenshot(page, 'operator-registrations');
    // Keyboard only: Tab to the row's Approve button and press Enter.
    await page.locator('h1').click();
    // Who registered: the person's name and email.
    const pendingRow = page.locator('tbody tr', { hasText: 'Odottava Oy' });
    await expect.poll(() => pendingRow.textContent()).toContain('odottava@ohjelmisto.test');
    expect(await pendingRow.textContent()).toContain('Admin');
    await tabTo(page, /^Approve Odottava Oy$/, 60);
    await page.keyboard.press('Enter');
    // The confirm step takes the focus: nothing is approved until Enter confirms.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Confirm');
    // The question reads as a sentence: the verb lower-cased mid-sentence, the name as written.
    expect(await page.getByRole('group', { name: 'Really approve Odottava Oy?' }).textContent()).toContain('Really approve Odottava Oy?');
    expect((await apiCall(server.url, 'GET', '/admin/registrations?status=pending', PORTAL_ADMIN_TOKEN)).body.items.some((r: { id: string }) => r.id === pending)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'was approved' }).textContent()).toBe('Odottava Oy was approved.');
    const list = await apiCall(server.url, 'GET', '/admin/registrations?status=approved', PORTAL_ADMIN_TOKEN);
    expect(list.body.items.find((r: { id: string }) => r.id === pending)).toMatchObject({ status: 'approved' });
  });

  it('shows the coded error with its remedy for a registration decided meanwhile', async () => {
    const id = await register('Myöhäinen Oy', 'myohainen@ohjelmisto.test');
    await page.goto(url('/operator'));
    await page.getByRole('cell', { name: 'Myöhäinen Oy', exact: true }).waitFor();
    expect((await apiCall(server.url, 'POST', `/admin/registrations/${id}/decline`, PORTAL_ADMIN_TOKEN)).status).toBe(200);
    await page.getByRole('button', { name: 'Approve Myöhäinen Oy' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('STATE_CONFLICT');
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(page, 'operator-registrations-error');
    await screenshot(page, 'operator-registrations-error');
  });

  it('suspends and reinstates an organisation with confirm; looks a user up and makes a reset link shown once', async () => {
    await page.goto(url('/operator/organisations'));
    await expect.poll(h1).toBe('Organisations and users');
    const row = page.locator('tr', { hasText: 'Yritys Oy' });
    await row.getByRole('button', { name: 'Suspend Yritys Oy' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.textContent()).toContain('Suspended');
    const orgs = async () => (await apiCall(server.url, 'GET', '/admin/organisations?limit=100', PORTAL_ADMIN_TOKEN)).body.items.find((o: { id: string }) => o.id === org.orgId).status;
    expect(await orgs()).toBe('suspended');
    expect((await apiCall(server.url, 'GET', `/organisations/${org.orgId}`, org.admin)).body.code).toBe('ORGANISATION_SUSPENDED');
    await checkA11y(page, 'operator-organisations-suspended');
    await row.getByRole('button', { name: 'Reinstate Yritys Oy' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.textContent()).toContain('Active');
    expect(await orgs()).toBe('active');
    await page.getByLabel('Email', { exact: true }).fill('aino@yritys.test');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('button', { name: 'Password-reset link for aino@yritys.test' }).click();
    const link = (await page.getByTestId('secret').textContent())!;
    expect(link).toMatch(/\/password-reset\/vgr_/);
    await checkA11y(page, 'operator-organisations');
    await screenshot(page, 'operator-organisations');
    // The link works once: it sets a new password.
    const token = link.split('/').pop()!;
    expect((await apiCall(server.url, 'POST', `/password-reset/${token}`, undefined, { password: NEW_PASSWORD })).status).toBe(200);
  });

  it("tells an operator without an authenticator that the operator role requires one (not an organisation)", async () => {
    const op = await apiCall(server.url, 'POST', '/admin/operators', PORTAL_ADMIN_TOKEN, { email: 'uusi@operaattori.test', displayName: 'Uusi Operaattori', password: PASSWORD });
    expect(op.status).toBe(201);
    const other = await launchBrowser();
    try {
      const p = await other.newPage();
      await p.goto(url('/sign-in'));
      await p.getByLabel('Email').first().fill('uusi@operaattori.test');
      await p.getByLabel('Password').fill(PASSWORD);
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL(/\/portal\/account\/profile$/);
      const alert = p.getByRole('alert').filter({ hasText: 'authenticator' });
      await expect.poll(() => alert.textContent()).toBe('The operator role requires an authenticator app: set it up below to continue.');
      expect(await p.locator('body').textContent()).not.toContain('An organisation of yours');
      await checkA11y(p, 'operator-totp-required');
      expectOnlyOrigins(other, [server.url]);
      expectNoCspViolations(other);
    } finally {
      await other.close();
    }
  });

  it('says plainly that a trail no checkpoint anchors yet is unanchored, not broken, and links to the Keys page', async () => {
    expect((await admin('GET', '/audit/checkpoints')).body.items).toEqual([]);
    await page.goto(url('/operator/audit'));
    await expect.poll(h1).toBe('Audit trail');
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: 20_000 });
    const text = (await verdict.textContent())!;
    expect(text).toContain('The chain holds, but it is not anchored yet: no checkpoint has been signed.');
    expect(text).not.toContain('Broken');
    expect(text).not.toContain('does not verify');
    expect(await verdict.getAttribute('role')).toBe('status');
    await checkA11y(page, 'operator-audit-unanchored');
    await verdict.getByRole('link', { name: 'Sign a checkpoint on the Keys and rotation page' }).click();
    await expect.poll(h1).toBe('Keys and rotation');
  });

  it('rotates the token signing key and signs a checkpoint', async () => {
    const before = (await admin('GET', '/oauth/signing-keys')).body.items.find((k: { current: boolean }) => k.current).kid as string;
    await page.goto(url('/operator/keys'));
    await expect.poll(h1).toBe('Keys and rotation');
    await page.locator('td', { hasText: before }).waitFor();
    await checkA11y(page, 'operator-keys');
    await screenshot(page, 'operator-keys');
    await page.getByRole('button', { name: 'Rotate the signing key' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Signing now' }).count()).toBe(1);
    const keys = (await admin('GET', '/oauth/signing-keys')).body.items as { kid: string; current: boolean }[];
    const now = keys.find((k) => k.current)!.kid;
    expect(now).not.toBe(before);
    expect(await page.getByRole('status').filter({ hasText: 'Signing now' }).textContent()).toBe(`Signing now with the new key ${now}.`);
    await page.getByRole('button', { name: 'Sign a checkpoint now' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'A checkpoint was signed' }).count()).toBe(1);
    const cps = (await admin('GET', '/audit/checkpoints')).body.items as { seq: number }[];
    expect(await page.getByRole('status').filter({ hasText: 'A checkpoint was signed' }).textContent()).toBe(`A checkpoint was signed at seq ${cps.at(-1)!.seq}.`);
  });

  it('charts real numbers from /metrics on the health page after some ingestion', async () => {
    await page.goto(url('/operator/health'));
    await expect.poll(h1).toBe('Health and throughput');
    await expect.poll(() => page.getByTestId('probes').textContent()).toMatch(/ok.*ready/s);
    await page.getByTestId('metrics-table').waitFor();
    for (let n = 0; n < 12; n++) {
      const r = await macRequest({ baseUrl: server.url, target: `/ingestion/${tenant.channelId}`, creds: tenant.sender, body: JSON.stringify({ n }), headers: { 'content-type': 'application/json' } });
      expect(r.status, r.text).toBeLessThan(300);
    }
    const cell = (name: string) => page.getByTestId('metrics-table').locator('tr', { hasText: name }).locator('td').textContent();
    await expect.poll(() => cell('Messages stored since start'), { timeout: 15_000 }).toBe('12');
    await expect.poll(() => page.locator('.chart canvas').count(), { timeout: 15_000 }).toBe(3);
    // The time axis: today's clock times (the chart's seconds read as seconds), 24-hour, in the portal's locale (en-GB).
    const ticks = (await page.getByTestId('chart').first().getAttribute('data-ticks'))!.split(' | ');
    expect(ticks.length).toBeGreaterThan(1);
    const nowHm = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
    for (const tick of ticks) expect(tick).toMatch(/^\d{2}:\d{2}(:\d{2})?$/);
    const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
    const drift = Math.abs(minutes(ticks.at(-1)!) - minutes(nowHm));
    expect(Math.min(drift, 1440 - drift)).toBeLessThanOrEqual(4);
    const requests = Number((await cell('Requests since start'))!.replace(/\D/g, ''));
    expect(requests).toBeGreaterThan(12);
    await checkA11y(page, 'operator-health');
    await screenshot(page, 'operator-health');
  });

  it('verifies the audit trail in the browser, then sees it break at the seq edited in the stopped server\'s database', async () => {
    await page.goto(url('/operator/audit'));
    await expect.poll(h1).toBe('Audit trail');
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Action').fill('organisation.');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    expect(await page.locator('tbody').textContent()).toMatch(/organisation\.suspend.*organisation\.reinstate/);
    // The operator who acted, by name and email (not only a user id).
    await expect.poll(() => page.locator('tbody tr').first().textContent()).toContain('Olli Operaattori <olli@operaattori.test>');
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: 20_000 });
    expect(await verdict.textContent()).toContain('The trail verifies');
    const head = (await admin('GET', '/audit?limit=1000')).body.items.at(-1).seq as number;
    expect(await verdict.locator('dd').allTextContents()).toEqual(expect.arrayContaining([String(head)]));
    await checkA11y(page, 'operator-audit');
    await screenshot(page, 'operator-audit');

    await server.stop();
    const db = new Database(server.dbFile);
    db.exec(`UPDATE audit_log SET details = '{"name":"Someone Else Oy"}' WHERE seq = 3`);
    db.close();
    await server.start();
    await page.goto(url('/operator/audit'));
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    await verdict.waitFor({ timeout: 20_000 });
    const text = (await verdict.textContent())!;
    expect(text).toContain('The trail does not verify.');
    expect(text).toMatch(/Broken at seq 3: .*edited/);
    expect(await verdict.getAttribute('role')).toBe('alert');
    await checkA11y(page, 'operator-audit-broken');
    await screenshot(page, 'operator-audit-broken');
  });

  it('never shows the operator section to a non-operator, and the API refuses them', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/portal\/sign-in/);
    await typeInto(page, /^Email$/, org.email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/portal\/company$/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect.poll(() => nav.textContent()).toContain('Company');
    expect(await nav.textContent()).not.toContain('Operator');
    // (the company section has an 'Audit trail' of its own: count the operator's link by where it goes)
    expect(await nav.locator('a[href^="/portal/operator"]').count()).toBe(0);
    await page.goto(url('/operator/audit'));
    await expect.poll(h1).toBe('This page does not exist.');
    // Forced: the same session's cookie on the operator routes is refused.
    const codes = await page.evaluate(async () => Promise.all(['/admin/v1/audit', '/api/v1/admin/registrations', '/metrics'].map(async (p) => {
      const r = await fetch(p, { headers: { accept: 'application/json' } });
      return `${r.status} ${r.headers.get('content-type')?.includes('json') ? ((await r.json()) as { code: string }).code : ''}`;
    })));
    expect(codes).toEqual(['403 ACCOUNT_FORBIDDEN', '403 ACCOUNT_FORBIDDEN', '403 ACCOUNT_FORBIDDEN']);
    await checkA11y(page, 'operator-forbidden');
    await screenshot(page, 'operator-forbidden');
  });
});
