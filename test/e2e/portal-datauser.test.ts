import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finnishCheckDigit } from '../../src/protocol/index.js';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, typeInto, type PortalBrowser,
} from '../helpers/browser.js';
import { macRequest } from '../helpers/mac-request.js';
import { apiCall } from '../helpers/organisations.js';
import { personIn, type TestPerson } from '../helpers/people.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';
import { adminCall, createTenant, tempDir, type Tenant } from '../helpers/servers.js';
import { selfSignedCert, startWebhookReceiver, type Receipt, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * The data user's pages in a real browser (issue 16): a consumer company's admin signs in, finds a listed company in the
 * directory by name (an unlisted one only by its exact business id), requests access by keyboard, the owner approves
 * through the API, the active grant shows with its shared-data link and signed statement; a refused webhook URL shows
 * its coded error with the remedy; an endpoint on a real local HTTPS receiver gets its secret once, a test delivery,
 * an ingested message (verified with standardwebhooks) and a replay, all in the delivery log; a feed checkpoint is
 * started, read and committed. axe and a screenshot of every page; no request outside the server, no CSP violation.
 * Needs `npm run build` (dist/portal) and /usr/bin/chromium.
 */

const bid = (seven: string) => `${seven}-${finnishCheckDigit(seven)}`;
const verify = (secret: string, r: Receipt) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: any };

