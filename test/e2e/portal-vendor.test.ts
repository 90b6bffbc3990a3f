import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/protocol/index.js';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, tabTo, typeInto, type PortalBrowser,
} from '../helpers/browser.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';

/*
 * The portal's vendor pages in a real browser (issue 16): a vendor admin signs in, requests a channel by keyboard (an
 * unknown business id first: the coded error with its remedy), the company approves it through the API; the Postman
 * collection and environment download as files; a partner credential (key shown once) and an OAuth client; a test
 * message signed in the browser with MAC (200 and the receipt), the same transaction id again (the replay refusal
 * with code and remedy), one with the OAuth client, one with a wrong key, then that refusal on the refusals page.
 * The keys pasted never appear in the page's text. axe and a screenshot of every page; no request outside the
 * server, no CSP violation. Needs `npm run build` (dist/portal) and /usr/bin/chromium.
 */

describe.skipIf(skipBrowser())('portal vendor pages in chromium', () => {
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;
  let vendor: TestOrganisation;
  let company: TestOrganisation;
  let customer: { customerId: string; customerKey: string };
  let channel: { id: string; url: string };
  let partner: { partnerId: string; partnerKey: string };
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    // The public URL (the channels' url, signed by the MAC) names 127.0.0.1 while the browser opens localhost, as on
    // a default start: the page must sign the public URL but send to its own origin (CSP connect-src 'self').
    server = await startPortalServer({}, { publicHost: '127.0.0.1' });
    vendor = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'party', email: 'ville@ohjelmisto.test', name: 'Ohjelmisto Oy' });
    company = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'company', email: 'aino@yritys.test', businessId: '1967543-8', name: 'Yritys Oy' });
    const made = await apiCall(server.url, 'POST', `/organisations/${company.orgId}/customer-credentials`, company.admin, { name: 'Ohjelmisto Oy' });
    expect(made.status).toBe(201);
    customer = { customerId: made.body.customerId, customerKey: made.body.customerKey };
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
  const mainText = async () => (await page.locator('body').textContent()) ?? '';
  /** The keys pasted or shown once never appear in the page's text once the page was left. */
  const expectNoKeys = async () => {
    const text = await mainText();
    for (const k of [customer.customerKey, partner?.partnerKey, client?.clientSecret]) if (k) expect(text).not.toContain(k);
  };

  it('signs in and lands on the customers and channels page', async () => {
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill(vendor.email);
    await page.getByLabel('Password').fill(vendor.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/portal\/vendor$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Customers and channels');
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).toContain('Send test message');
    await checkA11y(page, 'vendor-channels-empty');
    await screenshot(page, 'vendor-channels-empty');
  });

  it('requests a channel by keyboard: an unknown business id is a coded error with its remedy, then the company', async () => {
    await page.goto(url('/vendor'));
    await page.getByRole('heading', { name: 'Request a new channel' }).waitFor();
    await typeInto(page, /^Business ID of the company$/, '0000000-0');
    await typeInto(page, /^Name of the message type$/, 'Invoice');
    await tabTo(page, /^Media types$/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('application/json, application/xml');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('NOT_FOUND');
    expect(await alert.textContent()).toContain('What to do');
    expect(await alert.textContent()).toContain('0000000-0');
    await checkA11y(page, 'vendor-channel-request-error');
    await screenshot(page, 'vendor-channel-request-error');

    const businessId = page.getByLabel('Business ID of the company');
    await businessId.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1967543-8');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Channel requested' }).count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Channel requests' }).textContent()).toContain('Waiting for the company');

    // The company approves it (its own pages are another engineer's): through the API.
    const requests = await apiCall(server.url, 'GET', `/organisations/${company.orgId}/channel-requests?status=pending`, company.admin);
    expect(requests.body.items).toHaveLength(1);
    expect(requests.body.items[0].messageTypes).toEqual([{ name: 'Invoice', mediaTypes: ['application/json', 'application/xml'] }]);
    const approved = await apiCall(server.url, 'POST', `/organisations/${company.orgId}/channel-requests/${requests.body.items[0].id}/approve`, company.admin, {});
    expect(approved.status).toBe(200);
    channel = { id: approved.body.channel.id, url: approved.body.channel.url };

    await page.reload();
    const channels = page.getByRole('table', { name: 'Channels' });
    await expect.poll(() => channels.textContent()).toContain(channel.id);
    // The company's name comes from the channel requests, which load beside the channels: wait for it, not only the id.
    await expect.poll(() => channels.textContent()).toContain('Yritys Oy');
    expect(await channels.textContent()).toContain('Invoice (application/json, application/xml)');
    expect(await page.getByRole('table', { name: 'Channel requests' }).textContent()).toContain('Approved');
    await checkA11y(page, 'vendor-channels');
    await screenshot(page, 'vendor-channels');
  });

  it('downloads the Postman collection and environment of the channel as JSON files', async () => {
    const files: Record<string, unknown> = {};
    for (const part of ['collection', 'environment'] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: `Download the Postman ${part} of ${channel.id}` }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`vaultgate-${channel.id}-mac.postman_${part}.json`);
      files[part] = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    }
    const collection = files.collection as { info: { schema: string }; item: unknown[] };
    expect(collection.info.schema).toContain('v2.1');
    expect(JSON.stringify(collection.item)).toContain('/ingestion/');
    const env = Object.fromEntries((files.environment as { values: { key: string; value: string }[] }).values.map((v) => [v.key, v.value]));
    expect(`${env.baseUrl}/ingestion/${env.channelId}`).toBe(channel.url);
    expect(env.organisationId).toBe('1967543-8');
    expect(env.partnerKey).toBe('');
    expect(await page.getByRole('status').filter({ hasText: 'Downloaded' }).textContent()).toContain('postman_environment.json');
  });

  it('creates a partner credential and an OAuth client: each secret shown once', async () => {
    await page.goto(url('/vendor/credentials'));
    await page.getByRole('button', { name: 'Create a partner credential' }).click();
    const secret = page.getByTestId('secret');
    await secret.waitFor();
    const partnerKey = (await secret.textContent())!;
    const list = await apiCall(server.url, 'GET', `/organisations/${vendor.orgId}/partner-credentials`, vendor.admin);
    expect(list.body.items).toHaveLength(1);
    partner = { partnerId: list.body.items[0].partnerId, partnerKey };
    expect(await page.getByRole('region', { name: `Partner key of ${partner.partnerId}` }).count()).toBe(1);
    await checkA11y(page, 'vendor-credentials-secret');
    await screenshot(page, 'vendor-credentials-secret');

    await page.getByLabel('Client name').fill('Test sender');
    await page.getByRole('button', { name: 'Create an OAuth client' }).click();
    await expect.poll(() => page.getByRole('region', { name: /^Client secret of / }).count()).toBe(1);
    const clientSecret = (await page.getByTestId('secret').textContent())!;
    const clients = await apiCall(server.url, 'GET', `/organisations/${vendor.orgId}/clients`, vendor.admin);
    expect(clients.body.items).toHaveLength(1);
    expect(clients.body.items[0].roles).toEqual(['ingest']);
    client = { clientId: clients.body.items[0].clientId, clientSecret };
    expect(await page.getByRole('table', { name: 'OAuth clients' }).textContent()).toContain(client.clientId);

    await page.reload();
    await page.getByRole('table', { name: 'Partner credentials' }).waitFor();
    expect(await page.getByRole('table', { name: 'Partner credentials' }).textContent()).toContain(partner.partnerId);
    await expectNoKeys();
    await checkA11y(page, 'vendor-credentials');
    await screenshot(page, 'vendor-credentials');
  });

  /** Fills the MAC credential fields of the send form. */
  async function fillMac(customerKey = customer.customerKey): Promise<void> {
    await page.getByLabel('Partner id').fill(partner.partnerId);
    await page.getByLabel('Partner key').fill(partner.partnerKey);
    await page.getByLabel('Customer id').fill(customer.customerId);
    await page.getByLabel('Customer key').fill(customerKey);
    await page.getByLabel('Business ID of the company').fill('1967543-8');
  }
  const answerStatus = () => page.getByTestId('answer-status').textContent();
  const send = async () => {
    await page.getByRole('button', { name: 'Sign and send' }).click();
    await page.getByTestId('answer-status').waitFor();
  };

  it('sends a test message signed with MAC in the browser: 200 and the receipt; keys masked', async () => {
    await page.goto(url('/vendor/send'));
    await expect.poll(() => page.getByLabel('Channel').inputValue()).toBe(channel.id);
    // The channel names its company beside the id, and the interface language follows the portal's (English: EN).
    await expect.poll(() => page.getByLabel('Channel').locator('option:checked').textContent()).toBe(`${channel.id} (to Yritys Oy)`);
    expect(await page.getByLabel('Interface language').inputValue()).toBe('EN');
    expect(await page.getByLabel('Message type').inputValue()).toBe('Invoice');
    expect(JSON.parse(await page.getByLabel('Message body').inputValue())).toMatchObject({ orderId: 'A-1001' });
    // The company's business id is pre-filled from the channel.
    await expect.poll(() => page.getByLabel('Business ID of the company').inputValue()).toBe('1967543-8');
    expect(channel.url.startsWith('http://127.0.0.1:')).toBe(true);
    await fillMac();
    const firstId = await page.getByLabel('Transaction id').inputValue();
    await send();
    expect(await answerStatus()).toBe('Accepted: HTTP 200.');
    // Accepted: a fresh transaction id for the next send.
    await expect.poll(() => page.getByLabel('Transaction id').inputValue()).not.toBe(firstId);
    const body = (await page.getByTestId('answer-body').textContent())!;
    expect(body).toContain('<Status>OK</Status>');
    const messageId = /<InsertedDataIdentifier>(msg_[^<]+)</.exec(body)?.[1];
    expect(messageId).toBeDefined();
    const hashed = (await page.getByTestId('string-to-hash').textContent())!;
    expect(hashed).toMatch(/&<CustomerKey>&<PartnerKey>$/);
    expect(hashed.startsWith(`${channel.url}?messageType=Invoice&`)).toBe(true);
    const headers = (await page.getByRole('table', { name: 'Request headers (keys masked)' }).textContent())!;
    expect(headers).toContain(`X-Netvisor-Authentication-PartnerId${partner.partnerId}`);
    expect(headers).toContain('X-Netvisor-Authentication-MACHashCalculationAlgorithmHMACSHA256');
    await expectNoKeys();
    expect(await mainText()).not.toContain(partner.partnerKey);
    // The effect, through the API: the company's statistics show the message on this channel.
    const stats = await apiCall(server.url, 'GET', `/organisations/${company.orgId}/ingestion/stats`, company.viewer);
    expect(stats.body.lastIngestion).toEqual([expect.objectContaining({ channelId: channel.id, messageType: 'Invoice' })]);
    await checkA11y(page, 'vendor-send-ok');
    await screenshot(page, 'vendor-send-ok');

    // The same transaction id again, on purpose: the replay refusal, its code and remedy.
    await page.getByRole('button', { name: `Send again with the same id (${firstId})` }).click();
    await expect.poll(answerStatus).toBe('Refused: HTTP 400.');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('REQUEST_NOT_UNIQUE');
    expect(await alert.textContent()).toContain('Use a fresh transaction id per request');
    expect(await page.getByTestId('answer-body').textContent()).toContain('<Status>FAILED</Status>');
    await expectNoKeys();
    await checkA11y(page, 'vendor-send-replay');
    await screenshot(page, 'vendor-send-replay');
  });

  it('refuses in the browser what the scheme cannot carry: the field and the remedy, nothing sent', async () => {
    await page.getByLabel('Sender').fill('Acme €');
    await page.getByRole('button', { name: 'New transaction id' }).click();
    await page.getByRole('button', { name: 'Sign and send' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('The field Sender contains a character the scheme cannot carry');
    expect(await alert.textContent()).toContain('What to do: Correct the field and send again; nothing was sent.');
    expect(await page.getByTestId('answer-status').count()).toBe(0);
    await page.getByLabel('Sender').fill('Vaultgate portal');
  });

  it('sends with the OAuth client (a bearer token from /oauth2/token), the token masked; a wrong secret is a coded error', async () => {
    await page.getByLabel('OAuth client', { exact: true }).check();
    await page.getByLabel('Client id').fill(client.clientId);
    await page.getByLabel('Client secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign and send' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Code: OAUTH_[A-Z_]+/);
    expect(await alert.textContent()).toContain('What to do: Check the client id and secret');
    expect(await page.getByTestId('answer-status').count()).toBe(0);
    await page.getByLabel('Client secret').fill(client.clientSecret);
    await page.getByRole('button', { name: 'New transaction id' }).click();
    await send();
    await expect.poll(answerStatus).toMatch(/^Accepted: HTTP 20\d\.$/);
    const receipt = JSON.parse((await page.getByTestId('answer-body').textContent())!);
    expect(receipt).toMatchObject({ channelId: channel.id, messageType: 'Invoice' });
    const authorization = (await page.getByRole('table', { name: 'Request headers (keys masked)' }).textContent())!;
    expect(authorization).toMatch(/AuthorizationBearer .{8}…/);
    await expectNoKeys();
    await checkA11y(page, 'vendor-send-oauth');
    await screenshot(page, 'vendor-send-oauth');
  });

  it('says what a browser-side network failure was (not "the server could not be reached"), nothing answered', async () => {
    await page.getByLabel('Signed headers (MAC)', { exact: true }).check();
    await fillMac();
    await page.getByRole('button', { name: 'New transaction id' }).click();
    // The network fails under the page (the connection is cut before any answer).
    await page.route('**/ingestion/**', (route) => route.abort('connectionreset'));
    try {
      await page.getByRole('button', { name: 'Sign and send' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('BROWSER_FETCH_FAILED');
      const text = (await alert.textContent())!;
      expect(text).toContain(`The browser could not complete the request to /ingestion/${channel.id}?messageType=Invoice`);
      expect(text).toContain('What to do: Check that the server is running and reachable from this browser');
      expect(text).not.toContain('The server could not be reached');
      expect(await page.getByTestId('answer-status').count()).toBe(0);
      await checkA11y(page, 'vendor-send-network-failure');
    } finally {
      await page.unroute('**/ingestion/**');
    }
  });

  it('sends with a wrong key: refused, and the refusal is listed on the refusals page', async () => {
    await page.getByLabel('Signed headers (MAC)', { exact: true }).check();
    await fillMac('wrong-key-0123456789');
    await page.getByRole('button', { name: 'New transaction id' }).click();
    const transactionId = await page.getByLabel('Transaction id').inputValue();
    await send();
    await expect.poll(answerStatus).toBe('Refused: HTTP 401.');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('AUTHENTICATION_FAILED');
    expect(await page.getByRole('alert').textContent()).toContain('What to do');
    expect(await mainText()).not.toContain('wrong-key-0123456789');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Refusals' }).click();
    await page.waitForURL(/\/portal\/vendor\/refusals$/);
    const table = page.getByRole('table', { name: 'Refused requests' });
    await expect.poll(() => table.textContent()).toContain(transactionId);
    await page.getByLabel('Code').fill('AUTHENTICATION_FAILED');
    await page.getByLabel('Channel').selectOption(channel.id);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => table.locator('tbody tr').count()).toBe(1);
    const row = (await table.locator('tbody tr').textContent())!;
    expect(row).toContain('AUTHENTICATION_FAILED');
    expect(row).toContain(transactionId);
    expect(row).toContain(channel.id);
    const refusals = await apiCall(server.url, 'GET', `/organisations/${vendor.orgId}/ingestion/refusals?code=AUTHENTICATION_FAILED`, vendor.viewer);
    expect(row).toContain(refusals.body.items[0].remedy);
    await checkA11y(page, 'vendor-refusals');
    await screenshot(page, 'vendor-refusals');

    // In Finnish: the page's texts and the server's title and remedy of the refusal follow the language.
    await page.getByRole('banner').getByLabel('Language').selectOption('fi');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hylätyt pyynnöt');
    const fi = await fetch(`${server.url}/api/v1/organisations/${vendor.orgId}/ingestion/refusals?code=AUTHENTICATION_FAILED`, {
      headers: { authorization: `Bearer ${vendor.viewer}`, 'accept-language': 'fi' },
    }).then((r) => r.json()) as { items: { title: string; remedy: string }[] };
    await expect.poll(() => page.getByRole('table', { name: 'Hylätyt pyynnöt' }).locator('tbody tr').first().textContent()).toContain(fi.items[0]!.title);
    expect(fi.items[0]!.title).not.toBe(refusals.body.items[0].title);
    // The remedy beside the Finnish title is Finnish too (the catalogue's), not the English one.
    expect(fi.items[0]!.remedy).toBe(ERROR_CATALOGUE.AUTHENTICATION_FAILED.remedy.fi);
    const fiRow = (await page.getByRole('table', { name: 'Hylätyt pyynnöt' }).locator('tbody tr').first().textContent())!;
    expect(fiRow).toContain(ERROR_CATALOGUE.AUTHENTICATION_FAILED.remedy.fi);
    expect(fiRow).not.toContain(ERROR_CATALOGUE.AUTHENTICATION_FAILED.remedy.en);
    await checkA11y(page, 'vendor-refusals-fi');
    await screenshot(page, 'vendor-refusals-fi');
    await page.getByRole('banner').getByLabel('Kieli').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Refusals');
  });

  it('follows the portal language on the send page: FI and SE as the interface language, the company named in Finnish and Swedish', async () => {
    await page.goto(url('/vendor/send'));
    await expect.poll(() => page.getByLabel('Interface language').inputValue()).toBe('EN');
    await page.getByRole('banner').getByLabel('Language').selectOption('fi');
    await expect.poll(() => page.getByLabel('Rajapinnan kieli').inputValue()).toBe('FI');
    await expect.poll(() => page.getByLabel('Kanava').locator('option:checked').textContent()).toBe(`${channel.id} (vastaanottaja Yritys Oy)`);
    await page.getByRole('banner').getByLabel('Kieli').selectOption('sv');
    await expect.poll(() => page.getByLabel('Gränssnittets språk').inputValue()).toBe('SE');
    await expect.poll(() => page.getByLabel('Kanal', { exact: true }).locator('option:checked').textContent()).toBe(`${channel.id} (till Yritys Oy)`);
    await checkA11y(page, 'vendor-send-sv');
    await screenshot(page, 'vendor-send-sv');
    await page.getByRole('banner').getByLabel('Språk').selectOption('en');
    await expect.poll(() => page.getByLabel('Interface language').inputValue()).toBe('EN');
  });

  it('rotates the partner key with an overlap and disables the OAuth client after a confirm (by keyboard)', async () => {
    await page.goto(url('/vendor/credentials'));
    await page.getByRole('table', { name: 'Partner credentials' }).waitFor();
    await page.getByLabel('Overlap on rotation (hours)').fill('2');
    await page.getByRole('button', { name: `Rotate ${partner.partnerId}` }).click();
    await page.getByRole('region', { name: `Partner key of ${partner.partnerId}` }).waitFor();
    const rotated = (await page.getByTestId('secret').textContent())!;
    expect(rotated).not.toBe(partner.partnerKey);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'The old one works until' }).count()).toBe(1);

    await page.getByRole('button', { name: `Disable ${client.clientId}` }).focus();
    await page.keyboard.press('Enter');
    // The confirm step takes the focus: Enter confirms.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Confirm');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await apiCall(server.url, 'GET', `/organisations/${vendor.orgId}/clients`, vendor.admin)).body.items[0].status).toBe('disabled');
    await expect.poll(() => page.getByRole('table', { name: 'OAuth clients' }).textContent()).toContain('Disabled');
    await checkA11y(page, 'vendor-credentials-rotated');
    await screenshot(page, 'vendor-credentials-rotated');
  });
});
