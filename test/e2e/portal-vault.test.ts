import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y, expectNoCspViolations, expectOnlyOrigins, launchBrowser, screenshot, skipBrowser, tabTo, type PortalBrowser,
} from '../helpers/browser.js';
import { macRequest } from '../helpers/mac-request.js';
import { personIn, type TestPerson } from '../helpers/people.js';
import { PORTAL_ADMIN_TOKEN, startPortalServer, type PortalServer } from '../helpers/portal-server.js';
import { adminCall, createTenant, type Tenant } from '../helpers/servers.js';

/*
 * The vault browser in a real browser (issue 16): messages of five kinds (JSON, XML, CSV, text, binary) sent through
 * real ingestion (signed headers) into two channels; the list filtered by channel, type and received time (the filter
 * in the URL: Back restores it), cursor pages; each kind opened (highlighted JSON/XML, CSV as a table, text, no preview
 * for binary) and downloaded (the exact bytes sent, Playwright's download); the export of a filtered set with its
 * progress, counted against the API; a coded error with its remedy. axe and a screenshot per page; no request outside
 * the server, no CSP violation. Needs `npm run build` and /usr/bin/chromium.
 */

interface Sent { id: string; body: Buffer; contentType: string; type: string; channelId: string }

describe.skipIf(skipBrowser())('portal vault browser in chromium', () => {
  let server: PortalServer;
  let browser: PortalBrowser;
  let page: Page;
  let tenant: Tenant;
  let channel2: string;
  let reader: TestPerson;
  let mid: Date;
  const sent: Sent[] = [];

  const ingest = async (channelId: string, type: string, contentType: string, body: Buffer): Promise<Sent> => {
    const res = await macRequest({ baseUrl: server.url, target: `/ingestion/${channelId}`, creds: tenant.sender, body, headers: { 'content-type': contentType, 'x-message-type': type } });
    if (res.status !== 200) throw new Error(`ingest ${contentType}: ${res.text}`);
    const s = { id: res.json().messageId as string, body, contentType, type, channelId };
    sent.push(s);
    return s;
  };
  const apiList = async (query: Record<string, string>): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ ...query, limit: '1000', ...(cursor ? { cursor } : {}) });
      const res = await fetch(`${server.url}/vault/v1/messages?${q}`, { headers: { authorization: `Bearer ${reader.session}` } });
      const page = await res.json() as { items: { messageId: string }[]; nextCursor: string | null };
      ids.push(...page.items.map((m) => m.messageId));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  };

  beforeAll(async () => {
    server = await startPortalServer();
    const admin = (m: 'GET' | 'POST', p: string, b?: unknown) => adminCall(server.url, PORTAL_ADMIN_TOKEN, m, p, b);
    tenant = await createTenant(admin, {
      businessId: '1967543-8',
      messageTypes: [
        { name: 'Invoice', mediaTypes: ['application/json', 'application/xml'] },
        { name: 'Report', mediaTypes: ['text/csv', 'text/plain'] },
        { name: 'Scan', mediaTypes: ['application/octet-stream'] },
      ],
    });
    const ch2 = await admin('POST', '/channels', { companyId: tenant.companyId, partyId: tenant.partyId, messageTypes: [{ name: 'Invoice', mediaTypes: ['application/json'] }] });
    if (ch2.status !== 201) throw new Error(JSON.stringify(ch2.body));
    channel2 = ch2.body.id;
    await ingest(tenant.channelId, 'Invoice', 'application/json', Buffer.from(JSON.stringify({ invoice: 'INV-1', total: 1250.5, lines: [{ sku: 'A-1', qty: 2 }] })));
    await ingest(tenant.channelId, 'Invoice', 'application/xml', Buffer.from('<?xml version="1.0"?><Invoice id="INV-2"><Total>99.90</Total></Invoice>'));
    await ingest(tenant.channelId, 'Report', 'text/csv', Buffer.from('product,quantity,price\nKahvi,3,4.50\n"Tee, vihreä",1,3.20\n'));
    await ingest(tenant.channelId, 'Report', 'text/plain', Buffer.from('Rahtikirja 42: toimitettu perille.\n'));
    await ingest(tenant.channelId, 'Scan', 'application/octet-stream', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0x00]), randomBytes(2048)]));
    await sleep(1_100);
    mid = new Date(Date.now() - Date.now() % 1000 + 1000);
    await sleep(mid.getTime() - Date.now() + 10);
    await ingest(channel2, 'Invoice', 'application/json', Buffer.from('{"invoice":"INV-3"}'));
    await ingest(channel2, 'Invoice', 'application/json', Buffer.from('{"invoice":"INV-4"}'));
    for (let i = 0; i < 50; i++) await ingest(tenant.channelId, 'Report', 'text/plain', Buffer.from(`muistiinpano ${i}\n`));
    reader = await personIn(server.url, PORTAL_ADMIN_TOKEN, tenant.companyId, 'lukija@yritys.test', 'viewer');
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`${server.url}/portal/sign-in`);
    await page.getByLabel('Email').first().fill(reader.email);
    await page.getByLabel('Password').fill(reader.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(() => {
    expectOnlyOrigins(browser, [server.origin]);
    expectNoCspViolations(browser);
  });

  const rows = () => page.locator('table.vault-list tbody tr');
  const rowIds = async () => (await rows().locator('td:first-child').allTextContents()).map((s) => s.trim());
  const shownIds = async (n: number) => {
    await expect.poll(() => rows().count()).toBe(n);
    return rowIds();
  };

  it('lists one page of the vault, pages on with the cursor, and filters by channel, type and time (in the URL; Back restores)', async () => {
    await page.goto(`${server.url}/portal/vault`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Vault');
    const all = await apiList({});
    expect(all).toHaveLength(57);
    expect(await shownIds(50)).toEqual(all.slice(0, 50));
    await checkA11y(page, 'vault');
    await screenshot(page, 'vault');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    expect(await shownIds(7)).toEqual(all.slice(50));
    await page.getByRole('button', { name: 'First page' }).click();
    expect(await shownIds(50)).toEqual(all.slice(0, 50));

    // Channel.
    // A select of the organisation's channels (not a free-text id).
    const channelFilter = page.getByLabel('Channel id');
    await expect.poll(() => channelFilter.evaluate((e) => e.tagName)).toBe('SELECT');
    const options = await channelFilter.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['', tenant.channelId, channel2]));
    await channelFilter.selectOption(channel2);
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.waitForURL(new RegExp(`channelId=${channel2}`));
    expect(await shownIds(2)).toEqual(await apiList({ channelId: channel2 }));
    // Type, by keyboard only: Tab to the field, type, Enter submits.
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await expect.poll(() => rows().count()).toBe(50);
    await page.locator('h1').click();
    await tabTo(page, /^Message type$/);
    await page.keyboard.type('Invoice');
    await page.keyboard.press('Enter');
    await page.waitForURL(/messageType=Invoice/);
    const invoices = await apiList({ messageType: 'Invoice' });
    expect(invoices).toHaveLength(4);
    expect(await shownIds(4)).toEqual(invoices);
    // Received time (local time in the browser, to the second): only what came at or after `mid`.
    const p = (n: number) => String(n).padStart(2, '0');
    const local = `${mid.getFullYear()}-${p(mid.getMonth() + 1)}-${p(mid.getDate())}T${p(mid.getHours())}:${p(mid.getMinutes())}:${p(mid.getSeconds())}`;
    await page.getByLabel('Received from').fill(local);
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.waitForURL(/from=/);
    const later = await apiList({ messageType: 'Invoice', from: mid.toISOString() });
    expect(later).toEqual(sent.filter((s) => s.channelId === channel2).map((s) => s.id));
    expect(await shownIds(2)).toEqual(later);
    expect(new URL(page.url()).searchParams.get('from')).toBe(mid.toISOString());
    await checkA11y(page, 'vault-filtered');
    await screenshot(page, 'vault-filtered');
    // Back: the type filter alone again.
    await page.goBack();
    expect(await shownIds(4)).toEqual(invoices);
    expect(await page.getByLabel('Received from').inputValue()).toBe('');
  });

  const openMessage = async (s: Sent) => {
    await page.goto(`${server.url}/portal/vault?messageType=${s.type}`);
    await page.getByRole('button', { name: `Open ${s.id}` }).click();
    await page.getByRole('heading', { name: `Message ${s.id}` }).waitFor();
    await page.getByRole('link', { name: 'Download the original' }).waitFor();
  };
  const download = async (s: Sent) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the original' }).click()]);
    expect(readFileSync((await d.path())!)).toEqual(s.body);
    return d.suggestedFilename();
  };
  const kind = (contentType: string) => sent.find((s) => s.contentType === contentType && s.channelId === tenant.channelId)!;

  it('opens each kind: metadata, highlighted JSON and XML, CSV as a table, text, no preview for binary; downloads the exact bytes', async () => {
    const json = kind('application/json');
    await openMessage(json);
    const facts = await page.locator('dl.facts').textContent();
    for (const v of [json.id, tenant.channelId, 'Invoice', 'application/json', tenant.partyId]) expect(facts).toContain(v);
    expect(facts).toContain((await import('node:crypto')).createHash('sha256').update(json.body).digest('hex'));
    expect(await page.locator('pre.vault-preview code.hljs .hljs-attr').first().textContent()).toBe('"invoice"');
    expect(await page.locator('pre.vault-preview').textContent()).toContain('"total": 1250.5');
    // The highlight.js theme (a stylesheet of the bundle, loaded with the preview) colours the keys: no inline style.
    const colours = await page.evaluate(() => [getComputedStyle(document.querySelector('.hljs-attr')!).color, getComputedStyle(document.querySelector('pre.vault-preview')!).color]);
    expect(colours[0]).not.toBe(colours[1]);
    expect(await page.locator('pre.vault-preview [style]').count()).toBe(0);
    await checkA11y(page, 'vault-message-json');
    await screenshot(page, 'vault-message-json');
    expect(await download(json)).toBe(`Invoice-${json.id}.json`);

    const xml = kind('application/xml');
    await openMessage(xml);
    expect(await page.locator('pre.vault-preview code.hljs .hljs-tag').count()).toBeGreaterThan(0);
    expect(await download(xml)).toBe(`Invoice-${xml.id}.xml`);

    const csv = kind('text/csv');
    await openMessage(csv);
    const table = page.getByRole('table', { name: `Contents of ${csv.id}` });
    expect(await table.locator('thead th').allTextContents()).toEqual(['product', 'quantity', 'price']);
    expect(await table.locator('tbody tr').nth(1).locator('td').allTextContents()).toEqual(['Tee, vihreä', '1', '3.20']);
    await checkA11y(page, 'vault-message-csv');
    await screenshot(page, 'vault-message-csv');
    expect(await download(csv)).toBe(`Report-${csv.id}.csv`);

    const text = kind('text/plain');
    await openMessage(text);
    expect(await page.locator('pre.vault-preview').textContent()).toBe(text.body.toString('utf8'));
    expect(await download(text)).toBe(`Report-${text.id}.txt`);

    const bin = kind('application/octet-stream');
    await openMessage(bin);
    expect(await page.locator('.vault-message .warning').textContent()).toContain('No preview for this media type');
    expect(await page.locator('pre.vault-preview').count()).toBe(0);
    await checkA11y(page, 'vault-message-binary');
    expect(await download(bin)).toBe(`Scan-${bin.id}.bin`);
  });

  it('exports the filtered set with progress, and saves it as a file of exactly those messages', async () => {
    await page.goto(`${server.url}/portal/vault?messageType=Report`);
    await expect.poll(() => rows().count()).toBe(50);
    const expected = await apiList({ messageType: 'Report' });
    // The progress (a <progress> named Export, with messages and bytes so far) shows while the stream runs.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: string[] };
      w.sawProgress = [];
      new MutationObserver(() => {
        const p = document.querySelector('progress[aria-label="Export"]');
        if (p) w.sawProgress.push(p.parentElement!.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Export the filtered messages' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Export complete' });
    await status.waitFor();
    expect(await status.textContent()).toContain(`Export complete: ${expected.length} messages`);
    const seen = await page.evaluate(() => (window as unknown as { sawProgress: string[] }).sawProgress);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatch(/\d+ messages, \d+ bytes so far/);
    await checkA11y(page, 'vault-export');
    await screenshot(page, 'vault-export');
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Save the export/ }).click()]);
    expect(d.suggestedFilename()).toMatch(/^vault-export-.*\.ndjson$/);
    const lines = readFileSync((await d.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.pop()).toEqual({ complete: true, count: expected.length });
    expect(lines.map((l) => l.messageId)).toEqual(expected);
  });

  it('shows a refused filter as the coded error with its remedy', async () => {
    await page.goto(`${server.url}/portal/vault?from=yesterday`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/Code: [A-Z_]+/);
    const text = (await alert.textContent())!;
    expect(text).toContain('What to do:');
    await checkA11y(page, 'vault-error');
    await screenshot(page, 'vault-error');
  });
});
