// The vault browser's time to interactive (issue 16), in Debian's chromium driven by playwright-core: a server
// (`vaultgate serve`, the built portal) with one company of 10,000 messages and, in the same run and server, a baseline
// company of 100. A viewer of each signs in; each round opens /portal/vault in a new tab with the HTTP cache disabled
// (CDP Network.setCacheDisabled: every script and style is fetched again) and measures, from navigation start
// (performance.timeOrigin), until the first page of rows is rendered (50 rows) and the filter responds (a character
// typed into "Channel id" is in the field): performance.now() in the page at that moment. Several rounds alternate
// the two vaults; the median of each and their ratio are printed. Also the JS and CSS bytes transferred for each main
// page (resource timing transferSize, cache disabled). Run: BENCH=portal npm run bench, or node bench/portal.mjs after
// npm run build. BENCH_PORTAL_MESSAGES (default 10000) and BENCH_PORTAL_ROUNDS (default 7) change the sizes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../dist/protocol/index.js';
import { adminCall, CLI, median, pinning, startProcess, stopProcess } from './lib.mjs';

const MESSAGES = Number(process.env.BENCH_PORTAL_MESSAGES ?? 10_000);
const BASELINE = 100;
const ROUNDS = Number(process.env.BENCH_PORTAL_ROUNDS ?? 7);
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'penkin oma pitkä salasana';

/** A company with a channel and `n` JSON messages of about 300 bytes, sent through signed-header ingestion, 16 at a time. */
async function seedCompany(url, token, businessId, n) {
  const a = (m, p, b) => adminCall(url, token, m, p, b);
  const co = await a('POST', '/companies', { name: `Bench ${businessId}`, businessId });
  const tp = await a('POST', '/parties', { name: `Vendor ${businessId}` });
  const pc = await a('POST', `/parties/${tp.id}/partner-credentials`);
  const cc = await a('POST', `/companies/${co.id}/customer-credentials`, { name: 'bench' });
  const ch = await a('POST', '/channels', { companyId: co.id, partyId: tp.id, messageTypes: [{ name: 'Invoice', mediaTypes: ['application/json'] }] });
  let next = 0;
  const send = async () => {
    while (next < n) {
      const i = next++;
      const now = Date.now();
      const input = {
        url: ch.url, sender: 'bench', customerId: cc.customerId, timestamp: formatMacTimestamp(now), language: 'EN', organisationId: businessId,
        transactionId: `portal-${i}-${randomBytes(6).toString('hex')}`, timestampUnix: String(Math.floor(now / 1000)), partnerKey: pc.partnerKey, customerKey: cc.customerKey,
      };
      const headers = buildMacHeaders(input, { partnerId: pc.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true });
      const res = await request(ch.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ invoice: i, total: i * 1.5, pad: 'x'.repeat(250) }) });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`ingest: ${body}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, send));
  return co.id;
}

/** A viewer of the organisation: invited by the operator token, accepted with a password. */
async function viewer(url, token, orgId, email) {
  const call = async (method, path, body, bearer) => {
    const res = await request(`${url}/api/v1${path}`, { method, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.body.json();
    if (res.statusCode >= 300) throw new Error(`${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const inv = await call('POST', `/organisations/${orgId}/invitations`, { email, role: 'viewer' }, token);
  await call('POST', `${new URL(inv.link).pathname.replace(/^\/api\/v1/, '')}/accept`, { displayName: 'Bench', password: PASSWORD });
  return email;
}

