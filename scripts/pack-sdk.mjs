#!/usr/bin/env node
/**
 * Lays out the SDK as its own package, `@vaultgate/sdk`, from the build (dist/sdk + dist/protocol, which it imports):
 * ESM with type declarations; undici, and for body integrity (issue 17) http-message-signatures and structured-headers
 * (pure JavaScript) its dependencies; no native module. `npm run pack:sdk [outDir]` writes it to
 * dist-sdk/ (default); `cd dist-sdk && npm pack` makes the tarball to publish or `npm install` elsewhere.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(repo, 'dist-sdk'));
const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const dir of ['sdk', 'protocol']) {
  cpSync(join(repo, 'dist', dir), join(out, dir), { recursive: true, filter: (f) => !/\.test\.(js|d\.ts)(\.map)?$/.test(f) });
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify({
  name: '@vaultgate/sdk',
  version: root.version,
  description: 'Vaultgate client SDK: send messages into ingestion channels (MAC-signed or bearer), read a vault. No native modules.',
  license: root.license,
  type: 'module',
  engines: root.engines,
  exports: { '.': { types: './sdk/index.d.ts', import: './sdk/index.js' } },
  types: './sdk/index.d.ts',
  dependencies: {
    undici: root.dependencies.undici,
    'http-message-signatures': root.dependencies['http-message-signatures'],
    'structured-headers': root.dependencies['structured-headers'],
  },
  // Only private_key_jwt client authentication loads jose (a dynamic import); install it to use that.
  peerDependencies: { jose: root.dependencies.jose },
  peerDependenciesMeta: { jose: { optional: true } },
}, null, 2)}\n`);
writeFileSync(join(out, 'README.md'), '# @vaultgate/sdk\n\nThe Vaultgate client SDK. See the Vaultgate README, section "SDK".\n');
process.stdout.write(`${out}\n`);
