// The portal's weight (issue 16): the JS and CSS each main page transfers, in Debian's chromium driven by
// playwright-core. A server (`vaultgate serve`, its built portal) gets a company (its admin), a software vendor (its
// admin) and an operator (TOTP enrolled) through the API; each signs in through the portal's sign-in page. Each page
// is then opened in a new tab with the HTTP cache disabled (CDP Network.setCacheDisabled: every script and style is
// fetched again) and, once its <h1> shows and the network is idle, the resource timing entries of the .js and .css
// files are summed: encodedBodySize (bytes of the body on the wire, compressed when the server compressed it),
// decodedBodySize (after decoding) and the number of files. Chromium sends `Accept-Encoding: gzip, deflate, br, zstd`.
// Before/after in the same run: BENCH_PORTAL_BEFORE=<a dist/ built from another commit> measures that build too
// (its own server, the same pages and people). Run: BENCH=portal-weight npm run bench (or BENCH=portal, which runs
// the vault browser's timing too), or node bench/portal-weight.mjs after npm run build.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { URI } from 'otpauth';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { CLI, startProcess, stopProcess } from './lib.mjs';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'penkin oma pitkä salasana';

/** The pages measured: who opens it (null: signed out) and its path under /portal. */
export const WEIGHT_PAGES = [
  { name: 'sign-in', who: null, path: '/sign-in' },
  { name: 'profile', who: 'company', path: '/account/profile' },
  { name: 'company dashboard', who: 'company', path: '/company' },
  { name: 'vault browser', who: 'company', path: '/vault' },
  { name: 'sharing', who: 'company', path: '/sharing' },
  { name: 'vendor send-test-message', who: 'vendor', path: '/vendor/send' },
  { name: 'data-user webhooks', who: 'company', path: '/data-user/webhooks' },
  { name: 'operator health', who: 'operator', path: '/operator/health' },
];

async function api(url, method, path, bearer, body) {
  const res = await request(`${url}/api/v1${path}`, {
    method, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  const json = text ? JSON.parse(text) : undefined;
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return json;
}

/** An approved organisation of `kind` with its admin `email` (registration, then the operator token's approval). */
async function organisation(url, token, kind, email, businessId) {
  const reg = await api(url, 'POST', '/registrations', undefined, {
    kind, organisationName: `Bench ${kind}`, ...(businessId ? { businessId } : {}), email, displayName: 'Bench', password: PASSWORD,
  });
  await api(url, 'POST', `/admin/registrations/${reg.id}/approve`, token);
  return { email };
}

/** An operator user with TOTP enrolled; returns how to make its codes. */
async function operator(url, token, email) {
  await api(url, 'POST', '/admin/operators', token, { email, displayName: 'Bench Operator', password: PASSWORD });
  const session = (await api(url, 'POST', '/session', undefined, { email, password: PASSWORD, tokenInBody: true })).sessionToken;
  const started = await api(url, 'POST', '/me/totp', session, {});
  const otp = URI.parse(started.otpauthUri);
  await api(url, 'POST', '/me/totp/confirm', session, { code: otp.generate() });
  await api(url, 'DELETE', '/session', session);
  return { email, code: () => otp.generate({ timestamp: Date.now() + 30_000 }) };
}

async function browser() {
  const dir = mkdtempSync(join(os.tmpdir(), 'vg-bench-weight-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function signIn(context, base, who) {
  const page = await context.newPage();
  await page.goto(`${base}/portal/sign-in`);
  await page.getByLabel('Email').first().fill(who.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (who.code) {
    await page.getByLabel('One-time code').fill(who.code());
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
  await page.close();
}

/** One cold load of a page (cache disabled): JS and CSS bytes (encoded on the wire and decoded) and file counts. */
async function weigh(context, base, path) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.goto(`${base}/portal${path}`);
  await page.locator('h1').first().waitFor();
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  const landed = new URL(page.url()).pathname;
  const out = await page.evaluate(() => {
    const o = { jsEncoded: 0, jsDecoded: 0, jsFiles: 0, cssEncoded: 0, cssDecoded: 0, cssFiles: 0 };
    for (const e of performance.getEntriesByType('resource')) {
      const kind = new URL(e.name).pathname.endsWith('.js') ? 'js' : new URL(e.name).pathname.endsWith('.css') ? 'css' : undefined;
      if (!kind) continue;
      o[`${kind}Encoded`] += e.encodedBodySize;
      o[`${kind}Decoded`] += e.decodedBodySize;
      o[`${kind}Files`]++;
    }
    return o;
  });
  await page.close();
  if (landed !== `/portal${path}`) throw new Error(`${path}: landed on ${landed}`);
  return out;
}

/** Every page of WEIGHT_PAGES on a fresh server started from `cli` (a dist/cli/main.js). */
async function measureBuild(cli) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'vg-bench-weight-srv-'));
  const token = randomBytes(24).toString('base64url');
  const vg = await startProcess([cli, 'serve'], {
    VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_LOG_LEVEL: 'info', VAULTGATE_RETENTION_SWEEP_S: '0',
    VAULTGATE_REGISTRATION_AUTO_APPROVE: 'false', VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0',
  });
  // The session cookie is __Host- and Secure: a browser keeps it over plain HTTP only for localhost.
  const base = vg.url.replace('127.0.0.1', 'localhost').replace('0.0.0.0', 'localhost');
  const people = {
    company: await organisation(vg.url, token, 'company', 'company@bench.test', '1967543-8'),
    vendor: await organisation(vg.url, token, 'party', 'vendor@bench.test'),
    operator: await operator(vg.url, token, 'operator@bench.test'),
  };
  const browsers = {};
  try {
    const pages = {};
    for (const p of WEIGHT_PAGES) {
      const key = p.who ?? 'signedOut';
      if (!browsers[key]) {
        browsers[key] = await browser();
        if (p.who) await signIn(browsers[key].context, base, people[p.who]);
      }
      pages[p.name] = await weigh(browsers[key].context, base, p.path);
    }
    return pages;
  } finally {
    for (const b of Object.values(browsers)) await b.close();
    await stopProcess(vg);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const kb = (n) => (n / 1000).toFixed(1).padStart(6);

export async function benchPortalWeight() {
  if (!existsSync(CHROMIUM)) {
    console.log(`portal weight: skipped (${CHROMIUM} is missing)`);
    return { name: 'portal-weight', skipped: `${CHROMIUM} missing` };
  }
  const builds = { after: process.env.BENCH_CLI ?? CLI };
  if (process.env.BENCH_PORTAL_BEFORE) builds.before = resolve(process.env.BENCH_PORTAL_BEFORE, 'cli/main.js');
  const result = { name: 'portal-weight', builds: {}, loadAverage: os.loadavg() };
  for (const [label, cli] of Object.entries(builds)) result.builds[label] = await measureBuild(cli);
  console.log('portal weight: JS and CSS per page, chromium, cache disabled (kB = 1000 B; encoded = body bytes on the wire):');
  for (const p of WEIGHT_PAGES) {
    const cells = Object.entries(result.builds).map(([label, pages]) => {
      const w = pages[p.name];
      return `${label}: JS ${kb(w.jsEncoded)} kB (${kb(w.jsDecoded)} decoded, ${w.jsFiles} files)  CSS ${kb(w.cssEncoded)} kB (${kb(w.cssDecoded)}, ${w.cssFiles})`;
    });
    console.log(`  ${p.name.padEnd(26)} ${cells.join('  |  ')}`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchPortalWeight()));
