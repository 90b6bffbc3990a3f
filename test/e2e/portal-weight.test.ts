import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * The portal's weight (issue 16), over a real socket against dist/portal as `npm run build` writes it:
 * - the build writes every text asset precompressed (`.br`, `.gz`) and the server answers the encoding the request's
 *   Accept-Encoding prefers, with Content-Encoding and `Vary: Accept-Encoding`, the year-long immutable cache of hashed
 *   assets and the portal headers kept; br, gzip and identity answers carry the same bytes once decoded;
 * - the entry chunk (what the sign-in page and every page load first) holds no page code and none of the heavy
 *   libraries: uPlot, qrcode, highlight.js and papaparse are each only in the chunks that use them.
 * undici's request does not decode bodies, so the test sees the bytes on the wire.
 */

const DIST = join(REPO, 'dist/portal');
const ASSETS = join(DIST, 'assets');
const ASSET_CACHE = 'public, max-age=31536000, immutable';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

const decode = (a: Answer): Buffer => {
  const enc = a.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(a.body);
  if (enc === 'gzip') return gunzipSync(a.body);
  expect(enc).toBeUndefined();
  return a.body;
};

/** The entry script of index.html and every chunk it imports statically (what loads before any page chunk). */
function entryGraph(): string[] {
  const index = readFileSync(join(DIST, 'index.html'), 'utf8');
  const entry = /<script[^>]+src="\/portal\/assets\/([\w.-]+\.js)"/.exec(index)![1]!;
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const code = readFileSync(join(ASSETS, f), 'utf8');
    // Static imports only (`import … from"./x.js"`, `import"./x.js"`); `import("./x.js")` is a lazy chunk.
    for (const m of code.matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) visit(m[1]!);
  };
  visit(entry);
  return [...seen];
}

describe('the portal, precompressed and split', () => {
  let server: TestServer;
  const get = async (path: string, acceptEncoding?: string): Promise<Answer> => {
    const res = await request(`${server.url}${path}`, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('the build writes a .br and a .gz beside every script, style sheet and index.html, each smaller than the file', () => {
    const files = ['index.html', ...readdirSync(ASSETS).filter((f) => /\.(js|css)$/.test(f)).map((f) => `assets/${f}`)];
    expect(files.length).toBeGreaterThan(10);
    let compressed = 0;
    for (const f of files) {
      const raw = readFileSync(join(DIST, f));
      for (const [ext, dec] of [['.br', brotliDecompressSync], ['.gz', gunzipSync]] as const) {
        // The plugin skips a file compression would not shrink (a few hundred bytes); every larger one has both.
        if (!existsSync(join(DIST, f + ext))) {
          expect(raw.length, `${f}${ext} missing`).toBeLessThan(1024);
          continue;
        }
        const packed = readFileSync(join(DIST, f + ext));
        expect(packed.length, `${f}${ext}`).toBeLessThan(raw.length);
        expect(dec(packed).equals(raw), `${f}${ext} decodes to ${f}`).toBe(true);
        compressed++;
      }
    }
    expect(compressed).toBeGreaterThan(files.length);
  });

  it('answers each hashed asset as br, gzip or identity by Accept-Encoding: same bytes decoded, Vary, immutable cache', async () => {
    const assets = readdirSync(ASSETS).filter((f) => /\.(js|css)$/.test(f) && existsSync(join(ASSETS, `${f}.br`)));
    expect(assets.some((f) => f.endsWith('.css'))).toBe(true);
    for (const f of assets) {
      const raw = readFileSync(join(ASSETS, f));
      const cases: [string | undefined, string | undefined][] = [
        ['gzip, deflate, br, zstd', 'br'], // Chromium's header: br preferred
        ['br', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
        ['identity', undefined],
        [undefined, undefined], // no Accept-Encoding: the file as it is
      ];
      for (const [accept, expected] of cases) {
        const a = await get(`/portal/assets/${f}`, accept);
        const what = `${f} (accept-encoding: ${accept ?? 'none'})`;
        expect(a.status, what).toBe(200);
        expect(a.headers['content-encoding'], what).toBe(expected);
        expect(String(a.headers.vary).toLowerCase(), what).toContain('accept-encoding');
        expect(a.headers['cache-control'], what).toBe(ASSET_CACHE);
        expect(a.headers['content-type'], what).toMatch(f.endsWith('.js') ? /^text\/javascript|^application\/javascript/ : /^text\/css/);
        expect(a.headers['content-security-policy'], what).toMatch(/^default-src 'none'/);
        expect(Number(a.headers['content-length']), what).toBe(a.body.length);
        if (expected) expect(a.body.length, what).toBeLessThan(raw.length);
        expect(decode(a).equals(raw), `${what} decodes to the built file`).toBe(true);
      }
    }
  });

  it('answers index.html (and the SPA fallback) compressed too, no-cache, the same page decoded', async () => {
    const index = readFileSync(join(DIST, 'index.html'));
    for (const path of ['/portal/', '/portal/sign-in', '/portal/company/people']) {
      for (const accept of ['br', 'gzip', 'identity']) {
        const a = await get(path, accept);
        expect(a.status).toBe(200);
        expect(a.headers['content-encoding']).toBe(accept === 'identity' ? undefined : accept);
        expect(a.headers['content-type']).toMatch(/^text\/html/);
        expect(a.headers['cache-control']).toBe('no-cache');
        expect(String(a.headers.vary).toLowerCase()).toContain('accept-encoding');
        expect(decode(a).equals(index), `${path} ${accept}`).toBe(true);
      }
    }
    // An unknown asset stays a coded NOT_FOUND whatever the encoding asked for.
    const missing = await get('/portal/assets/nothing-12345678.js', 'br');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).code).toBe('NOT_FOUND');
  });

  it('keeps page code and the heavy libraries out of the entry: each is in the chunk that uses it', () => {
    const entry = entryGraph();
    const entryCode = entry.map((f) => readFileSync(join(ASSETS, f), 'utf8')).join('\n');
    const chunks = readdirSync(ASSETS).filter((f) => f.endsWith('.js'));
    const holding = (marker: string) => chunks.filter((f) => readFileSync(join(ASSETS, f), 'utf8').includes(marker));
    // A marker string each library carries in its code.
    const libraries = { uPlot: 'u-legend', highlightJs: 'hljs', papaparse: '__parsed_extra', qrcode: 'Kanji' };
    for (const [lib, marker] of Object.entries(libraries)) {
      expect(entryCode.includes(marker), `${lib} is not in the entry`).toBe(false);
      const where = holding(marker);
      expect(where.length, `${lib} is in a chunk of its own users`).toBeGreaterThan(0);
      for (const f of where) expect(entry, `${lib}'s chunk ${f} is loaded lazily`).not.toContain(f);
    }
    // Page chunks (one per page, named after its file) are not in the entry either.
    for (const page of ['sign-in', 'profile', 'dashboard', 'vault-browser', 'owner-grants', 'send-message', 'webhooks', 'health']) {
      const chunk = chunks.find((f) => new RegExp(`^${page}-[\\w-]{8}\\.js$`).test(f));
      expect(chunk, `a chunk for ${page}`).toBeDefined();
      expect(entry).not.toContain(chunk);
    }
  });
});
