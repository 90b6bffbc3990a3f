import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, type PortalBrowser,
} from '../helpers/browser.js';
import { macRequest } from '../helpers/mac-request.js';
import { apiCall } from '../helpers/organisations.js';
import { personIn, type TestPerson } from '../helpers/people.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';
import { adminCall, createTenant, type Tenant } from '../helpers/servers.js';

/*
 * The owner's sharing pages and the consumer's shared-data browser in real browsers (issue 16): the consumer's admin
 * requests access three times (through the API); the owner's admin, in the portal, approves one, offers narrower terms
 * on another (a wider offer first: GRANT_SCOPE_WIDENED with its remedy), declines the third by keyboard, and grants
 * directly; the consumer, in a browser of its own, sees the owner and only the messages the grant covers; the owner
 * sees that read under "who read what"; the owner revokes, and the consumer's browser shows GRANT_REQUIRED with its
 * remedy. Effects asserted through the API; axe and a screenshot per page; no outside request, no CSP violation.
 */

describe.skipIf(skipBrowser())('portal sharing pages in chromium', () => {
  let server: PortalServer;
  let ownerBrowser: PortalBrowser, consumerBrowser: PortalBrowser;
  let owner: Page, consumer: Page;
  let a: Tenant, b: Tenant;
  let ownerAdmin: TestPerson, consumerAdmin: TestPerson;
  const grants: Record<'approve' | 'offer' | 'decline', string> = {} as never;
  const invoices: string[] = [];
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

  const ingest = async (type: string, contentType: string, body: string): Promise<string> => {
    const res = await macRequest({ baseUrl: server.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body, headers: { 'content-type': contentType, 'x-message-type': type } });
    if (res.status !== 200) throw new Error(res.text);
    return res.json().messageId as string;
  };
  const signIn = async (page: Page, p: TestPerson) => {
    await page.goto(`${server.url}/portal/sign-in`);
    await page.getByLabel('Email').first().fill(p.email);
    await page.getByLabel('Password').fill(p.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
  };
  const grant = async (id: string) => (await apiCall(server.url, 'GET', `/organisations/${a.companyId}/grants/${id}`, ownerAdmin.session)).body;

  beforeAll(async () => {
    server = await startPortalServer();
    const admin = (m: 'GET' | 'POST', p: string, body?: unknown) => adminCall(server.url, PORTAL_ADMIN_TOKEN, m, p, body);
    const types = [{ name: 'Invoice', mediaTypes: ['application/json'] }, { name: 'Report', mediaTypes: ['text/plain'] }];
    a = await createTenant(admin, { businessId: '1967543-8', messageTypes: types });
    b = await createTenant(admin, { businessId: '2729069-3', messageTypes: types });
    for (let i = 0; i < 3; i++) invoices.push(await ingest('Invoice', 'application/json', JSON.stringify({ invoice: i })));
    for (let i = 0; i < 2; i++) await ingest('Report', 'text/plain', `raportti ${i}`);
    ownerAdmin = await personIn(server.url, PORTAL_ADMIN_TOKEN, a.companyId, 'omistaja@a.test', 'admin');
    consumerAdmin = await personIn(server.url, PORTAL_ADMIN_TOKEN, b.companyId, 'kuluttaja@b.test', 'admin');
    const request = async (purpose: string, messageTypes: string[]) => {
      const r = await apiCall(server.url, 'POST', `/organisations/${b.companyId}/grants/requests`, consumerAdmin.session,
        { ownerBusinessId: a.businessId, channelIds: null, messageTypes, actions: ['read'], purpose, notOnOrAfter: inAnHour() });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      return r.body.id as string;
    };
    grants.approve = await request('Audit of invoices', ['Invoice']);
    grants.offer = await request('Everything for the bank', ['Invoice', 'Report']);
    grants.decline = await request('Reports for marketing', ['Report']);
    ownerBrowser = await launchBrowser();
    owner = await ownerBrowser.newPage();
    consumerBrowser = await launchBrowser();
    consumer = await consumerBrowser.newPage();
    await signIn(owner, ownerAdmin);
    await signIn(consumer, consumerAdmin);
  }, 60_000);
  afterAll(async () => {
    await ownerBrowser?.close();
    await consumerBrowser?.close();
    await server?.close();
  });
  afterEach(() => {
    for (const br of [ownerBrowser, consumerBrowser]) {
      expectOnlyOrigins(br, [server.origin]);
      expectNoCspViolations(br);
    }
  });

  const section = (name: string) => owner.locator('section', { has: owner.getByRole('heading', { name, exact: true }) });
  const row = (name: string, purpose: string) => section(name).locator('tbody tr', { hasText: purpose });

  it('the owner approves a request, offers narrower terms (a wider offer is refused with its remedy), and declines by keyboard', async () => {
    await owner.goto(`${server.url}/portal/sharing`);
    await expect.poll(() => section('Incoming requests').locator('tbody tr').count()).toBe(3);
    await checkA11y(owner, 'sharing');
    await screenshot(owner, 'sharing');

    await row('Incoming requests', 'Audit of invoices').getByRole('button', { name: /^Approve the request/ }).click();
    await expect.poll(() => owner.getByRole('status').filter({ hasText: 'Done' }).textContent()).toContain('active');
    expect((await grant(grants.approve)).state).toBe('active');
    await expect.poll(() => row('Active grants', 'Audit of invoices').count()).toBe(1);
    expect(await row('Active grants', 'Audit of invoices').textContent()).toContain('Types: Invoice');

    await row('Incoming requests', 'Everything for the bank').getByRole('button', { name: /^Offer narrower terms/ }).click();
    const offer = owner.locator('form', { hasText: 'Narrower terms for' });
    await offer.getByLabel('Message types (comma-separated)').fill('Invoice, Scan');
    await offer.getByRole('button', { name: 'Send the offer' }).click();
    const alert = owner.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('GRANT_SCOPE_WIDENED');
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(owner, 'sharing-offer-error');
    await screenshot(owner, 'sharing-offer-error');
    await offer.getByLabel('Message types (comma-separated)').fill('Invoice');
    await offer.getByRole('button', { name: 'Send the offer' }).click();
    await expect.poll(() => row('Offers sent', 'Everything for the bank').count()).toBe(1);
    expect(await grant(grants.offer)).toMatchObject({ state: 'offered', terms: { messageTypes: ['Invoice'] } });

    // Decline by keyboard only: focus the button, Enter asks, the confirm button takes the focus, Enter confirms.
    await row('Incoming requests', 'Reports for marketing').getByRole('button', { name: /^Decline the request/ }).focus();
    await owner.keyboard.press('Enter');
    await expect.poll(() => owner.evaluate(() => document.activeElement?.textContent)).toBe('Confirm');
    await owner.keyboard.press('Enter');
    await expect.poll(async () => (await grant(grants.decline)).state).toBe('declined');
    await expect.poll(() => section('Incoming requests').locator('tbody tr').count()).toBe(0);
    await checkA11y(owner, 'sharing-decided');
    await screenshot(owner, 'sharing-decided');
  });

  it("the consumer's browser lists the owner and shows only what the grant covers; the owner sees who read what", async () => {
    await consumer.goto(`${server.url}/portal/shared`);
    const link = consumer.getByRole('link', { name: `Browse the data of Company ${a.businessId}` });
    await link.waitFor();
    await checkA11y(consumer, 'shared-owners');
    await screenshot(consumer, 'shared-owners');
    await link.click();
    await consumer.waitForURL(new RegExp(`/portal/shared/${a.companyId}$`));
    const rows = consumer.locator('table.vault-list tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect((await rows.locator('td:first-child').allTextContents()).map((s) => s.trim())).toEqual(invoices);
    expect(await rows.locator('td:nth-child(3)').allTextContents()).toEqual(['Invoice', 'Invoice', 'Invoice']);
    await consumer.getByRole('button', { name: `Open ${invoices[1]}` }).click();
    await consumer.getByRole('link', { name: 'Download the original' }).waitFor();
    expect(await consumer.locator('dl.facts').textContent()).toContain(grants.approve);
    await checkA11y(consumer, 'shared-vault');
    await screenshot(consumer, 'shared-vault');

    await owner.goto(`${server.url}/portal/sharing/reads?grant=${grants.approve}`);
    const reads = owner.locator('table tbody tr');
    await expect.poll(() => reads.filter({ hasText: 'shared.get' }).count()).toBe(1);
    const get = await reads.filter({ hasText: 'shared.get' }).textContent();
    expect(get).toContain(consumerAdmin.userId);
    // The reading organisation by its name (from the owner's grants), not only its id.
    const consumerName = (await grant(grants.approve)).consumerName as string;
    expect(consumerName).toBeTruthy();
    await expect.poll(() => reads.filter({ hasText: 'shared.get' }).textContent()).toContain(consumerName);
    expect(get).toContain(invoices[1]);
    expect(await reads.filter({ hasText: 'shared.list' }).first().textContent()).toContain('3 messages');
    await checkA11y(owner, 'sharing-reads');
    await screenshot(owner, 'sharing-reads');
  });

  it('the owner revokes (with a confirm step) and grants directly; the consumer then sees GRANT_REQUIRED, then the new scope', async () => {
    await owner.goto(`${server.url}/portal/sharing`);
    const active = row('Active grants', 'Audit of invoices');
    await active.getByRole('button', { name: /^Revoke the grant/ }).click();
    await active.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(async () => (await grant(grants.approve)).state).toBe('revoked');

    await consumer.reload();
    const alert = consumer.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('GRANT_REQUIRED');
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(consumer, 'shared-vault-revoked');
    await screenshot(consumer, 'shared-vault-revoked');

    const form = owner.locator('form', { has: owner.getByRole('button', { name: 'Grant access' }) });
    await form.getByLabel("Consumer's business ID").fill(b.businessId);
    await form.getByLabel('Message types (comma-separated)').fill('Report');
    await form.getByLabel('Purpose').fill('Quarterly review');
    const until = new Date(Date.now() + 86_400_000);
    const p = (n: number) => String(n).padStart(2, '0');
    await form.getByLabel('Valid until').fill(`${until.getFullYear()}-${p(until.getMonth() + 1)}-${p(until.getDate())}T${p(until.getHours())}:${p(until.getMinutes())}`);
    await form.getByRole('button', { name: 'Grant access' }).click();
    await expect.poll(() => row('Active grants', 'Quarterly review').count()).toBe(1);
    const list = await apiCall(server.url, 'GET', `/organisations/${a.companyId}/grants?role=owner&state=active`, ownerAdmin.session);
    expect(list.body.items.map((g: any) => [g.consumerOrganisationId, g.terms.messageTypes, g.terms.purpose])).toEqual([[b.companyId, ['Report'], 'Quarterly review']]);

    await consumer.reload();
    const rows = consumer.locator('table.vault-list tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.locator('td:nth-child(3)').allTextContents()).toEqual(['Report', 'Report']);
  });
  it('shows the coded errors of refused steps with their remedies: a stale request (GRANT_STATE_CONFLICT), a viewer acting (ACCOUNT_FORBIDDEN), a window already over (GRANT_VALIDITY_INVALID)', async () => {
    const r = await apiCall(server.url, 'POST', `/organisations/${b.companyId}/grants/requests`, consumerAdmin.session,
      { ownerBusinessId: a.businessId, channelIds: null, messageTypes: ['Invoice'], actions: ['read'], purpose: 'Withdrawn meanwhile', notOnOrAfter: inAnHour() });
    await owner.goto(`${server.url}/portal/sharing`);
    await row('Incoming requests', 'Withdrawn meanwhile').waitFor();
    expect((await apiCall(server.url, 'POST', `/organisations/${b.companyId}/grants/${r.body.id}/withdraw`, consumerAdmin.session)).status).toBe(200);
    await row('Incoming requests', 'Withdrawn meanwhile').getByRole('button', { name: /^Approve the request/ }).click();
    const alert = owner.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('GRANT_STATE_CONFLICT');
    expect(await alert.textContent()).toContain('What to do:');

    const form = owner.locator('form', { has: owner.getByRole('button', { name: 'Grant access' }) });
    await form.getByLabel("Consumer's business ID").fill(b.businessId);
    await form.getByLabel('Message types (comma-separated)').fill('Invoice');
    await form.getByLabel('Purpose').fill('Already over');
    await form.getByLabel('Valid until').fill('2020-01-01T00:00');
    await form.getByRole('button', { name: 'Grant access' }).click();
    await expect.poll(() => alert.textContent()).toContain('GRANT_VALIDITY_INVALID');
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(owner, 'sharing-validity-error');

    // A viewer of the owner reads the page, but a step is the admins': ACCOUNT_FORBIDDEN, in a browser of its own.
    const viewer = await personIn(server.url, PORTAL_ADMIN_TOKEN, a.companyId, 'katsoja@a.test', 'viewer');
    const viewerBrowser = await launchBrowser();
    try {
      const vp = await viewerBrowser.newPage();
      await signIn(vp, viewer);
      await vp.goto(`${server.url}/portal/sharing`);
      const active = vp.locator('section', { has: vp.getByRole('heading', { name: 'Active grants', exact: true }) }).locator('tbody tr', { hasText: 'Quarterly review' });
      await active.getByRole('button', { name: /^Revoke the grant/ }).click();
      await active.getByRole('button', { name: 'Confirm' }).click();
      const refused = vp.getByRole('alert');
      await expect.poll(() => refused.textContent()).toContain('ACCOUNT_FORBIDDEN');
      expect(await refused.textContent()).toContain('What to do:');
      await screenshot(vp, 'sharing-viewer-forbidden');
      expectOnlyOrigins(viewerBrowser, [server.origin]);
      expectNoCspViolations(viewerBrowser);
    } finally {
      await viewerBrowser.close();
    }
    const still = await apiCall(server.url, 'GET', `/organisations/${a.companyId}/grants?role=owner&state=active`, ownerAdmin.session);
    expect(still.body.items.map((g: any) => g.terms.purpose)).toEqual(['Quarterly review']);
  });
});
