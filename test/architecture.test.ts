import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/servers.js';

/** Which internal packages each package may import (STYLE.md: protocol ← store ← server, protocol ← sdk ← cli). */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  store: ['protocol'],
  server: ['protocol', 'store'],
  sdk: ['protocol'],
  cli: ['protocol', 'server', 'sdk'],
  // The web portal talks to the server over HTTP only (/api/v1, /vault/v1): no internal import at all.
  portal: [],
};
// structured-headers (RFC 9651 parsing) and http-message-signatures (RFC 9421) are pure libraries, no I/O: the
// body-integrity checks of issue 17 live in protocol so that the server and the SDK share them.
const NODE_ONLY_IN_PROTOCOL = /^(node:(crypto|buffer)|structured-headers|http-message-signatures)$/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(p) && !/\.test\.tsx?$/.test(p) ? [p] : [];
  });
}

describe('dependency direction', () => {
  const src = join(REPO, 'src');
  for (const pkg of Object.keys(ALLOWED)) {
    it(`${pkg} imports only ${ALLOWED[pkg]!.join(', ') || 'itself'}`, () => {
      const bad: string[] = [];
      for (const file of existsSync(join(src, pkg)) ? sources(join(src, pkg)) : []) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
          const spec = m[1]!;
          if (spec.startsWith('.')) {
            const target = relative(src, join(file, '..', spec)).split('/')[0]!;
            if (target !== pkg && !ALLOWED[pkg]!.includes(target)) bad.push(`${relative(REPO, file)} → ${spec}`);
          } else if (pkg === 'protocol' && !NODE_ONLY_IN_PROTOCOL.test(spec)) {
            bad.push(`${relative(REPO, file)} → ${spec} (protocol is pure: node:crypto and node:buffer only)`);
          } else if (pkg === 'portal' && spec.startsWith('node:') && !file.endsWith('vite.config.ts')) {
            // (vite.config.ts is the build's configuration: it runs in Node, never in the browser)
            bad.push(`${relative(REPO, file)} → ${spec} (the portal runs in the browser: web APIs only)`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('routes never touch SQL and services never touch Fastify', () => {
    const bad: string[] = [];
    for (const file of sources(join(src, 'server/routes'))) {
      if (/better-sqlite3|\bSELECT\b|\bINSERT\b/.test(readFileSync(file, 'utf8'))) bad.push(relative(REPO, file));
    }
    for (const file of sources(join(src, 'server/services'))) {
      if (/from ['"]fastify/.test(readFileSync(file, 'utf8'))) bad.push(relative(REPO, file));
    }
    expect(bad).toEqual([]);
  });

  it('only main.ts chooses a storage adapter, and only config reads process.env', () => {
    const bad: string[] = [];
    for (const file of sources(join(src, 'server'))) {
      const text = readFileSync(file, 'utf8');
      if (/openSqliteStore\(/.test(text) && !file.endsWith('server/main.ts')) bad.push(relative(REPO, file));
      if (/process\.env/.test(text)) bad.push(`${relative(REPO, file)} reads process.env`);
    }
    expect(bad).toEqual([]);
  });
});
