import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, CLI, createTenant, REPO, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

const run = promisify(execFile);
const onPath = (tool: string): boolean => (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, tool)));
/** The README block uses bash, jq and curl, as the README says; without them it cannot run as written. */
const missingTools = ['bash', 'jq', 'curl'].filter((t) => !onPath(t));

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
    // The README's loop before this section (run by cli-readme.test.ts), through the API to save process starts.
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const t = await createTenant((method, path, body) => adminCall(srv.url, token, method, path, body), { messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });
    ids = { CO: t.companyId, TP: t.partyId, CH: t.channelId };
    mkdirSync(join(work, '.vaultgate')); // the loop's `mkdir -p .vaultgate`
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it.skipIf(missingTools.length > 0)(`runs the README bearer section: create clients, fetch tokens, send, read back, decode${missingTools.length ? ` (skipped: ${missingTools.join(', ')} not installed)` : ''}`, async () => {
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

    // The section's second block: profiles of the clients, then send, vault and postman with them.
    const second = [...section.matchAll(/```sh\n([\s\S]*?)```/g)][1]![1]!;
    const home = { ...env, ...ids, HOME: work };
    const out = (await run('bash', ['-c', `set -euo pipefail\nvg() { node ${JSON.stringify(CLI)} "$@"; }\nURL=${srv.url}\n${second}`], { env: home, cwd: work })).stdout;
    const erp = JSON.parse(readFileSync(join(work, '.vaultgate/erp.json'), 'utf8'));
    expect(out).toContain(erp.clientId);
    expect(out).not.toContain(erp.clientSecret);
    expect(out).toContain('"transactionId": "order-A-3"');
    expect(out).toContain('"transactionId": "order-A-2"');
    const env2 = JSON.parse(readFileSync(join(work, `.vaultgate/postman-oauth/${ids.CH}.postman_environment.json`), 'utf8'));
    expect(env2.values.find((v: any) => v.key === 'clientSecret').value).toBe(erp.clientSecret);
  });

  it('prints the secret once with a notice, refuses a wrong secret with invalid_client, rotates the signing key', async () => {
    const created = await run(process.execPath, [CLI, 'admin', 'client', 'create', '--party', ids.TP, '--name', 'plain'], { env });
    expect(created.stdout).toMatch(/clientSecret\s+vgs_/);
    expect(created.stderr).toMatch(/shown once/);
    const id = /clientId\s+(\S+)/.exec(created.stdout)![1]!;
    const bad = await run(process.execPath, [CLI, 'token', '--client-id', id, '--client-secret', 'vgs_wrong'], { env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_client/);
    const rotated = await vg('token-keys', 'rotate');
    const jwks = await (await fetch(`${srv.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.map((k: any) => k.kid)).toEqual([rotated.kid, expect.stringMatching(/^sk_test_/)]);
  });
});