describe.skipIf(skipBrowser())('portal data-user pages in chromium', () => {
  const dir = tempDir('vg-portal-du-');
  let server: PortalServer;
  let receiver: WebhookReceiver;
  let browser: PortalBrowser;
  let page: Page;
  let owner: Tenant, unlisted: Tenant, consumer: Tenant;
  let ownerAdmin: TestPerson, dataUser: TestPerson;
  let firstMessage: string;
  let secret = '';
  let endpointId = '';

  const url = (path: string) => `${server.url}/portal${path}`;
  const ingest = async (i: number): Promise<string> => {
    const res = await macRequest({
      baseUrl: server.url, target: `/ingestion/${owner.channelId}`, creds: owner.sender, body: JSON.stringify({ i }),
      headers: { 'content-type': 'application/json', 'x-message-type': 'TransportOrder' },
    });
    if (res.status !== 200) throw new Error(res.text);
    return res.json().messageId as string;
  };
  const asUser = (method: string, path: string, body?: unknown) => apiCall(server.url, method, path, dataUser.session, body);
  const heading = () => page.locator('h1').textContent();

  beforeAll(async () => {
    const tls = selfSignedCert(dir);
    receiver = await startWebhookReceiver(tls);
    server = await startPortalServer({
      VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1', VAULTGATE_WEBHOOK_CA: tls.certFile, VAULTGATE_WEBHOOK_DISPATCH_MS: '30', VAULTGATE_WEBHOOK_TIMEOUT_S: '2',
    });
    const admin = (m: 'GET' | 'POST', p: string, b?: unknown) => adminCall(server.url, PORTAL_ADMIN_TOKEN, m, p, b);
    owner = await createTenant(admin, { businessId: bid('1967543') });
    unlisted = await createTenant(admin, { businessId: bid('0112038') });
    consumer = await createTenant(admin, { businessId: bid('2729069') });
    ownerAdmin = await personIn(server.url, PORTAL_ADMIN_TOKEN, owner.companyId, 'omistaja@owner.test', 'admin');
    dataUser = await personIn(server.url, PORTAL_ADMIN_TOKEN, consumer.companyId, 'data@consumer.test', 'admin');
    const listed = await apiCall(server.url, 'PUT', `/organisations/${owner.companyId}/directory-listing`, ownerAdmin.session, { listed: true, description: 'Rahtilaskut' });
    expect(listed.status).toBe(200);
    firstMessage = await ingest(0);
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    expectOnlyOrigins(browser, [server.origin]);
    expectNoCspViolations(browser);
  });

  it('signs in, finds the listed company by name and the unlisted one only by its exact business id, and requests access by keyboard', async () => {
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill(dataUser.email);
    await page.getByLabel('Password').fill(dataUser.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
    await page.goto(url('/data-user/discover'));
    await expect.poll(heading).toBe('Discover');
    await page.getByLabel('Name or business ID').fill('Company');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('table', { name: 'Organisations found' });
    await expect.poll(() => results.textContent()).toContain(`Company ${owner.businessId}`);
    expect(await results.textContent()).not.toContain(unlisted.businessId);
    expect(await results.textContent()).toContain('Rahtilaskut');
    await checkA11y(page, 'data-user-discover');
    await screenshot(page, 'data-user-discover');
    await page.getByLabel('Name or business ID').fill(unlisted.businessId);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => results.textContent()).toContain(`Company ${unlisted.businessId}`);
    expect(await results.textContent()).not.toContain(owner.businessId);

    await page.getByLabel('Name or business ID').fill(owner.businessId);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => results.textContent()).toContain(`Company ${owner.businessId}`);
    await page.getByRole('button', { name: `Request access to Company ${owner.businessId}` }).click();
    await page.getByRole('heading', { name: `Request access to Company ${owner.businessId}` }).waitFor();
    // Keyboard only: the request form, submitted with Enter.
    await page.getByRole('button', { name: `Request access to Company ${owner.businessId}` }).focus();
    await typeInto(page, /^Message types$/, 'TransportOrder');
    await typeInto(page, /^Purpose$/, 'Rahtilaskujen tarkastus');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`Request sent to Company ${owner.businessId}`);
    await checkA11y(page, 'data-user-requested');
    await screenshot(page, 'data-user-requested');
    const mine = await asUser('GET', `/organisations/${consumer.companyId}/grants?role=consumer`);
    expect(mine.body.items).toEqual([expect.objectContaining({
      ownerOrganisationId: owner.companyId, state: 'requested',
      terms: expect.objectContaining({ messageTypes: ['TransportOrder'], actions: ['read', 'subscribe'], purpose: 'Rahtilaskujen tarkastus' }),
    })]);
  });

  it('shows the grant the owner approved as active, links the shared data, gives the signed statement', async () => {
    const grant = (await asUser('GET', `/organisations/${consumer.companyId}/grants?role=consumer`)).body.items[0];
    const approved = await apiCall(server.url, 'POST', `/organisations/${owner.companyId}/grants/${grant.id}/approve`, ownerAdmin.session);
    expect(approved.body.state).toBe('active');
    await page.getByRole('link', { name: 'My requests and grants' }).first().click();
    await expect.poll(heading).toBe('My requests and grants');
    const table = page.getByRole('table', { name: 'Requests and grants' });
    await expect.poll(() => table.textContent()).toContain('Active');
    expect(await table.textContent()).toContain('TransportOrder');
    const open = page.getByRole('link', { name: `Open the data of Company ${owner.businessId}` });
    expect(await open.getAttribute('href')).toBe(`/portal/shared/${owner.companyId}`);
    // What the link opens reads with this browser's session: the owner's message the grant covers.
    const shared = await page.evaluate(async ([o, c]) => {
      const r = await fetch(`/vault/v1/shared/${o}/messages`, { headers: { 'vaultgate-organisation': c! } });
      return { status: r.status, body: await r.json() };
    }, [owner.companyId, consumer.companyId]);
    expect(shared.status).toBe(200);
    expect(JSON.stringify(shared.body)).toContain(firstMessage);
    await page.getByRole('button', { name: 'Signed statement' }).click();
    const download = page.getByRole('link', { name: 'Download the statement (.jwt)' });
    await download.waitFor();
    expect(await download.getAttribute('download')).toBe(`grant-${grant.id}.jwt`);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const jwt = await new Promise<string>((res, rej) => {
      file.createReadStream().then((s) => { let t = ''; s.on('data', (c: Buffer) => { t += c.toString(); }); s.on('end', () => res(t)); }, rej);
    });
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    expect(claims.grant).toMatchObject({ id: grant.id, actions: ['read', 'subscribe'] });
    await checkA11y(page, 'data-user-grants');
    await screenshot(page, 'data-user-grants');
  });

  it('refuses a webhook URL outside the rules with the coded error and its remedy', async () => {
    await page.getByRole('link', { name: 'Webhook endpoints' }).first().click();
    await expect.poll(heading).toBe('Webhook endpoints');
    // The hint says what the server accepts: http too, outside live (this server is not live; the receiver below is http).
    const url = page.getByLabel('URL', { exact: true });
    const hint = await page.locator(`[id="${await url.getAttribute('aria-describedby')}"]`).textContent();
    expect(hint).toBe('https:// to a public address (http:// is accepted too outside the live environment).');
    await page.getByLabel('URL', { exact: true }).fill('https://10.0.0.1/in');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('WEBHOOK_URL_REFUSED');
    expect(await alert.textContent()).toContain('What to do:');
    expect(await alert.textContent()).toContain('VAULTGATE_WEBHOOK_ALLOW_PRIVATE');
    await checkA11y(page, 'data-user-webhook-refused');
    await screenshot(page, 'data-user-webhook-refused');
  });

  it('registers an endpoint on a real receiver (secret once), sends a test, delivers an ingested message and replays it', async () => {
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/hook`);
    await page.getByLabel('Description').fill('Kirjanpito');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByTestId('secret').waitFor();
    secret = (await page.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    expect(await page.getByRole('alert').count()).toBe(0);
    const listed = await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints`);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    endpointId = listed.body.items[0].id;
    await checkA11y(page, 'data-user-webhooks');
    await screenshot(page, 'data-user-webhooks');

    await page.getByRole('link', { name: `Open ${receiver.url}/hook` }).click();
    await expect.poll(heading).toBe(`Endpoint ${receiver.url}/hook`);
    expect(await page.getByTestId('secret').count()).toBe(0); // the secret is not shown again
    await page.getByRole('button', { name: 'Send a test delivery' }).click();
    await expect.poll(() => page.locator('.test-result').textContent(), { timeout: 20_000 }).toContain('Test delivery: succeeded');
    expect(await page.locator('.test-result').textContent()).toContain('HTTP 204');
    const [test] = await receiver.waitFor((rs) => rs.some((r) => verify(secret, r).type === 'webhook.test'));
    expect(test!.path).toBe('/hook');
    const log = page.getByRole('table', { name: 'Delivery log' });
    await expect.poll(() => log.textContent()).toContain('webhook.test');

    const messageId = await ingest(1);
    await receiver.waitFor((rs) => rs.some((r) => verify(secret, r).data?.messageId === messageId));
    const delivered = receiver.receipts.filter((r) => verify(secret, r).data?.messageId === messageId);
    expect(verify(secret, delivered[0]!)).toMatchObject({ type: 'message.received', data: { companyId: owner.companyId, links: { body: `/vault/v1/shared/${owner.companyId}/messages/${messageId}` } } });
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh the log' }).click();
      return log.textContent();
    }, { timeout: 15_000 }).toContain(messageId);

    await page.getByLabel('Message id').fill(messageId);
    await page.getByRole('button', { name: 'Replay the message' }).click();
    await expect.poll(() => page.locator('.replay-progress').textContent(), { timeout: 20_000 }).toContain('Replayed 1 of 1');
    await receiver.waitFor((rs) => rs.filter((r) => verify(secret, r).data?.messageId === messageId).length >= 2);
    const again = receiver.receipts.filter((r) => verify(secret, r).data?.messageId === messageId);
    expect(again[1]!.headers['webhook-id']).toBe(again[0]!.headers['webhook-id']); // one message, one webhook-id
    await expect.poll(() => log.textContent()).toContain('replay');
    const entries = (await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints/${endpointId}/deliveries`)).body.items;
    expect(entries.filter((d: any) => d.messageId === messageId).map((d: any) => [d.origin, d.status]).sort()).toEqual([['dispatch', 'succeeded'], ['replay', 'succeeded']]);
    await checkA11y(page, 'data-user-webhook-endpoint');
    await screenshot(page, 'data-user-webhook-endpoint');
  });

  it('rotates the secret (shown once), disables and enables, edits the filters, replays since an instant with progress, deletes', async () => {
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('secret').waitFor();
    const rotated = (await page.getByTestId('secret').textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    const ep = (await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints/${endpointId}`)).body;
    expect(ep.previousSecretValidUntil).not.toBeNull();
    secret = rotated;

    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    expect((await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints/${endpointId}`)).body.status).toBe('disabled');
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    expect((await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints/${endpointId}`)).body.status).toBe('active');

    await page.getByLabel('Only message types').fill('TransportOrder');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints/${endpointId}`)).body.filters.messageTypes).toEqual(['TransportOrder']);

    // Replay since an hour ago (the browser's local time): both of the owner's messages, with progress until done.
    const since = new Date(Date.now() - 3_600_000);
    const local = await page.evaluate((ms) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }, since.getTime());
    const before = receiver.receipts.length;
    await page.getByLabel('Received since').fill(local);
    await page.getByRole('button', { name: 'Replay since' }).click();
    await expect.poll(() => page.locator('.replay-progress').textContent(), { timeout: 20_000 }).toMatch(/Replayed 2 of 2/);
    const replayed = receiver.receipts.slice(before).map((r) => verify(secret, r).data.messageId);
    expect(replayed.sort()).toEqual([...new Set(replayed)].sort());
    expect(replayed).toContain(firstMessage);

    await page.getByRole('button', { name: 'Delete the endpoint' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/portal\/data-user\/webhooks$/);
    await expect.poll(() => page.locator('main').textContent()).toContain('No webhook endpoints yet.');
    expect((await asUser('GET', `/organisations/${consumer.companyId}/webhook-endpoints`)).body.items).toEqual([]);
  });

  it('accepts an offer of narrower terms, then withdraws the grant', async () => {
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const asked = await asUser('POST', `/organisations/${consumer.companyId}/grants/requests`, {
      ownerOrganisationId: owner.companyId, messageTypes: ['TransportOrder'], actions: ['read'], purpose: 'Toinen tarve', notOnOrAfter: until,
    });
    expect(asked.status).toBe(201);
    const narrower = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const offered = await apiCall(server.url, 'POST', `/organisations/${owner.companyId}/grants/${asked.body.id}/offer`, ownerAdmin.session, { notOnOrAfter: narrower });
    expect(offered.body.state).toBe('offered');
    await page.getByRole('link', { name: 'My requests and grants' }).first().click();
    await page.getByLabel('Show state').selectOption('offered');
    const row = page.getByRole('row').filter({ hasText: 'Toinen tarve' });
    await row.getByRole('button', { name: 'Accept the offer' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('now active');
    expect((await asUser('GET', `/organisations/${consumer.companyId}/grants/${asked.body.id}`)).body).toMatchObject({ state: 'active', terms: { notOnOrAfter: narrower } });
    await page.getByLabel('Show state').selectOption('active');
    await row.getByRole('button', { name: 'Withdraw' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('now withdrawn');
    expect((await asUser('GET', `/organisations/${consumer.companyId}/grants/${asked.body.id}`)).body.state).toBe('withdrawn');
    await checkA11y(page, 'data-user-grants-withdrawn');
  });

  it('starts a feed checkpoint at the start, reads the feed from it and commits the position', async () => {
    await page.getByRole('link', { name: 'Feed cursors' }).first().click();
    await expect.poll(heading).toBe('Feed cursors');
    await page.getByLabel('Name', { exact: true }).fill('main');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Cursor main started.');
    const table = page.getByRole('table', { name: 'Cursors' });
    await expect.poll(() => table.textContent()).toContain('main');
    await page.getByRole('button', { name: 'Read from main' }).click();
    const viewer = page.getByRole('region', { name: 'Feed from main' });
    await expect.poll(() => viewer.textContent()).toContain(firstMessage);
    expect(await viewer.textContent()).toContain('message.received');
    await checkA11y(page, 'data-user-feed');
    await screenshot(page, 'data-user-feed');
    await page.getByRole('button', { name: 'Commit main here' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Cursor main committed at message');
    const cp = await asUser('GET', `/organisations/${consumer.companyId}/feed/checkpoints/main`);
    expect(cp.body.messageSeq).toBeGreaterThan(0);
    // Read again from the committed position: nothing new.
    await page.getByRole('button', { name: 'Read from main' }).click();
    await expect.poll(() => viewer.textContent()).toContain('Nothing new since this cursor.');

    // A name the server refuses: its coded error with the remedy, the same the API gives.
    const refused = await asUser('PUT', `/organisations/${consumer.companyId}/feed/checkpoints/${encodeURIComponent('ei kelpaa!')}`, { position: 'start' });
    expect(refused.status).toBe(400);
    await page.getByLabel('Name', { exact: true }).fill('ei kelpaa!');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain(refused.body.code);
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(page, 'data-user-feed-refused');
  });

  it('a viewer of the organisation reads the pages without the actions', async () => {
    const viewer = await personIn(server.url, PORTAL_ADMIN_TOKEN, consumer.companyId, 'katsoja@consumer.test', 'viewer');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
    await page.goto(url('/data-user/feed'));
    await expect.poll(() => page.getByRole('table', { name: 'Cursors' }).textContent()).toContain('main');
    expect(await page.getByRole('heading', { name: 'Start a cursor' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Webhook endpoints' }).first().click();
    await expect.poll(heading).toBe('Webhook endpoints');
    expect(await page.getByRole('heading', { name: 'Register an endpoint' }).count()).toBe(0);
    await page.getByRole('link', { name: 'My requests and grants' }).first().click();
    await expect.poll(() => page.getByRole('table', { name: 'Requests and grants' }).textContent()).toContain('Active');
    expect(await page.getByRole('button', { name: 'Withdraw' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Discover' }).first().click();
    await expect.poll(() => page.getByRole('region', { name: 'Our directory listing' }).textContent()).toContain('not listed');
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await checkA11y(page, 'data-user-discover-viewer');
    await screenshot(page, 'data-user-discover-viewer');
  });
});
