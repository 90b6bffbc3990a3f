import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, type PortalBrowser } from '../helpers/browser.js';
import { startSignInProvider, type SignInProvider } from '../helpers/oidc-sign-in-provider.js';
import { registerOrganisation } from '../helpers/organisations.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';

/*
 * OpenID Connect sign-in from the portal in a real browser (issue 16), through a real provider (oidc-provider): the
 * portal sends the browser to GET /api/v1/session/oidc, the provider's login and consent are answered (the test
 * provider's interaction is JSON over HTTP, posted with the browser's own cookies), and the provider's redirect to the
 * callback lands the browser in the portal, signed in. Requests go to the server and the provider only. The person
 * (no authenticator yet) then enrols TOTP on the profile page: the QR code (a data: image under the CSP), the secret as
 * text, and a code of it confirms.
 */

describe.skipIf(skipBrowser())('portal OpenID Connect sign-in in chromium', () => {
  let op: SignInProvider;
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;

  beforeAll(async () => {
    op = await startSignInProvider();
    server = await startPortalServer({
      VAULTGATE_OIDC_SIGNIN_PROVIDERS: JSON.stringify([{ id: 'contoso', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, domains: ['contoso.test'] }]),
    });
    await op.start([`${server.url}/api/v1/session/oidc/callback`]);
    await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'party', email: 'aino@contoso.test', name: 'Contoso Software' });
    op.accounts.set('aino-sub', { email: 'aino@contoso.test' });
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await op?.close();
  });

  /** Answers the provider's interaction at the page's URL (login, then consent) as its login page would. */
  async function answerInteraction(step: 'login' | 'confirm', form: Record<string, string>): Promise<void> {
    await page.waitForURL((u) => u.href.startsWith(`${op.issuer}/interaction/`));
    const res = await browser.context.request.post(`${page.url()}/${step}`, { form, maxRedirects: 0 });
    expect(res.status()).toBeGreaterThanOrEqual(300);
    await page.goto(new URL(res.headers().location!, op.issuer).href);
  }

  it('signs in through the provider of the email domain and lands in the portal signed in', async () => {
    await page.goto(`${server.url}/portal/sign-in`);
    await page.locator('h1').waitFor();
    await page.getByLabel('Email').nth(1).fill('aino@contoso.test');
    await page.getByRole('button', { name: 'Continue to the sign-in service' }).click();
    await answerInteraction('login', { login: 'aino-sub' });
    await answerInteraction('confirm', {});
    await page.waitForURL(`${server.url}/portal/vendor`);
    await expect.poll(() => page.locator('header').textContent()).toContain('Contoso Software');
    expect(await page.locator('h1').textContent()).toBe('Customers and channels');
    await checkA11y(page, 'vendor-home');
    await screenshot(page, 'vendor-home-after-oidc');
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    expect(me.user.email).toBe('aino@contoso.test');
    expectOnlyOrigins(browser, [server.origin, op.issuer]);
    expect(browser.requests.some((u) => u.startsWith(op.issuer))).toBe(true);
    expectNoCspViolations(browser);
  });

  it('enrols an authenticator on the profile page: QR code and secret shown once, a code confirms', async () => {
    browser.requests.length = 0;
    await page.goto(`${server.url}/portal/account/profile`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code of the authenticator secret' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = (await page.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await checkA11y(page, 'totp-enrolment');
    await screenshot(page, 'totp-enrolment');
    await page.getByLabel('One-time code').fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'set up' }).textContent()).toBe('The authenticator app is set up.');
    // Said once: the status, not also "An authenticator app is set up." above it.
    expect(await page.getByText('An authenticator app is set up.').count()).toBe(0);
    expect(await page.getByTestId('secret').count()).toBe(0);
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    expect(me.user.totpEnrolled).toBe(true);
    expectOnlyOrigins(browser, [server.origin]);
    expectNoCspViolations(browser);
  });
});
