import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, type PortalBrowser } from '../helpers/browser.js';
import { tokenRequest } from '../helpers/oauth.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { enrolTotp, PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';

/*
 * The rest of the company admin in a real browser (issue 16): an OAuth client created (secret shown once and usable
 * at /oauth2/token), rotated (old and new secrets both work through the overlap) and disabled; a channel request
 * declined, a channel's Postman collection downloaded, the channel disabled; members managed (role change, TOTP reset,
 * removal), an invitation revoked, TOTP required of the members and no longer; the coded errors a company admin can hit there (TOTP_ENROLMENT_FIRST,
 * STATE_CONFLICT) with their remedies; the dashboard in Finnish. axe, screenshots, same-origin and CSP checks.
 */

const BUSINESS_ID = '0737546-2';

describe.skipIf(skipBrowser())('portal company admin actions in chromium', () => {
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;
  let company: TestOrganisation;
  let vendor: TestOrganisation;
  let channelId = '';
  const member = { email: 'jasen@laituri.test', password: 'jäsenen salasana on pitkä' };

  const url = (path: string) => `${server.url}/portal${path}`;
  const h1 = () => page.locator('h1').textContent();
  const orgPath = (p: string) => `/organisations/${company.orgId}${p}`;
  const token = (clientId: string, clientSecret: string) => tokenRequest(server.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });

  beforeAll(async () => {
    server = await startPortalServer();
    company = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'company', email: 'admin@laituri.test', businessId: BUSINESS_ID, name: 'Laituri Oy' });
    vendor = await registerOrganisation(server.url, PORTAL_ADMIN_TOKEN, { kind: 'party', email: 'admin@koodari.test', name: 'Koodari Oy' });
    // One request approved through the API (its channel), one left pending for the page to decline.
    const ask = (name: string) => apiCall(server.url, 'POST', `/organisations/${vendor.orgId}/channel-requests`, vendor.admin, { businessId: BUSINESS_ID, messageTypes: [{ name, mediaTypes: ['application/json'] }] });
    const first = await ask('Waybill');
    channelId = (await apiCall(server.url, 'POST', orgPath(`/channel-requests/${first.body.id}/approve`), company.admin, {})).body.channelId;
    expect((await ask('Invoice')).status).toBe(201);
    // A member with an authenticator, and an open invitation.
    const inv = await apiCall(server.url, 'POST', orgPath('/invitations'), company.admin, { email: member.email, role: 'member' });
    const link = decodeURIComponent(new URL(inv.body.link).pathname.split('/').pop()!);
    expect((await apiCall(server.url, 'POST', `/invitations/${encodeURIComponent(link)}/accept`, undefined, { displayName: 'Jäsen', password: member.password })).status).toBe(201);
    await enrolTotp(server.url, member.email, member.password);
    expect((await apiCall(server.url, 'POST', orgPath('/invitations'), company.admin, { email: 'avoin@laituri.test', role: 'viewer' })).status).toBe(201);
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(url('/sign-in'));
    await page.getByLabel('Email').first().fill(company.email);
    await page.getByLabel('Password').fill(company.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/portal\/company$/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(() => {
    expectOnlyOrigins(browser, [server.origin]);
    expectNoCspViolations(browser);
  });

  it('creates an OAuth client (secret once, usable), rotates it with an overlap, and disables it', async () => {
    await page.goto(url('/company/credentials'));
    await expect.poll(h1).toBe('Credentials');
    await page.getByLabel('Client name').fill('lukija');
    await page.getByRole('button', { name: 'Create OAuth client' }).click();
    const secret = page.getByTestId('secret');
    await secret.waitFor();
    const first = (await secret.textContent())!;
    const clientId = /client (\S+)\./.exec((await page.getByText('Secret of the new OAuth client').textContent())!)![1]!;
    expect((await token(clientId, first)).status).toBe(200);
    await page.getByRole('button', { name: 'Rotate lukija' }).click();
    await expect.poll(() => page.getByText('keeps working until').count()).toBe(1);
    await expect.poll(() => secret.textContent()).not.toBe(first);
    const second = (await secret.textContent())!;
    expect((await token(clientId, second)).status).toBe(200);
    expect((await token(clientId, first)).status).toBe(200);
    await checkA11y(page, 'company-client-rotated');
    await screenshot(page, 'company-client-rotated');
    const row = page.locator('tr', { hasText: 'lukija' });
    await row.getByRole('button', { name: 'Disable lukija' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row.textContent()).toContain('Disabled');
    expect((await token(clientId, second)).status).not.toBe(200);
  });

  it('declines a channel request, downloads a channel\'s Postman collection, and disables the channel', async () => {
    await page.goto(url('/company/channels'));
    await expect.poll(h1).toBe('Channels and channel requests');
    await page.getByRole('button', { name: 'Decline request of Koodari Oy' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Request of Koodari Oy declined');
    const requests = (await apiCall(server.url, 'GET', orgPath('/channel-requests'), company.viewer)).body.items;
    expect(requests.map((r: { status: string }) => r.status).sort()).toEqual(['approved', 'declined']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Postman collection of ${channelId}` }).click()]);
    const postman = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(postman.collection.info.name).toBeTruthy();
    expect(JSON.stringify(postman)).toContain(channelId);
    await page.getByRole('button', { name: `Disable channel ${channelId}` }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`Channel ${channelId} disabled`);
    const ch = (await apiCall(server.url, 'GET', orgPath('/channels'), company.viewer)).body.items.find((c: { id: string }) => c.id === channelId);
    expect(ch.disabledAt).not.toBeNull();
    await checkA11y(page, 'company-channels-decided');
    await screenshot(page, 'company-channels-decided');
  });

  it('shows the coded errors of the people page with their remedies; resets a TOTP, changes a role, revokes an invitation, removes a member', async () => {
    await page.goto(url('/company/people'));
    await expect.poll(h1).toBe('Users and invitations');
    const members = page.getByRole('table', { name: 'Members' });
    await members.locator('tr', { hasText: 'Jäsen' }).waitFor();
    // Requiring TOTP while the admin has no authenticator: TOTP_ENROLMENT_FIRST.
    await page.getByRole('button', { name: 'Require an authenticator code' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('TOTP_ENROLMENT_FIRST');
    expect(await alert.textContent()).toContain('What to do:');
    await checkA11y(page, 'company-people-error');
    await screenshot(page, 'company-people-error');
    // With an authenticator of their own (enrolled elsewhere), the admin requires TOTP, then stops requiring it.
    await enrolTotp(server.url, company.email, company.password);
    await page.getByRole('button', { name: 'Require an authenticator code' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('An authenticator code is now required.');
    expect((await apiCall(server.url, 'GET', `/organisations/${company.orgId}`, company.viewer)).body.requireTotp).toBe(true);
    await page.getByRole('button', { name: 'Stop requiring an authenticator code' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('An authenticator code is no longer required.');
    expect((await apiCall(server.url, 'GET', `/organisations/${company.orgId}`, company.viewer)).body.requireTotp).toBe(false);
    // The member's authenticator reset; a second reset has nothing to reset: STATE_CONFLICT.
    const row = members.locator('tr', { hasText: 'Jäsen' });
    for (const expected of ['was reset', 'STATE_CONFLICT']) {
      await row.getByRole('button', { name: 'Reset the authenticator of Jäsen' }).click();
      await row.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(async () => `${await page.getByRole('status').first().textContent()} ${await page.getByRole('alert').count() ? await alert.textContent() : ''}`).toContain(expected);
    }
    expect(await alert.textContent()).toContain('What to do:');
    const session = (await apiCall(server.url, 'POST', '/session', undefined, { email: member.email, password: member.password, tokenInBody: true })).body.sessionToken;
    expect((await apiCall(server.url, 'GET', '/me', session)).body.user.totpEnrolled).toBe(false);
    // Role change: the member's role select in the row.
    await row.getByRole('combobox', { name: 'Role of Jäsen' }).selectOption('viewer');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Jäsen is now Viewer');
    const listed = async () => (await apiCall(server.url, 'GET', orgPath('/members'), company.admin)).body.items as { email: string; role: string }[];
    expect((await listed()).find((m) => m.email === member.email)?.role).toBe('viewer');
    // Revoke the open invitation.
    const invitations = page.getByRole('table', { name: 'Invitations' });
    await invitations.getByRole('button', { name: 'Revoke invitation of avoin@laituri.test' }).click();
    await invitations.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => invitations.locator('tr', { hasText: 'avoin@laituri.test' }).textContent()).toContain('Revoked');
    // Remove the member.
    await row.getByRole('button', { name: 'Remove Jäsen' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Jäsen removed');
    expect((await listed()).map((m) => m.email)).toEqual([company.email]);
    await checkA11y(page, 'company-people-after');
    await screenshot(page, 'company-people-after');
  });

  it('shows the company pages in Finnish and Swedish', async () => {
    await page.goto(url('/company'));
    await expect.poll(h1).toBe('Dashboard');
    await page.getByRole('banner').getByLabel('Language').selectOption('fi');
    await expect.poll(h1).toBe('Yleiskatsaus');
    expect(await page.getByRole('navigation', { name: 'Päävalikko' }).textContent()).toContain('Tapahtumaloki');
    await checkA11y(page, 'company-dashboard-fi');
    await screenshot(page, 'company-dashboard-fi');
    await page.goto(url('/company/credentials'));
    await expect.poll(h1).toBe('Tunnukset');
    await page.getByRole('banner').getByLabel('Kieli').selectOption('sv');
    await expect.poll(h1).toBe('Inloggningsuppgifter');
    await checkA11y(page, 'company-credentials-sv');
    await page.getByRole('banner').getByLabel('Språk').selectOption('en');
    await expect.poll(h1).toBe('Credentials');
  });
});