/** A signed-in browser context of `email` (through the portal's sign-in page). */
async function signedIn(base, email) {
  const dir = mkdtempSync(join(os.tmpdir(), 'vg-bench-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${base}/portal/sign-in`);
  await page.getByLabel('Email').first().fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
  await page.close();
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** One cold load of `path` in a new tab: ms from navigation start to interactive, and the JS/CSS bytes transferred. */
async function load(context, base, path, ready) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.goto(`${base}${path}`, { waitUntil: 'commit' });
  const ms = await ready(page);
  const bytes = await page.evaluate(() => {
    const out = { js: 0, css: 0 };
    for (const e of performance.getEntriesByType('resource')) {
      if (e.name.endsWith('.js')) out.js += e.transferSize;
      else if (e.name.endsWith('.css')) out.css += e.transferSize;
    }
    return out;
  });
  await page.close();
  return { ms, ...bytes };
}

/** The vault browser is interactive: 50 rows rendered (or all when fewer), and a key typed into the message-type filter shows. */
const vaultReady = (rows) => async (page) => {
  await page.locator(`table.vault-list tbody tr:nth-child(${rows})`).waitFor();
  // (The channel filter is a list of the organisation's channels; the message type is typed.)
  await page.locator('input[name="messageType"]').pressSequentially('c');
  await page.waitForFunction(() => document.querySelector('input[name="messageType"]')?.value === 'c');
  return page.evaluate(() => performance.now());
};
const headingReady = async (page) => {
  await page.locator('h1').waitFor();
  return page.evaluate(() => performance.now());
};

export async function benchPortal() {
  if (!existsSync(CHROMIUM)) {
    console.log(`portal: skipped (${CHROMIUM} is missing)`);
    return { name: 'portal', skipped: `${CHROMIUM} missing` };
  }
  const pin = pinning();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'vg-bench-portal-srv-'));
  const token = randomBytes(24).toString('base64url');
  const vg = await startProcess([process.env.BENCH_CLI ?? CLI, 'serve'], {
    VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_LOG_LEVEL: 'info', VAULTGATE_RETENTION_SWEEP_S: '0',
    VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0',
    // Seeding sends 10,000 messages as fast as it can: fair-use limits off (they are measured by BENCH=ingest).
    VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '0', VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: '0',
  }, pin.server);
  // The session cookie is __Host- and Secure: a browser keeps it over plain HTTP only for localhost.
  const base = vg.url.replace('127.0.0.1', 'localhost').replace('0.0.0.0', 'localhost');
  const browsers = [];
  let result;
  try {
    const t0 = performance.now();
    const big = await seedCompany(vg.url, token, '1967543-8', MESSAGES);
    const seedS = (performance.now() - t0) / 1000;
    const small = await seedCompany(vg.url, token, '2729069-3', BASELINE);
    const bigUser = await signedIn(base, await viewer(vg.url, token, big, 'big@bench.test'));
    const smallUser = await signedIn(base, await viewer(vg.url, token, small, 'small@bench.test'));
    browsers.push(bigUser, smallUser);
    const rounds = { big: [], small: [] };
    await load(bigUser.context, base, '/portal/vault', vaultReady(50)); // warm the server's statement caches alike
    await load(smallUser.context, base, '/portal/vault', vaultReady(50));
    for (let r = 0; r < ROUNDS; r++) {
      rounds.small.push(await load(smallUser.context, base, '/portal/vault', vaultReady(50)));
      rounds.big.push(await load(bigUser.context, base, '/portal/vault', vaultReady(50)));
    }
    const pages = {};
    for (const p of ['/portal/vault', '/portal/sharing', '/portal/sharing/reads', '/portal/shared', '/portal/account/profile']) {
      const { js, css } = await load(bigUser.context, base, p, headingReady);
      pages[p] = { jsBytes: js, cssBytes: css };
    }
    const tti = (xs) => +median(xs.map((x) => x.ms)).toFixed(0);
    result = {
      name: 'portal', messages: MESSAGES, baselineMessages: BASELINE, rounds: ROUNDS, seedS: +seedS.toFixed(1),
      ttiMs: tti(rounds.big), baselineTtiMs: tti(rounds.small), ratio: +(tti(rounds.big) / tti(rounds.small)).toFixed(2),
      ttiRoundsMs: rounds.big.map((x) => +x.ms.toFixed(0)), baselineRoundsMs: rounds.small.map((x) => +x.ms.toFixed(0)), pages,
      loadAverage: os.loadavg(),
    };
  } finally {
    for (const b of browsers) await b.close();
    await stopProcess(vg);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`portal vault browser, time to interactive (chromium, cache disabled, ${ROUNDS} rounds, median; ${pin.note}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
  console.log(`  ${MESSAGES} messages: ${result.ttiMs} ms (rounds ${result.ttiRoundsMs.join(', ')}; seeded in ${result.seedS} s)`);
  console.log(`  ${BASELINE} messages (baseline): ${result.baselineTtiMs} ms (rounds ${result.baselineRoundsMs.join(', ')})`);
  console.log(`  ratio: ${result.ratio}x`);
  for (const [p, b] of Object.entries(result.pages)) console.log(`  ${p.padEnd(24)} JS ${String(b.jsBytes).padStart(7)} B  CSS ${String(b.cssBytes).padStart(6)} B transferred`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPortal();
