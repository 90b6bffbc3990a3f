import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, tabTo, typeInto, type PortalBrowser,
} from '../helpers/browser.js';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';

/*
 * The company admin pages in a real browser (issue 16): the dashboard counts messages really ingested over MAC and
 * the refused ones by code (uPlot chart plus its table); a vendor's channel request approved with narrowed types; a
 * customer credential created (key shown once, copied by keyboard), rotated with an overlap (both keys work), and
 * disabled; a user invited; the audit trail shows those actions. A viewer sees no action controls and the API refuses
 * the viewer if forced. axe and a screenshot on every page, no request outside the server, no CSP violation.
 * Needs `npm run build` and /usr/bin/chromium.
 */

const BUSINESS_ID = '2745102-0';
const TYPE = 'TransportOrder';

describe.skipIf(skipBrowser())('portal company pages in chromium', () => {
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;
  let company: TestOrganisation;
  let vendor: TestOrganisation;
  let sender: MacCredentials;
  let channelId = '';
  let viewer = { email: 'katsoja@satama.test', password: 'katsojan salasana on pitkä' };

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/admin/v1${path}`, {
      method, headers: { authorization: `Bearer ${PORTAL_ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() as any };
  };
  const send = (creds: MacCredentials, type = TYPE) => macRequest({
    baseUrl: server.url, target: `/ingestion/${channelId}`, creds, body: '{"n":1}', useHttpStatusCodes: true,
    headers: { 'content-type': 'application/json', 'x-message-type': type, 'x-request-id': `pc-${randomUUID().slice(0, 8)}` },
  });
  const url = (path: string) => `${server.url}/portal${path}`;
  const h1 = () => page.locator('h1').textContent();
  const orgPath = (p: string) => `/organisations/${company.orgId}${p}`;

  const signIn = async (email: string, password: string) => {
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/portal\/company$/);
  };

  beforeAll(async () => {
    server = await startPortalServer();
    company = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'company', email: 'paakayttaja@satama.test', businessId: BUSINESS_ID, name: 'Satama Oy' });
    vendor = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'party', email: 'admin@toimittaja.test', name: 'Toimittaja Oy' });
    channelId = (await admin('POST', '/channels', { companyId: company.orgId, partyId: vendor.orgId, messageTypes: [{ name: TYPE, mediaTypes: ['application/json'] }] })).body.id;
    const partner = (await admin('POST', `/parties/${vendor.orgId}/partner-credentials`)).body;
    const customer = (await admin('POST', `/companies/${company.orgId}/customer-credentials`, { name: 'setup', scopes: ['ingest'] })).body;
    sender = { partnerId: partner.partnerId, partnerKey: partner.partnerKey, customerId: customer.customerId, customerKey: customer.customerKey, organisationId: BUSINESS_ID };
    // Three messages stored, two refused (a type the channel does not carry, a wrong key).
    for (let i = 0; i < 3; i++) expect((await send(sender)).status).toBe(200);
    expect((await send(sender, 'Invoice')).status).toBeGreaterThanOrEqual(400);
    expect((await send({ ...sender, customerKey: Buffer.alloc(32, 7).toString('base64') })).status).toBeGreaterThanOrEqual(400);
    // The vendor asks for a second channel with two types, one of them in two media types.
    const req = await apiCall(server.url, 'POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.admin, {
      businessId: BUSINESS_ID, messageTypes: [{ name: 'Invoice', mediaTypes: ['application/json', 'application/xml'] }, { name: 'Receipt', mediaTypes: ['application/json'] }],
    });
    expect(req.status).toBe(201);
    // A viewer of the company (invited and accepted through the API).
    const inv = await apiCall(server.url, 'POST', orgPath('/invitations'), company.admin, { email: viewer.email, role: 'viewer' });
    expect(inv.status).toBe(201);
    const token = decodeURIComponent(new URL(inv.body.link).pathname.split('/').pop()!);
    const accepted = await apiCall(server.url, 'POST', `/invitations/${encodeURIComponent(token)}/accept`, undefined, { displayName: 'Katsoja', password: viewer.password });
    expect(accepted.status).toBe(201);
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
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

  it('shows the dashboard: messages counted per day, channel and type (chart and table), the last message, refusals by code with remedies', async () => {
    // Refusals are recorded off the request path: wait until the API has them.
    await expect.poll(async () => (await apiCall(server.url, 'GET', orgPath('/ingestion/stats'), company.viewer)).body.failures24h.length).toBe(2);
    const stats = (await apiCall(server.url, 'GET', orgPath('/ingestion/stats'), company.viewer)).body;
    expect(stats.days).toEqual([expect.objectContaining({ channelId, messageType: TYPE, count: 3 })]);
    await signIn(company.email, company.password);
    await expect.poll(h1).toBe('Dashboard');
    const traffic = page.locator('table', { hasText: 'Messages per day, channel and message type' });
    await expect.poll(() => traffic.locator('tbody tr').count()).toBe(1);
    const row = (await traffic.locator('tbody tr').first().locator('td').allTextContents());
    expect(row).toEqual([stats.days[0].date, channelId, TYPE, '3']);
    // uPlot drew the chart (a canvas) and the legend names the series with its total.
    expect(await page.locator('.uplot canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('.chart-legend').textContent()).toContain(`${channelId} · ${TYPE}: 3`);
    expect(await page.getByRole('img').getAttribute('aria-label')).toContain('3 messages');
    expect(await page.locator('table', { hasText: 'Last message per channel' }).textContent()).toContain(channelId);
    const failures = page.locator('table', { hasText: 'Refused requests in the last 24 hours' });
    for (const f of stats.failures24h) {
      const r = failures.locator('tr', { hasText: f.code });
      await expect.poll(() => r.locator('td').nth(1).textContent()).toBe(String(f.count));
      expect((await r.locator('td').nth(3).textContent())!.length).toBeGreaterThan(5); // the catalogue's remedy
    }
    await checkA11y(page, 'company-dashboard');
    await screenshot(page, 'company-dashboard');
  });

  it('approves the vendor\'s channel request with narrowed types', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
    await expect.poll(h1).toBe('Channels and channel requests');
    await page.getByRole('button', { name: 'Approve request of Toimittaja Oy' }).click();
    await page.getByLabel('Invoice as application/xml').uncheck();
    await page.getByLabel('Receipt as application/json').uncheck();
    await checkA11y(page, 'company-channel-approve');
    await screenshot(page, 'company-channel-approve');
    await page.getByRole('button', { name: 'Approve with these types' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Request of Toimittaja Oy approved');
    const requests = (await apiCall(server.url, 'GET', orgPath('/channel-requests'), company.viewer)).body.items;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 'approved', grantedMessageTypes: [{ name: 'Invoice', mediaTypes: ['application/json'] }] });
    const channels = page.locator('table', { hasText: 'Software vendor' });
    await expect.poll(() => channels.locator('tbody tr').count()).toBe(2);
    expect(await channels.textContent()).toContain(requests[0].channelId);
    // The vendor by its name (from the channel requests), not its party id.
    await expect.poll(async () => (await channels.locator('tbody tr').allTextContents()).every((r) => r.includes('Toimittaja Oy'))).toBe(true);
    const allRequests = page.getByRole('table', { name: 'All channel requests' });
    expect(await allRequests.textContent()).toContain('Invoice (application/json)');
    // Named by its heading, with no caption repeating it.
    expect(await allRequests.locator('caption').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'All channel requests' }).count()).toBe(1);
    await checkA11y(page, 'company-channels');
    await screenshot(page, 'company-channels');
  });

  it('creates a customer credential by keyboard (key shown once, copied), rotates it with an overlap, shows a coded error, and disables it', async () => {
    await page.goto(url('/company/credentials'));
    await expect.poll(h1).toBe('Credentials');
    await page.locator('table').first().waitFor();
    await checkA11y(page, 'company-credentials');
    // The two forms' vault.read boxes are told apart by name.
    expect(await page.getByRole('checkbox', { name: 'vault.read, scope of the customer credential' }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'vault.read, role of the OAuth client' }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'vault.read', exact: true }).count()).toBe(0);
    // Keyboard only: the name, then Tab to the submit button and Enter.
    await typeInto(page, /^Name$/, 'portal integration');
    await tabTo(page, /^Create customer credential$/);
    await page.keyboard.press('Enter');
    const secret = page.getByTestId('secret');
    await secret.waitFor();
    const key = (await secret.textContent())!;
    // A creation, not a rotation: "Key of the new customer credential …".
    expect(await page.getByText('New key of customer credential').count()).toBe(0);
    const customerId = /credential (\S+)\./.exec((await page.getByText('Key of the new customer credential').textContent())!)![1]!;
    await tabTo(page, /^Copy/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect(await page.getByRole('button', { name: /Copied/ }).count()).toBe(1);
    await checkA11y(page, 'company-credentials-created');
    await screenshot(page, 'company-credentials-created');
    // The new key signs for the company.
    expect((await send({ ...sender, customerId, customerKey: key })).status).toBe(200);
    // Rotation refused: an overlap beyond 168 hours is a coded error with its remedy.
    await page.getByLabel('Overlap when rotating (hours)').fill('500');
    await page.getByRole('button', { name: 'Rotate portal integration' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Code: [A-Z_]+/);
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(page, 'company-credentials-error');
    await screenshot(page, 'company-credentials-error');
    // Rotate with 2 hours' overlap: a new key, the old one works until the shown instant.
    await page.getByLabel('Overlap when rotating (hours)').fill('2');
    await page.getByRole('button', { name: 'Rotate portal integration' }).click();
    await expect.poll(() => page.getByText('keeps working until').count()).toBe(1);
    await expect.poll(() => secret.textContent()).not.toBe(key);
    const rotated = (await secret.textContent())!;
    expect((await send({ ...sender, customerId, customerKey: rotated })).status).toBe(200);
    expect((await send({ ...sender, customerId, customerKey: key })).status).toBe(200);
    // Disable with the confirm step: both keys stop at once.
    const row = page.locator('tr', { hasText: 'portal integration' });
    await row.getByRole('button', { name: 'Disable portal integration' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.textContent()).toContain('Disabled');
    const listed = (await apiCall(server.url, 'GET', orgPath('/customer-credentials'), company.viewer)).body.items.find((c: { customerId: string }) => c.customerId === customerId);
    expect(listed.disabledAt).not.toBeNull();
    expect((await send({ ...sender, customerId, customerKey: rotated })).status).toBeGreaterThanOrEqual(400);
    await screenshot(page, 'company-credentials-disabled');
  });

  it('invites a user with a role', async () => {
    await page.goto(url('/company/people'));
    await expect.poll(h1).toBe('Users and invitations');
    await page.locator('table').first().waitFor();
    await page.getByLabel('Email', { exact: true }).fill('uusi@satama.test');
    await page.getByRole('form', { name: 'Send invitation' }).getByLabel('Role').selectOption('member');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Invitation sent to uusi@satama.test');
    expect(await page.getByTestId('secret').textContent()).toContain('/invitations/');
    const invitations = (await apiCall(server.url, 'GET', orgPath('/invitations'), company.admin)).body.items;
    expect(invitations.find((i: { email: string }) => i.email === 'uusi@satama.test')).toMatchObject({ role: 'member', revokedAt: null });
    await expect.poll(() => page.getByRole('table', { name: 'Invitations' }).locator('tr', { hasText: 'uusi@satama.test' }).textContent()).toContain('Open');
    expect(await page.getByRole('table', { name: 'Members' }).locator('tr', { hasText: 'Katsoja' }).textContent()).toContain('Viewer');
    await checkA11y(page, 'company-people');
    await screenshot(page, 'company-people');
  });

  it('reads the audit trail showing those actions, details readable', async () => {
    await page.goto(url('/company/audit'));
    await expect.poll(h1).toBe('Audit trail');
    await page.getByLabel('Events per page').selectOption('500');
    const table = page.locator('table');
    await expect.poll(() => table.textContent()).toContain('invitation.create');
    const text = (await table.textContent())!;
    for (const action of ['channel-request.approve', 'customer-credential.create', 'customer-credential.rotate', 'customer-credential.disable', 'invitation.create']) {
      expect(text).toContain(action);
    }
    const row = page.locator('tr', { hasText: 'customer-credential.rotate' }).first();
    expect(await row.textContent()).toContain(`user: Admin <${company.email}>`);
    await row.locator('summary').click();
    expect(await row.locator('pre').textContent()).toContain('"details"');
    await checkA11y(page, 'company-audit');
    await screenshot(page, 'company-audit');
  });

  it('a viewer sees read-only pages without action controls; the API refuses the viewer if forced', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/portal\/sign-in/);
    await signIn(viewer.email, viewer.password);
    await expect.poll(h1).toBe('Dashboard');
    await page.goto(url('/company/credentials'));
    await expect.poll(() => page.locator('table').count()).toBe(1);
    expect(await page.locator('table').textContent()).toContain('portal integration');
    expect(await page.getByRole('button', { name: /Create|Rotate|Disable/ }).count()).toBe(0);
    await checkA11y(page, 'company-credentials-viewer');
    await screenshot(page, 'company-credentials-viewer');
    await page.goto(url('/company/channels'));
    await expect.poll(() => page.locator('table', { hasText: 'Software vendor' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Approve|Decline|Disable/ }).count()).toBe(0);
    await page.goto(url('/company/people'));
    await expect.poll(() => page.locator('table', { hasText: 'Katsoja' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Remove|Reset|Require|invitation/ }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: /Role of/ }).count()).toBe(0);
    await checkA11y(page, 'company-people-viewer');
    // Forced through the API with the viewer's own session: refused.
    const session = (await apiCall(server.url, 'POST', '/session', undefined, { email: viewer.email, password: viewer.password, tokenInBody: true })).body.sessionToken;
    for (const [method, path, body] of [
      ['POST', '/customer-credentials', { name: 'forced' }], ['POST', `/channels/${channelId}/disable`, undefined], ['POST', '/invitations', { email: 'x@satama.test', role: 'admin' }],
    ] as const) {
      const r = await apiCall(server.url, method, orgPath(path), session, body);
      expect(r.status, path).toBe(403);
      expect(r.body.code).toBeTruthy();
    }
  });
});
