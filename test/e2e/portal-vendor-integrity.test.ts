import { generateKeyPairSync } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateApiError, VaultgateClient } from '../../src/sdk/index.js';
import { checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, tabTo, type PortalBrowser } from '../helpers/browser.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';

/*
 * Issue 17 in the portal, in a real browser: a vendor admin registers an HMAC signature key by keyboard (the secret
 * shown once, and it signs a message the server stores), uploads an Ed25519 public key (a private key pasted by
 * mistake is the coded error with its remedy), disables the HMAC key after a confirm (the server then refuses it);
 * requires Content-Digest on a channel from the vendor's Channels page; the company's admin sees the rule on its
 * Channels page and turns it off. Effects asserted through the API; axe and a screenshot of each page; no request
 * outside the server, no CSP violation. Needs `npm run build` (dist/portal) and /usr/bin/chromium.
 */
describe.skipIf(skipBrowser())('portal: signature keys and Require Content-Digest', () => {
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;
  let vendor: TestOrganisation;
  let company: TestOrganisation;
  let channelId = '';
  let hmac = { keyId: '', secret: '' };

  const url = (path: string) => `${server.url}/portal${path}`;
  const integrity = async () => (await apiCall(server.url, 'GET', `/organisations/${company.orgId}/channels/${channelId}/integrity`, company.viewer)).body.requireContentDigest as boolean;
  const signIn = async (o: TestOrganisation, landing: RegExp) => {
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill(o.email);
    await page.getByLabel('Password').fill(o.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(landing);
  };
  const signedSend = async (key: { keyId: string; secret: string }) => {
    const vg = new VaultgateClient({ baseUrl: server.url, retry: { maxAttempts: 1 }, signature: { keyId: key.keyId, algorithm: 'hmac-sha256', key: Buffer.from(key.secret, 'base64url') } });
    try {
      return await vg.send(channelId, '{"signed":true}', { mediaType: 'application/json' }).catch((e: unknown) => e);
    } finally {
      await vg.close();
    }
  };

  beforeAll(async () => {
    server = await startPortalServer();
    vendor = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'party', email: 'avaimet@toimittaja.test', name: 'Avain Oy' });
    company = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'company', email: 'eheys@yritys.test', businessId: '1967543-8', name: 'Eheys Oy' });
    const req = await apiCall(server.url, 'POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.admin, { businessId: '1967543-8', messageTypes: [{ name: 'Invoice', mediaTypes: ['application/json'] }] });
    expect(req.status).toBe(201);
    const approved = await apiCall(server.url, 'POST', `/organisations/${company.orgId}/channel-requests/${req.body.id}/approve`, company.admin, {});
    expect(approved.status).toBe(200);
    channelId = approved.body.channel.id;
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(vendor, /\/portal\/vendor$/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(() => {
    expectOnlyOrigins(browser, [server.origin]);
    expectNoCspViolations(browser);
  });

  it('creates an HMAC key by keyboard: the secret shown once signs a stored message', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signature keys' }).click();
    await page.waitForURL(/\/portal\/vendor\/signature-keys$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Signature keys');
    await expect.poll(() => page.locator('body').textContent()).toContain('No signature keys yet.');
    await checkA11y(page, 'vendor-signature-keys-empty');
    // Keyboard only: a label, then the create button.
    await page.locator('h1').click();
    await tabTo(page, /^Label$/);
    await page.keyboard.type('ERP');
    await tabTo(page, /^Create HMAC key$/);
    await page.keyboard.press('Enter');
    const secret = page.getByTestId('secret');
    await expect.poll(() => secret.count()).toBe(1);
    hmac = { keyId: '', secret: (await secret.textContent())! };
    const table = page.getByRole('table', { name: 'Your signature keys' });
    await expect.poll(() => table.textContent()).toContain('hmac-sha256');
    hmac.keyId = (await table.locator('tbody tr code').first().textContent())!;
    expect(hmac.keyId).toMatch(/^hsk_test_/);
    expect(await page.getByRole('status').filter({ hasText: `Key ${hmac.keyId} added.` }).count()).toBe(1);
    expect(await table.textContent()).not.toContain(hmac.secret);
    await checkA11y(page, 'vendor-signature-keys-secret');
    await screenshot(page, 'vendor-signature-keys-secret');
    // The effect: the secret as shown signs a message the server stores.
    const sent = await signedSend(hmac);
    expect((sent as { messageId?: string }).messageId).toMatch(/^msg_test_/);
  });

  it('uploads an Ed25519 public key; a private key pasted by mistake is the coded error with its remedy', async () => {
    const pair = generateKeyPairSync('ed25519');
    await page.getByLabel('Algorithm').selectOption('ed25519');
    await page.getByLabel('Public key (PEM or JWK)').fill(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    await page.getByRole('button', { name: 'Upload public key' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('SIGNATURE_KEY_INVALID');
    expect(await alert.textContent()).toContain('What to do');
    await checkA11y(page, 'vendor-signature-keys-error');
    await screenshot(page, 'vendor-signature-keys-error');
    await page.getByLabel('Public key (PEM or JWK)').fill(JSON.stringify(pair.publicKey.export({ format: 'jwk' })));
    await page.getByLabel('Label').fill('edge signer');
    await page.getByRole('button', { name: 'Upload public key' }).click();
    const table = page.getByRole('table', { name: 'Your signature keys' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.textContent()).toContain('edge signer');
    const keys = await apiCall(server.url, 'GET', `/organisations/${vendor.orgId}/signature-keys`, vendor.viewer);
    expect(keys.body.items.map((k: { algorithm: string }) => k.algorithm).sort()).toEqual(['ed25519', 'hmac-sha256']);
  });

  it('disables the HMAC key after a confirm: the server refuses it from then on', async () => {
    await page.getByRole('button', { name: `Disable ${hmac.keyId}` }).click();
    expect(await page.getByRole('group', { name: `Really disable ${hmac.keyId}?` }).count()).toBe(1);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Key ${hmac.keyId} disabled` }).count()).toBe(1);
    // Leaving the secret on screen after another action would show it twice: it is gone.
    expect(await page.getByTestId('secret').count()).toBe(0);
    const refused = await signedSend(hmac);
    expect(refused).toBeInstanceOf(VaultgateApiError);
    expect((refused as VaultgateApiError).code).toBe('SIGNATURE_KEY_UNKNOWN');
  });

  it('requires Content-Digest on the channel from the vendor\'s Channels page', async () => {
    await page.goto(url('/vendor'));
    const box = page.getByRole('checkbox', { name: `Require Content-Digest on channel ${channelId}` });
    await expect.poll(() => box.isEnabled()).toBe(true);
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Channel ${channelId} now refuses messages without Content-Digest` }).count()).toBe(1);
    expect(await integrity()).toBe(true);
    await checkA11y(page, 'vendor-channels-integrity');
    await screenshot(page, 'vendor-channels-integrity');
  });

  it('the company\'s admin sees the rule on its Channels page and turns it off', async () => {
    await browser.context.clearCookies();
    await signIn(company, /\/portal\/company$/);
    await page.goto(url('/company/channels'));
    const box = page.getByRole('checkbox', { name: `Require Content-Digest on channel ${channelId}` });
    await expect.poll(() => box.isEnabled()).toBe(true);
    expect(await box.isChecked()).toBe(true);
    await checkA11y(page, 'company-channels-integrity');
    await screenshot(page, 'company-channels-integrity');
    await box.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Content-Digest is optional again on channel ${channelId}.` }).count()).toBe(1);
    expect(await integrity()).toBe(false);
  });
});
