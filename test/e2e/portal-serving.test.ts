import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { NO_THROTTLE, REPO, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

/*
 * The web portal's static serving over a real socket (issue 16): dist/portal as `npm run build` writes it, the CSP
 * and the other security headers on every portal answer, a year of immutable cache for hashed assets, no-cache for
 * index.html and the SPA fallback, / → /portal/, and a coded problem when the portal is not built.
 */

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function expectPortalHeaders(res: Response): void {
  expect(res.headers.get('content-security-policy')).toBe(CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
}

describe('the portal served under /portal/', () => {
  let server: TestServer;
  const index = readFileSync(join(REPO, 'dist/portal/index.html'), 'utf8');
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('answers index.html with no-cache and the CSP; the built page has no inline script or style', async () => {
    const res = await fetch(`${server.url}/portal/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectPortalHeaders(res);
    const body = await res.text();
    expect(body).toBe(index);
    // Every <script> loads a same-origin file; no inline code, no style attribute, no third-party URL.
    for (const m of body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m[1]).toMatch(/src="\/portal\/assets\/[^"]+\.js"/);
      expect(m[2]!.trim()).toBe('');
    }
    expect(body).not.toMatch(/style=|<style|https?:\/\//);
  });

  it('serves hashed assets for a year, immutable; an unknown asset is NOT_FOUND, not the page', async () => {
    const assets = [...index.matchAll(/\/portal\/assets\/[\w.-]+\.(?:js|css)/g)].map((m) => m[0]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const a of assets) {
      expect(a).toMatch(/-[\w-]{8}\.(js|css)$/);
      const res = await fetch(`${server.url}${a}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(a.endsWith('.js') ? /javascript/ : /text\/css/);
      expectPortalHeaders(res);
    }
    const missing = await fetch(`${server.url}/portal/assets/nothing-12345678.js`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('NOT_FOUND');
    expectPortalHeaders(missing);
  });

  it('answers index.html for any other path under /portal/ (the routes in the browser), never a file outside', async () => {
    for (const path of ['/portal/sign-in', '/portal/account/profile', '/portal/invitations/vgi_x', '/portal/company?x=1']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectPortalHeaders(res);
      expect(await res.text()).toBe(index);
    }
    // A traversal out of dist/portal is the page, not the file (fetch would normalise the dots, so send them encoded).
    const res = await fetch(`${server.url}/portal/..%2f..%2fpackage.json`);
    expect(await res.text()).not.toContain('"name": "vaultgate"');
  });

  it('redirects / and /portal to /portal/', async () => {
    for (const path of ['/', '/portal']) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toBe('/portal/');
    }
  });

  it('sends a browser opening a mailed link (invitation, password reset) to the portal page for it', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const inv = await fetch(`${server.url}/api/v1/invitations/vgi_someinvitation`, { headers: html, redirect: 'manual' });
    expect(inv.status).toBe(302);
    expect(inv.headers.get('location')).toBe('/portal/invitations/vgi_someinvitation');
    // An API client still gets the answer (here: the link is unknown).
    const json = await fetch(`${server.url}/api/v1/invitations/vgi_someinvitation`);
    expect(json.status).toBe(404);
    expect((await json.json()).code).toBe('INVITATION_INVALID');
    const reset = await fetch(`${server.url}/api/v1/password-reset/vgr_somereset`, { headers: html, redirect: 'manual' });
    expect(reset.status).toBe(302);
    expect(reset.headers.get('location')).toBe('/portal/password-reset/vgr_somereset');
  });

  it('leaves the APIs without the portal headers', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

describe('the portal when it is missing or turned off', () => {
  const started: { server: RunningServer; dir: string }[] = [];
  afterAll(async () => {
    for (const s of started) {
      await s.server.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
  const start = async (env: Record<string, string>, portalDir?: string) => {
    const dir = tempDir();
    const server = await startServer({ env: { VAULTGATE_DATA_DIR: dir, VAULTGATE_PORT: '0', VAULTGATE_LOG_LEVEL: 'silent', ...NO_THROTTLE, ...env } }, portalDir ? { portalDir } : {});
    started.push({ server, dir });
    return server;
  };

  it('answers PORTAL_NOT_BUILT (503, with its remedy) when dist/portal has no index.html', async () => {
    const server = await start({}, join(REPO, 'dist', 'no-portal-here'));
    for (const path of ['/portal/', '/portal/sign-in']) {
      const res = await fetch(`${server.url}${path}`, { headers: { 'accept-language': 'fi' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = await res.json();
      expect(body.code).toBe('PORTAL_NOT_BUILT');
      expect(body.remedy).toContain('npm run build');
      expectPortalHeaders(res);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('serves neither /portal/ nor the / redirect with VAULTGATE_PORTAL=false', async () => {
    const server = await start({ VAULTGATE_PORTAL: 'false' });
    expect((await fetch(`${server.url}/portal/`)).status).toBe(404);
    expect((await fetch(`${server.url}/`, { redirect: 'manual' })).status).toBe(404);
    const inv = await fetch(`${server.url}/api/v1/invitations/vgi_someinvitation`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(inv.status).toBe(404);
    // Only POST is there for the reset link without the portal (405 METHOD_NOT_ALLOWED, not a redirect).
    expect((await fetch(`${server.url}/api/v1/password-reset/vgr_somereset`, { redirect: 'manual' })).status).toBe(405);
  });
});
