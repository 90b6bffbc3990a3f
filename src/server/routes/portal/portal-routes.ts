import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VaultgateError } from '../../../protocol/index.js';
import { errorResponses } from '../schemas.js';

/*
 * The web portal (issue 16): the single-page application Vite builds into dist/portal, served under /portal/ by this
 * server (no CDN). Hashed assets (/portal/assets/*) are cached for a year as immutable; index.html and every other
 * path under /portal/ (the SPA fallback: the portal routes in the browser) are `no-cache`. The build writes each text
 * file precompressed beside itself (`.br`, `.gz`: vite.config.ts); the answer is the one the request's
 * Accept-Encoding prefers (br, then gzip, else the file itself) with its Content-Encoding and `Vary: Accept-Encoding`,
 * so nothing is compressed per request and a file without a compressed copy is sent as it is. Every answer carries a
 * strict Content-Security-Policy (no inline script or style, no third-party origin). The portal has no route of its
 * own beyond these files: it talks to /api/v1 and /vault/v1 like any client.
 */

/**
 * The policy of every portal answer. `img-src data:` is for the TOTP enrolment QR code (rendered to a data: URL in
 * the browser); scripts, styles and connections are same-origin only.
 */
export const PORTAL_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
  "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PORTAL_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export const ASSET_CACHE = 'public, max-age=31536000, immutable';

/**
 * dist/portal, found relative to this file: dist/server/routes/portal/ when compiled, or src/server/routes/portal/
 * when the server runs from source (tests), where the built portal is still <repo>/dist/portal.
 */
export function defaultPortalDir(): string {
  const tree = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
  return basename(tree) === 'src' ? resolve(tree, '../dist/portal') : resolve(tree, 'portal');
}

export interface PortalRoutesOptions {
  /** The built portal (index.html + assets/); default defaultPortalDir(). */
  dir?: string | undefined;
}

const html = { type: 'string', description: 'The portal (text/html).' } as const;

export function portalRoutes(o: PortalRoutesOptions = {}) {
  const root = resolve(o.dir ?? defaultPortalDir());
  /** The file under root a URL path names, when it is a regular file there (never outside root). */
  const fileOf = (rel: string): string | undefined => {
    const p = resolve(root, rel);
    if (!p.startsWith(root + sep)) return undefined;
    try {
      return statSync(p).isFile() ? p.slice(root.length + 1) : undefined;
    } catch {
      return undefined;
    }
  };
  const built = (): void => {
    if (!existsSync(join(root, 'index.html'))) throw new VaultgateError('PORTAL_NOT_BUILT', { detail: `No index.html in ${basename(root)}.` });
  };
  const sendIndex = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', root);

  return async (app: FastifyInstance): Promise<void> => {
    // serve: false — only reply.sendFile (send: ETag, Last-Modified, ranges, no traversal); the routes are ours.
    // preCompressed: sendFile picks <file>.br or <file>.gz by Accept-Encoding and adds Vary: Accept-Encoding.
    await app.register(fastifyStatic, { root, serve: false, cacheControl: false, index: false, preCompressed: true });
    app.addHook('onRequest', async (req: FastifyRequest, reply) => {
      if (req.url === '/portal' || req.url.startsWith('/portal/') || req.url.startsWith('/portal?')) reply.headers(PORTAL_HEADERS);
    });

    app.get('/', {
      schema: { tags: ['portal'], summary: 'Redirects to the web portal (/portal/)', response: { 302: { type: 'null', description: 'Location: /portal/' }, ...errorResponses(404) } },
    }, async (_req, reply) => reply.code(302).header('location', '/portal/').send());
    app.get('/portal', {
      schema: { tags: ['portal'], summary: 'Redirects to /portal/', response: { 302: { type: 'null', description: 'Location: /portal/' }, ...errorResponses(404) } },
    }, async (_req, reply) => reply.code(302).header('location', '/portal/').send());
    app.get('/portal/', {
      schema: { tags: ['portal'], summary: 'The web portal (index.html; Cache-Control: no-cache)', response: { 200: html, ...errorResponses(404, 503) } },
    }, async (_req, reply) => {
      built();
      return sendIndex(reply);
    });
    app.get('/portal/*', {
      schema: {
        tags: ['portal'],
        summary: 'A file of the web portal: hashed assets under /portal/assets/ (cached a year, immutable); any other path that is no file answers index.html (the portal routes in the browser)',
        response: { 200: html, ...errorResponses(404, 503) },
      },
    }, async (req, reply) => {
      built();
      const rel = decodeURIComponent((req.params as { '*': string })['*']);
      const file = fileOf(rel);
      if (rel.startsWith('assets/')) {
        if (!file) throw new VaultgateError('NOT_FOUND', { detail: `No portal asset ${rel}.` });
        return reply.header('cache-control', ASSET_CACHE).sendFile(file, root);
      }
      if (file) return reply.header('cache-control', 'no-cache').sendFile(file, root);
      return sendIndex(reply);
    });
  };
}
