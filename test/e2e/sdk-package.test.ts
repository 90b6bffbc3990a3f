import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/servers.js';

const exec = promisify(execFile);

/** Imports the module in a fresh node process that records every native addon loaded (process.dlopen). */
const PROBE = (specifier: string) => `
const loaded = [];
const dlopen = process.dlopen;
process.dlopen = (module, file, ...rest) => { loaded.push(file); return dlopen.call(process, module, file, ...rest); };
const sdk = await import(${JSON.stringify(specifier)});
const client = new sdk.VaultgateClient({ baseUrl: 'http://127.0.0.1:9', credentials: { partnerId: 'p', partnerKey: 'k', customerId: 'c', customerKey: 'k', organisationId: '1967543-8' } });
await client.close();
const headers = sdk.signRequest({ partnerId: 'p', partnerKey: 'k', customerId: 'c', customerKey: 'k', organisationId: '1967543-8' }, 'https://h/x');
console.log(JSON.stringify({ loaded, exports: Object.keys(sdk).sort(), mac: headers['X-Netvisor-Authentication-MAC'].length }));
`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

// undici; http-message-signatures and structured-headers (pure JavaScript) for RFC 9421 signing and RFC 9530 digests.
const DEPENDENCIES = ['undici', 'http-message-signatures', 'structured-headers'];

describe('the SDK installs on its own', () => {
  const project = tempDir('vg-sdk-consumer-');
  const pkg = join(project, 'node_modules/@vaultgate/sdk');

  beforeAll(async () => {
    mkdirSync(join(project, 'node_modules/@vaultgate'), { recursive: true });
    await exec(process.execPath, [join(REPO, 'scripts/pack-sdk.mjs'), pkg]);
    // The dependencies, as npm would install them beside the package.
    for (const dep of DEPENDENCIES) symlinkSync(join(REPO, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('@vaultgate/sdk: ESM with types, undici and the two body-integrity libraries its only dependencies, imports nothing outside them', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@vaultgate/sdk', type: 'module', exports: { '.': { types: './sdk/index.d.ts', import: './sdk/index.js' } } });
    expect(Object.keys(manifest.dependencies)).toEqual(DEPENDENCIES);
    // jose only for private_key_jwt: an optional peer, so a plain install stays free of it.
    expect(manifest.peerDependencies).toEqual({ jose: expect.any(String) });
    expect(manifest.peerDependenciesMeta).toEqual({ jose: { optional: true } });
    const js = files(pkg).filter((f) => f.endsWith('.js'));
    expect(js.map((f) => relative(pkg, f))).toContain('sdk/index.js');
    expect(files(pkg).some((f) => f.endsWith('sdk/index.d.ts'))).toBe(true);
    const bare = new Set<string>();
    for (const f of js) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)) {
        if (!m[1]!.startsWith('.')) bare.add(m[1]!);
      }
    }
    expect([...bare].filter((s) => !s.startsWith('node:')).sort()).toEqual([...DEPENDENCIES].sort());
  });

  it('imports in a consumer project and loads no native module', async () => {
    writeFileSync(join(project, 'probe.mjs'), PROBE('@vaultgate/sdk'));
    const r = JSON.parse((await exec(process.execPath, [join(project, 'probe.mjs')], { cwd: project })).stdout);
    expect(r.loaded).toEqual([]);
    expect(r.exports).toEqual(expect.arrayContaining(['VaultgateClient', 'VaultgateApiError', 'signRequest', 'exportVaultToFile']));
    expect(r.mac).toBe(64);
  });

  it('is also vaultgate/sdk (the exports map of the main package), again without native modules', async () => {
    const r = JSON.parse((await exec(process.execPath, ['--input-type=module', '-e', PROBE('vaultgate/sdk')], { cwd: REPO })).stdout);
    expect(r.loaded).toEqual([]);
    expect(r.exports).toContain('VaultgateClient');
  });
});
