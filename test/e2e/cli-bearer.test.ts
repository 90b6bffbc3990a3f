import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

const run = promisify(execFile);

/** The README's bearer section, run as written by bash, and the client/token commands on their own. */
describe('bearer tokens from the CLI and the README', () => {
  let srv: ServerProcess;
  const dir = tempDir();
  const work = tempDir();
  let env: Record<string, string>;
  let ids: { CO: string; TP: string; CH: string };
  const vg = async (...args: string[]): Promise<any> => JSON.parse((await run(process.execPath, [CLI, 'admin', '--json', ...args], { env, cwd: work })).stdout);
  beforeAll(async () => {
    srv = await spawnServer({ VAULTGATE_DATA_DIR: dir });
    env = { PATH: process.env.PATH ?? '', VAULTGATE_URL: srv.url, VAULTGATE_DATA_DIR: dir };
    const co = await vg('company', 'create', '--name', 'Demo Oy', '--business-id', '1967543-8');
    const tp = await vg('party', 'create', '--name', 'Vendor Ltd');
    const ch = await vg('channel', 'create', '--company', co.id, '--party', tp.id, '--message-type', 'TransportOrder=application/json');
    ids = { CO: co.id, TP: tp.id, CH: ch.id };
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the README bearer section: create clients, fetch tokens, send, read back, decode', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Bearer tokens'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const script = `set -euo pipefail\nvg() { node ${JSON.stringify(CLI)} "$@"; }\n${block}`;
    const { stdout } = await run('bash', ['-c', script], { env: { ...env, ...ids }, cwd: work });
    const lines = stdout.trim().split('\n');
    const receipt = JSON.parse(lines[0]!);
    expect(receipt).toMatchObject({ channelId: ids.CH, transactionId: 'order-A-2' });
    expect(JSON.parse(lines[1]!).items.map((m: any) => m.messageId)).toEqual([receipt.messageId]);
    const decoded = JSON.parse(lines.slice(2).join('\n'));
    expect(decoded.header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decoded.claims).toMatchObject({ roles: ['vault.read'], env: 'test', aud: srv.url, iss: srv.url });
    expect(decoded.expiresIn).toBe(3599);
  });

  it('prints the secret once with a notice, refuses a wrong secret with invalid_client, rotates and lists signing keys', async () => {
    const created = await run(process.execPath, [CLI, 'admin', 'client', 'create', '--party', ids.TP, '--name', 'plain'], { env });
    expect(created.stdout).toMatch(/clientSecret\s+vgs_/);
    expect(created.stderr).toMatch(/shown once/);
    const id = /clientId\s+(\S+)/.exec(created.stdout)![1]!;
    const shown = await vg('client', 'get', id);
    expect(shown.clientSecret).toBeUndefined();
    const bad = await run(process.execPath, [CLI, 'token', '--client-id', id, '--client-secret', 'vgs_wrong'], { env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_client/);
    const rotated = await vg('token-keys', 'rotate');
    const keys = await vg('token-keys', 'list');
    expect(keys.items[0]).toMatchObject({ kid: rotated.kid, current: true });
    expect(keys.items.length).toBe(2);
  });
});
