import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, tabTo, typeInto, type PortalBrowser,
} from '../helpers/browser.js';
import { checkBusinessId } from '../../src/protocol/business-id.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { enrolTotp, PORTAL_ADMIN_TOKEN, startPortalServer, totpCode, type PortalServer } from '../helpers/portal-server.js';

/*
 * The portal's account pages in a real browser (issue 16): sign-in with password and TOTP by keyboard only, a wrong
 * password's coded error with its remedy, the language switch (FI, SV) and <html lang>, personal API tokens (shown
 * once, revoked), sign out everywhere; a screenshot and an axe-core check of every page, no request outside the
 * server and no CSP violation on any. Needs `npm run build` (dist/portal) and /usr/bin/chromium.
 */

describe.skipIf(skipBrowser())('portal account pages in chromium', () => {
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;
  let org: TestOrganisation;
  let otpauth: string;
  /** A session of the same user from elsewhere (the CLI's bearer), made before TOTP: sign out everywhere ends it. */
  let otherSession: string;

  beforeAll(async () => {
    server = await startPortalServer();
    org = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'company', email: 'aino@yritys.test', businessId: '1967543-8', name: 'Yritys Oy' });
    otherSession = (await apiCall(server.url, 'POST', '/session', undefined, { email: org.email, password: org.password, tokenInBody: true })).body.sessionToken;
    otpauth = await enrolTotp(server.url, org.email, org.password);
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(() => {
    expectOnlyOrigins(browser, [server.origin]);
    expectNoCspViolations(browser);
  });

  const url = (path: string) => `${server.url}/portal${path}`;

  it('redirects a signed-out visitor to sign-in; a wrong password shows the coded error with its remedy', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/portal\/sign-in/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    await checkA11y(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email').first().fill(org.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('SIGN_IN_FAILED');
    const text = (await alert.textContent())!;
    expect(text).toContain('Sign-in failed: the email or password is wrong');
    expect(text).toContain('What to do:');
    // The portal's remedy, not the catalogue's CLI commands.
    expect(text).toContain("ask your organisation's admin or the platform operator for a password-reset link");
    expect(text).not.toContain('vaultgate ');
    await checkA11y(page, 'sign-in-error');
    await screenshot(page, 'sign-in-error');
  });

  it('signs in with password and TOTP by keyboard only, and lands signed in', async () => {
    await page.goto(url('/sign-in'));
    await page.locator('h1').waitFor();
    await typeInto(page, /^Email$/, org.email);
    await typeInto(page, /^Password$/, org.password);
    await page.keyboard.press('Enter');
    // The server asks for the second factor (TOTP_REQUIRED): the code field appears and takes the focus.
    await page.getByLabel('One-time code').waitFor();
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('totp');
    await checkA11y(page, 'sign-in-totp');
    await screenshot(page, 'sign-in-totp');
    await page.keyboard.type(totpCode(otpauth, 1));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/portal\/company$/);
    await expect.poll(() => page.locator('header').textContent()).toContain('Admin');
    expect(await page.locator('header').textContent()).toContain('Yritys Oy');
    await checkA11y(page, 'company-home');
    await screenshot(page, 'company-home');
  });

  it('works the shell by keyboard: skip link first, the navigation by Tab and Enter, the skip link into <main>', async () => {
    await page.goto(url('/account/profile'));
    await page.locator('h1').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await tabTo(page, /^API tokens$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/portal\/account\/api-tokens$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('API tokens');
    await page.keyboard.press('Tab');
    await tabTo(page, /^Skip to content$/);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
    await tabTo(page, /^Name$/);
  });

  it('switches the language to FI and SV: texts and <html lang> follow', async () => {
    await page.goto(url('/account/profile'));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profile');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('banner').getByLabel('Language').selectOption('fi');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profiili');
    expect(await page.getAttribute('html', 'lang')).toBe('fi');
    expect(await page.getByRole('navigation', { name: 'Päävalikko' }).textContent()).toContain('API-tunnisteet');
    await checkA11y(page, 'profile-fi');
    await screenshot(page, 'profile-fi');
    await page.getByRole('banner').getByLabel('Kieli').selectOption('sv');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profil');
    expect(await page.getAttribute('html', 'lang')).toBe('sv');
    // The choice is saved in the profile (PATCH /api/v1/me): it survives a reload.
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profil');
    await checkA11y(page, 'profile-sv');
    await screenshot(page, 'profile-sv');
    await page.getByRole('banner').getByLabel('Språk').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profile');
    await checkA11y(page, 'profile');
    await screenshot(page, 'profile');
  });

  it('changes the name and the profile language (PATCH /api/v1/me): the header and the texts follow', async () => {
    await page.goto(url('/account/profile'));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profile');
    const form = page.locator('form', { hasText: 'Name and language' });
    await form.getByLabel('Name').fill('Aino Virtanen');
    await form.getByLabel('Profile language').selectOption('fi');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profiili');
    await expect.poll(() => page.locator('header').textContent()).toContain('Aino Virtanen');
    expect(await page.getAttribute('html', 'lang')).toBe('fi');
    expect(await page.getByRole('status').textContent()).toBe('Tallennettu.');
    const me = await apiCall(server.url, 'GET', '/me', otherSession);
    expect(me.body.user).toMatchObject({ displayName: 'Aino Virtanen', language: 'fi' });
    await page.getByRole('banner').getByLabel('Kieli').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Profile');
    await expect.poll(async () => (await apiCall(server.url, 'GET', '/me', otherSession)).body.user.language).toBe('en');
  });

  it('creates a personal API token shown once, then revokes it', async () => {
    await page.goto(url('/account/api-tokens'));
    await expect.poll(() => page.locator('h1').textContent()).toBe('API tokens');
    await page.getByText('You have no API tokens.').or(page.locator('table')).first().waitFor();
    await checkA11y(page, 'api-tokens');
    await page.getByLabel('Name', { exact: true }).fill('portal test token');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByTestId('secret');
    await secret.waitFor();
    const token = (await secret.textContent())!;
    expect(token).toMatch(/^vgp_/);
    expect(await page.getByText('This is shown only once').count()).toBe(1);
    await expect.poll(() => page.locator('tbody').textContent()).toContain('portal test token');
    await checkA11y(page, 'api-tokens-created');
    await screenshot(page, 'api-tokens-created');
    // The token works: it reads /me as the viewer of the organisation.
    const me = await apiCall(server.url, 'GET', '/me', token);
    expect(me.status).toBe(200);
    expect(me.body.memberships[0].role).toBe('viewer');
    // Shown once: gone after a reload.
    await page.reload();
    await page.locator('tbody').waitFor();
    expect(await page.getByTestId('secret').count()).toBe(0);
    // Revoke with the confirm step.
    const row = page.locator('tr', { hasText: 'portal test token' });
    await row.getByRole('button', { name: 'Revoke portal test token' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.textContent()).toContain('Revoked');
    expect((await apiCall(server.url, 'GET', '/me', token)).status).toBe(401);
  });

  it('shows the public pages (registration, invitation and password-reset links) with coded errors for bad links', async () => {
    for (const [path, name, code] of [
      ['/register', 'register', undefined],
      ['/invitations/vgi_not-a-real-invitation', 'invitation-invalid', 'INVITATION_INVALID'],
      ['/password-reset/vgr_not-a-real-reset', 'password-reset', undefined],
    ] as const) {
      await page.goto(url(path));
      await page.locator('h1').waitFor();
      if (code) await expect.poll(() => page.getByRole('alert').textContent()).toContain(code);
      await checkA11y(page, name);
      await screenshot(page, name);
      if (path === '/register') {
        // The Business ID hint's example passes its own check digit.
        const hint = (await page.getByLabel('Business ID').getAttribute('aria-describedby'))!;
        const example = /\d{7}-\d/.exec((await page.locator(`[id="${hint}"]`).textContent())!)![0];
        expect(checkBusinessId(example)).toEqual({ ok: true, form: 'FI' });
      }
    }
    await page.getByLabel('New password').fill('a long enough new password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('PASSWORD_RESET_INVALID');
  });

  it('pages a long list: "Next page" and "First page" over the API\'s cursor', async () => {
    for (let i = 0; i < 50; i++) {
      const r = await apiCall(server.url, 'POST', '/me/api-tokens', otherSession, { organisationId: org.orgId, role: 'viewer', name: `bulk ${String(i).padStart(2, '0')}` });
      expect(r.status).toBe(201);
    }
    const all = (await apiCall(server.url, 'GET', '/me/api-tokens?limit=1000', otherSession)).body.items.length as number;
    expect(all).toBeGreaterThan(50);
    await page.goto(url('/account/api-tokens'));
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    const firstPage = await rows.first().textContent();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rows.count()).toBe(all - 50);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    await checkA11y(page, 'api-tokens-page-2');
    await page.getByRole('button', { name: 'First page' }).click();
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().textContent()).toBe(firstPage);
  });

  it('accepts an invitation from a mailed link while signed in, then switches organisation in the header', async () => {
    const vendor = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'party', email: 'toimittaja@ohjelmisto.test', name: 'Ohjelmisto Oy' });
    const inv = await apiCall(server.url, 'POST', `/organisations/${vendor.orgId}/invitations`, vendor.admin, { email: org.email, role: 'member' });
    expect(inv.status).toBe(201);
    // The link as mailed (it points at the API); the browser is sent to the portal's page for it.
    await page.goto(inv.body.link);
    await page.waitForURL(/\/portal\/invitations\/vgi_/);
    await expect.poll(() => page.locator('main').textContent()).toContain('is invited to Ohjelmisto Oy as Member');
    await checkA11y(page, 'invitation');
    await screenshot(page, 'invitation');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('You are now a member of Ohjelmisto Oy.');
    // Two organisations now: the header offers the switch, and the navigation follows the organisation's kind.
    const switcher = page.getByRole('banner').getByLabel('Organisation');
    await switcher.waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.textContent()).toContain('Company');
    await switcher.selectOption({ label: 'Ohjelmisto Oy' });
    await expect.poll(() => nav.textContent()).toContain('Vendor');
    expect(await nav.textContent()).not.toContain('Company');
    await checkA11y(page, 'organisation-switched');
    await switcher.selectOption({ label: 'Yritys Oy' });
    await expect.poll(() => nav.textContent()).toContain('Company');
  });

  it('enforces the CSP in the browser: an inline script, an inline style and a third-party fetch are refused and seen', async () => {
    await page.goto(url('/account/profile'));
    await page.locator('h1').waitFor();
    const before = browser.cspViolations.length;
    const outcome = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
      const st = document.createElement('style');
      st.textContent = 'body { background: red }';
      document.head.append(st);
      const fetched = await fetch('https://cdn.example.com/x.js').then(() => 'fetched', () => 'refused');
      return { inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, fetched, background: getComputedStyle(document.body).backgroundColor };
    });
    expect(outcome).toEqual({ inlineRan: false, fetched: 'refused', background: 'rgba(0, 0, 0, 0)' });
    await expect.poll(() => browser.cspViolations.slice(before).join('\n')).toMatch(/script-src/);
    const seen = browser.cspViolations.splice(before).join('\n');
    expect(seen).toMatch(/style-src/);
    expect(seen).toMatch(/connect-src/);
    // The refused fetch never left the browser.
    expect(browser.requests.some((u) => u.startsWith('https://cdn.example.com'))).toBe(false);
  });

  it('signs out everywhere: this session and the other one end', async () => {
    expect((await apiCall(server.url, 'GET', '/me', otherSession)).status).toBe(200);
    await page.goto(url('/account/profile'));
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/portal\/sign-in/);
    expect((await apiCall(server.url, 'GET', '/me', otherSession)).status).toBe(401);
    const cookies = await browser.context.cookies(server.url);
    expect(cookies.find((c) => c.name === '__Host-vaultgate-session')).toBeUndefined();
    await page.goto(url('/account/profile'));
    await page.waitForURL(/\/portal\/sign-in\?next=/);
  });
});
