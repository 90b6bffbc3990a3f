import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, typeInto, type PortalBrowser,
} from '../helpers/browser.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { enrolTotp, PORTAL_ADMIN_TOKEN, startPortalServer, totpCode, type PortalServer } from '../helpers/portal-server.js';
import { REPO, tempDir } from '../helpers/servers.js';
import { selfSignedCert, startWebhookReceiver, type Receipt, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * Issue 16's cross-role journey, entirely through the portal in chromium against one real server: a vendor developer
 * requests a channel, the company admin approves it, the vendor sends a test message signed in the browser, the company
 * sees it in the vault browser and shares it with the data user's company, the data user reads it and registers a
 * webhook on a real local HTTPS receiver that receives it (replayed from the endpoint's page) and the vendor's next
 * message (dispatched by itself), both verified with standardwebhooks. Three browsers (one per
 * person), every organisation requiring TOTP, every person signing in with password and authenticator code. Only the
 * organisations, people and the company's customer credential (handed to the vendor out of band) are set up through
 * the API. At each main page axe, a screenshot, no request outside the server, no CSP violation; the JS and CSS bytes
 * each main page transferred (cache disabled) are written to test-artifacts/portal/journey-bytes.json.
 * Needs `npm run build` (dist/portal) and /usr/bin/chromium.
 */

const COMPANY_BID = '1967543-8';
const DATA_USER_BID = '2729069-3';
const TYPE = 'Invoice';
const verify = (secret: string, r: Receipt) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: any };

interface Person { org: TestOrganisation; otpauth: string; browser: PortalBrowser; page: Page }

describe.skipIf(skipBrowser())('portal cross-role journey in chromium', () => {
  const dir = tempDir('vg-portal-journey-');
  let server: PortalServer;
  let receiver: WebhookReceiver;
  let vendor: Person, company: Person, dataUser: Person;
  let customer: { customerId: string; customerKey: string };
  let partner: { partnerId: string; partnerKey: string };
  let channelId = '';
  let messageId = '';
  const bytes: Record<string, { js: number; css: number; files: number }> = {};
  const people = () => [vendor, company, dataUser].filter(Boolean);

  const url = (path: string) => `${server.url}/portal${path}`;
  const h1 = (p: Page) => () => p.locator('h1').textContent();
  const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  /** A person of a new organisation with an authenticator, the organisation requiring TOTP; a browser of their own. */
  const person = async (o: Parameters<typeof registerOrganisation>[2]): Promise<Person> => {
    const org = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, o);
    const otpauth = await enrolTotp(server.url, org.email, org.password);
    const required = await apiCall(server.url, 'PUT', `/organisations/${org.orgId}/require-totp`, org.admin, { required: true });
    expect(required.status, JSON.stringify(required.body)).toBe(200);
    expect(required.body.requireTotp).toBe(true);
    const browser = await launchBrowser();
    const page = await browser.newPage();
    // Cache off: each full load transfers its scripts and styles, so the bytes per main page are what a first visit costs.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    return { org, otpauth, browser, page };
  };

  /** Password, then the authenticator code the server asks for (TOTP_REQUIRED), by keyboard; lands on `landing`. */
  const signIn = async (p: Person, landing: RegExp | ((u: URL) => boolean)) => {
    await p.page.goto(url('/sign-in'));
    await p.page.locator('h1').waitFor();
    await typeInto(p.page, /^Email$/, p.org.email);
    await typeInto(p.page, /^Password$/, p.org.password);
    await p.page.keyboard.press('Enter');
    await p.page.getByLabel('One-time code').waitFor();
    // The code field takes the focus when the server asks for it: typed, not filled.
    await expect.poll(() => p.page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('totp');
    await p.page.keyboard.type(totpCode(p.otpauth, 1));
    await p.page.keyboard.press('Enter');
    await p.page.waitForURL(landing);
  };

  /**
   * A main page loaded afresh (cache off): waits for `ready`, then axe, a screenshot, and the JS/CSS bytes the browser
   * transferred for it (encoded body plus headers, from the network layer).
   */
  /** Starts counting the scripts and styles `p` transfers; the returned function stops and records them as `name`. */
  const countAssets = (p: Page, name: string) => {
    const seen: Promise<{ type: string; size: number }>[] = [];
    const onResponse = (r: Response) => {
      const type = r.request().resourceType();
      if (type === 'script' || type === 'stylesheet') {
        seen.push(r.finished().then(() => r.request().sizes()).then((s) => ({ type, size: s.responseBodySize + s.responseHeadersSize })));
      }
    };
    p.on('response', onResponse);
    return async () => {
      await p.waitForLoadState('networkidle');
      p.off('response', onResponse);
      const sizes = await Promise.all(seen);
      bytes[name] = {
        js: sizes.filter((s) => s.type === 'script').reduce((n, s) => n + s.size, 0),
        css: sizes.filter((s) => s.type === 'stylesheet').reduce((n, s) => n + s.size, 0),
        files: sizes.length,
      };
    };
  };
  const mainPage = async (p: Page, name: string, path: string, ready: () => Promise<unknown>) => {
    const stop = countAssets(p, name);
    await p.goto(url(path));
    await ready();
    await stop();
    expect(bytes[name]!.js).toBeGreaterThan(0);
    await checkA11y(p, `journey-${name}`);
    await screenshot(p, `journey-${name}`);
  };

  beforeAll(async () => {
    const tls = selfSignedCert(dir);
    receiver = await startWebhookReceiver(tls);
    server = await startPortalServer({
      VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1', VAULTGATE_WEBHOOK_CA: tls.certFile, VAULTGATE_WEBHOOK_DISPATCH_MS: '30', VAULTGATE_WEBHOOK_TIMEOUT_S: '2',
    });
    vendor = await person({ kind: 'party', email: 'kehittaja@ohjelmisto.test', name: 'Ohjelmisto Oy' });
    company = await person({ kind: 'company', email: 'aino@yritys.test', businessId: COMPANY_BID, name: 'Yritys Oy' });
    dataUser = await person({ kind: 'company', email: 'data@kayttaja.test', businessId: DATA_USER_BID, name: 'Käyttäjä Oy' });
    // The company's customer credential, handed to the vendor out of band (the company's own page for it has its own test).
    const made = await apiCall(server.url, 'POST', `/organisations/${company.org.orgId}/customer-credentials`, company.org.admin, { name: 'Ohjelmisto Oy' });
    expect(made.status).toBe(201);
    customer = { customerId: made.body.customerId, customerKey: made.body.customerKey };
  }, 60_000);
  afterAll(async () => {
    if (Object.keys(bytes).length > 0) {
      mkdirSync(join(REPO, 'test-artifacts/portal'), { recursive: true });
      writeFileSync(join(REPO, 'test-artifacts/portal/journey-bytes.json'), `${JSON.stringify(bytes, null, 2)}\n`);
      console.log('JS/CSS bytes transferred per main page (cache off):', JSON.stringify(bytes));
    }
    for (const p of people()) await p.browser.close();
    await server?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    // A person whose turn has not come yet has loaded nothing: only browsers that did are checked.
    for (const p of people().filter((q) => q.browser.requests.length > 0)) {
      expectOnlyOrigins(p.browser, [server.origin]);
      expectNoCspViolations(p.browser);
    }
  });

  it('the vendor developer signs in with an authenticator code and requests a channel to the company', async () => {
    const p = vendor.page;
    await signIn(vendor, /\/portal\/vendor$/);
    await mainPage(p, 'vendor-channels', '/vendor', () => p.getByRole('heading', { name: 'Request a new channel' }).waitFor());
    await typeInto(p, /^Business ID of the company$/, COMPANY_BID);
    await typeInto(p, /^Name of the message type$/, TYPE);
    await p.getByLabel('Media types').fill('application/json');
    await p.getByRole('button', { name: 'Request the channel' }).click();
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'Channel requested' }).count()).toBe(1);
    expect(await p.getByRole('table', { name: 'Channel requests' }).textContent()).toContain('Waiting for the company');
    const pending = await apiCall(server.url, 'GET', `/organisations/${company.org.orgId}/channel-requests?status=pending`, company.org.viewer);
    expect(pending.body.items).toEqual([expect.objectContaining({ messageTypes: [{ name: TYPE, mediaTypes: ['application/json'] }] })]);
  });

  it('the company admin signs in with an authenticator code and approves the request', async () => {
    const p = company.page;
    await signIn(company, /\/portal\/company$/);
    await mainPage(p, 'company-channels', '/company/channels', async () => expect.poll(h1(p)).toBe('Channels and channel requests'));
    await p.getByRole('button', { name: 'Approve request of Ohjelmisto Oy' }).click();
    await p.getByRole('button', { name: 'Approve with these types' }).click();
    await expect.poll(() => p.getByRole('status').first().textContent()).toContain('Request of Ohjelmisto Oy approved');
    const requests = (await apiCall(server.url, 'GET', `/organisations/${company.org.orgId}/channel-requests`, company.org.viewer)).body.items;
    expect(requests).toEqual([expect.objectContaining({ status: 'approved', grantedMessageTypes: [{ name: TYPE, mediaTypes: ['application/json'] }] })]);
    channelId = requests[0].channelId;
    await expect.poll(() => p.locator('table', { hasText: 'Software vendor' }).textContent()).toContain(channelId);
    await checkA11y(p, 'journey-company-approved');
    await screenshot(p, 'journey-company-approved');
  });

  it('the vendor sees the channel, makes a partner credential (shown once) and sends a test message signed in the browser', async () => {
    const p = vendor.page;
    await p.reload();
    await expect.poll(() => p.getByRole('table', { name: 'Channels' }).textContent()).toContain(channelId);
    // The company's name comes from the channel requests, which load beside the channels.
    await expect.poll(() => p.getByRole('table', { name: 'Channels' }).textContent()).toContain('Yritys Oy');

    await nav(p, 'Credentials');
    await p.getByRole('button', { name: 'Create a partner credential' }).click();
    await p.getByTestId('secret').waitFor();
    const partnerKey = (await p.getByTestId('secret').textContent())!;
    const list = await apiCall(server.url, 'GET', `/organisations/${vendor.org.orgId}/partner-credentials`, vendor.org.viewer);
    partner = { partnerId: list.body.items[0].partnerId, partnerKey };
    await checkA11y(p, 'journey-vendor-credentials');
    await screenshot(p, 'journey-vendor-credentials');

    await mainPage(p, 'vendor-send', '/vendor/send', () => expect.poll(() => p.getByLabel('Channel').inputValue()).toBe(channelId));
    expect(await p.getByLabel('Message type').inputValue()).toBe(TYPE);
    await p.getByLabel('Message body').fill(JSON.stringify({ invoice: 'J-1', total: 42.5 }));
    await p.getByLabel('Partner id').fill(partner.partnerId);
    await p.getByLabel('Partner key').fill(partner.partnerKey);
    await p.getByLabel('Customer id').fill(customer.customerId);
    await p.getByLabel('Customer key').fill(customer.customerKey);
    await p.getByLabel('Business ID of the company').fill(COMPANY_BID);
    await p.getByRole('button', { name: 'Sign and send' }).click();
    await expect.poll(() => p.getByTestId('answer-status').textContent()).toBe('Accepted: HTTP 200.');
    messageId = /<InsertedDataIdentifier>(msg_[^<]+)</.exec((await p.getByTestId('answer-body').textContent())!)?.[1] ?? '';
    expect(messageId).toMatch(/^msg_/);
    const body = (await p.locator('body').textContent())!;
    expect(body).not.toContain(partner.partnerKey);
    expect(body).not.toContain(customer.customerKey);
    await checkA11y(p, 'journey-vendor-sent');
    await screenshot(p, 'journey-vendor-sent');
  });

  it('the company finds the message in the vault browser, opens it, and shares its type with the data user', async () => {
    const p = company.page;
    await mainPage(p, 'company-vault', '/vault', async () => expect.poll(() => p.locator('table.vault-list tbody tr').count()).toBe(1));
    expect((await p.locator('table.vault-list tbody tr td:first-child').textContent())!.trim()).toBe(messageId);
    const stop = countAssets(p, 'company-message (preview chunk, lazy)');
    await p.getByRole('button', { name: `Open ${messageId}` }).click();
    await p.getByRole('heading', { name: `Message ${messageId}` }).waitFor();
    await expect.poll(() => p.locator('pre.vault-preview').textContent()).toContain('"total": 42.5');
    await stop();
    expect(await p.locator('dl.facts').textContent()).toContain(channelId);
    // The sending party by name (from the company's channel requests), not only its id.
    await expect.poll(() => p.locator('dl.facts').textContent()).toContain('Ohjelmisto Oy');
    await checkA11y(p, 'journey-company-message');
    await screenshot(p, 'journey-company-message');

    await mainPage(p, 'company-sharing', '/sharing', () => p.getByRole('heading', { name: 'Grant access directly' }).waitFor());
    const form = p.locator('form', { has: p.getByRole('button', { name: 'Grant access' }) });
    await form.getByLabel("Consumer's business ID").fill(DATA_USER_BID);
    await form.getByLabel('Channel ids (comma-separated)').fill(channelId);
    await form.getByLabel('Message types (comma-separated)').fill(TYPE);
    await form.getByLabel('Purpose').fill('Kirjanpito');
    const until = new Date(Date.now() + 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await form.getByLabel('Valid until').fill(`${until.getFullYear()}-${pad(until.getMonth() + 1)}-${pad(until.getDate())}T${pad(until.getHours())}:${pad(until.getMinutes())}`);
    await form.getByLabel('Also webhook deliveries (subscribe)').check();
    await form.getByRole('button', { name: 'Grant access' }).click();
    const active = p.locator('section', { has: p.getByRole('heading', { name: 'Active grants', exact: true }) }).locator('tbody tr', { hasText: 'Kirjanpito' });
    await expect.poll(() => active.count()).toBe(1);
    const grants = await apiCall(server.url, 'GET', `/organisations/${company.org.orgId}/grants?role=owner&state=active`, company.org.viewer);
    expect(grants.body.items).toEqual([expect.objectContaining({
      consumerOrganisationId: dataUser.org.orgId, terms: expect.objectContaining({ channelIds: [channelId], messageTypes: [TYPE], actions: ['read', 'subscribe'] }),
    })]);
    await checkA11y(p, 'journey-company-shared');
    await screenshot(p, 'journey-company-shared');
  });

  it('the data user signs in with an authenticator code and reads the shared message', async () => {
    const p = dataUser.page;
    await signIn(dataUser, (u) => !u.pathname.endsWith('/sign-in'));
    await mainPage(p, 'data-user-shared', '/shared', () => p.getByRole('link', { name: `Browse the data of Yritys Oy` }).waitFor());
    await p.getByRole('link', { name: 'Browse the data of Yritys Oy' }).click();
    await p.waitForURL(new RegExp(`/portal/shared/${company.org.orgId}$`));
    await expect.poll(() => p.locator('table.vault-list tbody tr').count()).toBe(1);
    await p.getByRole('button', { name: `Open ${messageId}` }).click();
    await expect.poll(() => p.locator('pre.vault-preview').textContent()).toContain('"invoice": "J-1"');
    await checkA11y(p, 'journey-data-user-message');
    await screenshot(p, 'journey-data-user-message');
    // The read is the owner's to see: the company's "who read what" names the data user and the message.
    const c = company.page;
    await nav(c, 'Who read what');
    const read = c.locator('table tbody tr', { hasText: 'shared.get' });
    await expect.poll(() => read.count()).toBe(1);
    expect(await read.textContent()).toContain(messageId);
    expect(await read.textContent()).toContain(dataUser.org.userId);
    await checkA11y(c, 'journey-company-reads');
    await screenshot(c, 'journey-company-reads');
  });

  it('the data user registers a webhook on a real receiver (secret once) and replays the message to it, then gets the next one; the signatures verify', async () => {
    const p = dataUser.page;
    await mainPage(p, 'data-user-webhooks', '/data-user/webhooks', async () => expect.poll(h1(p)).toBe('Webhook endpoints'));
    await p.getByLabel('URL', { exact: true }).fill(`${receiver.url}/hook`);
    await p.getByLabel('Description').fill('Kirjanpito');
    await p.getByRole('button', { name: 'Register', exact: true }).click();
    await p.getByTestId('secret').waitFor();
    const secret = (await p.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await checkA11y(p, 'journey-data-user-webhook-secret');
    await screenshot(p, 'journey-data-user-webhook-secret');

    await p.getByRole('link', { name: `Open ${receiver.url}/hook` }).click();
    await expect.poll(h1(p)).toBe(`Endpoint ${receiver.url}/hook`);
    await p.getByLabel('Message id').fill(messageId);
    await p.getByRole('button', { name: 'Replay the message' }).click();
    await expect.poll(() => p.locator('.replay-progress').textContent(), { timeout: 20_000 }).toContain('Replayed 1 of 1');
    const [delivered] = await receiver.waitFor((rs) => rs.some((r) => verify(secret, r).data?.messageId === messageId));
    expect(delivered!.path).toBe('/hook');
    expect(verify(secret, receiver.receipts.find((r) => verify(secret, r).data?.messageId === messageId)!)).toMatchObject({
      type: 'message.received', data: { companyId: company.org.orgId, messageId, links: { body: `/vault/v1/shared/${company.org.orgId}/messages/${messageId}` } },
    });
    await expect.poll(() => p.getByRole('table', { name: 'Delivery log' }).textContent(), { timeout: 15_000 }).toContain(messageId);
    await checkA11y(p, 'journey-data-user-endpoint');
    await screenshot(p, 'journey-data-user-endpoint');

    // The next message the vendor sends (a fresh transaction id, same page) reaches the receiver by itself.
    const v = vendor.page;
    await v.getByRole('button', { name: 'New transaction id' }).click();
    await v.getByLabel('Message body').fill(JSON.stringify({ invoice: 'J-2', total: 7 }));
    await v.getByRole('button', { name: 'Sign and send' }).click();
    let next = '';
    await expect.poll(async () => {
      next = /<InsertedDataIdentifier>(msg_[^<]+)</.exec((await v.getByTestId('answer-body').textContent()) ?? '')?.[1] ?? '';
      return next !== '' && next !== messageId;
    }).toBe(true);
    expect(await v.getByTestId('answer-status').textContent()).toBe('Accepted: HTTP 200.');
    await receiver.waitFor((rs) => rs.some((r) => verify(secret, r).data?.messageId === next));
    expect(verify(secret, receiver.receipts.find((r) => verify(secret, r).data?.messageId === next)!)).toMatchObject({ type: 'message.received', data: { companyId: company.org.orgId } });
    await expect.poll(async () => {
      await p.getByRole('button', { name: 'Refresh the log' }).click();
      return p.getByRole('table', { name: 'Delivery log' }).textContent();
    }, { timeout: 15_000 }).toContain(next);
  });
});
