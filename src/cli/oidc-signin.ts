/**
 * `vaultgate account signin --oidc`: sign-in through an OpenID Connect provider for a native app (RFC 8252). The CLI
 * listens on a loopback address (127.0.0.1, a port the system picks; §7.3), prints the URL to open, and waits. The
 * server runs the provider flow and, instead of setting a cookie, sends the browser to the loopback with a sealed
 * handoff; the CLI exchanges it, with the verifier whose SHA-256 it gave at the start (so a handoff seen elsewhere,
 * e.g. in the browser's history, is useless), for its session token (POST /api/v1/session/oidc/handoff).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { api } from './account-commands.js';
import { ApiError, retryAfterOf } from './admin-client.js';

const PAGE = (text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Vaultgate</title></head><body><p>${text}</p></body></html>`;

export async function oidcSignIn(url: string, o: { email?: string | undefined; provider?: string | undefined; timeoutMs: number; acceptLanguage?: string | undefined }): Promise<{ user: Record<string, unknown>; expiresAt: string; sessionToken: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const redirect = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const q = new URLSearchParams({ ...(o.email ? { email: o.email } : {}), ...(o.provider ? { provider: o.provider } : {}), cliRedirect: redirect, cliChallenge: challenge });
  const start = `${url.replace(/\/+$/, '')}/api/v1/session/oidc?${q}`;
  try {
    // Asked once here so that an unknown provider or an unreachable one is reported in the terminal, not the browser.
    const probe = await fetch(start, { redirect: 'manual', headers: { accept: 'application/json', ...(o.acceptLanguage ? { 'accept-language': o.acceptLanguage } : {}) } })
      .catch((err: Error & { cause?: Error }) => { throw new Error(`Cannot reach ${url}: ${err.cause?.message ?? err.message}`); });
    if (probe.status !== 302) throw new ApiError(probe.status, (await probe.json().catch(() => ({}))) as Record<string, unknown>, retryAfterOf(probe));
    const handoff = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sign-in within ${Math.round(o.timeoutMs / 1000)} s (the browser shows why, if it got to the provider)`)), o.timeoutMs);
      server.on('request', (req, res) => {
        const got = new URL(req.url ?? '/', redirect);
        const h = got.pathname === '/callback' ? got.searchParams.get('handoff') : null;
        if (!h) {
          res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE('Not a Vaultgate sign-in.'));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE('Signed in to Vaultgate: you can close this tab and return to the terminal.'));
        clearTimeout(timer);
        resolve(h);
      });
      process.stderr.write(`Open this address in your browser to sign in:\n\n  ${start}\n\nWaiting for the sign-in …\n`);
    });
    return await api(url, 'POST', '/session/oidc/handoff', { acceptLanguage: o.acceptLanguage, body: { handoff, verifier } });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
