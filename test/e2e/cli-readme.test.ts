import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

const run = promisify(execFile);

/** The README's loop, CLI and accounts sections run by bash as written (the admin CLI, examples/send.mjs and read.mjs, bulk sends, register and sign in). */
describe('README loop through the CLI and the examples', () => {
  let srv: ServerProcess;
  const dir = tempDir();
  const work = tempDir();
  let env: Record<string, string>;
  const vg = async (...args: string[]): Promise<any> => {
    const { stdout } = await run(process.execPath, [CLI, 'admin', '--json', ...args], { env, cwd: work });
    return JSON.parse(stdout);
  };
  beforeAll(async () => {
    srv = await spawnServer({ VAULTGATE_DATA_DIR: dir });
    env = { PATH: process.env.PATH ?? '', VAULTGATE_URL: srv.url, VAULTGATE_DATA_DIR: dir };
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the loop, the CLI and the accounts sections as written: keys into .vaultgate/, the example signs and reads, bulk sends, reads back, registers and signs in', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const blockAfter = (heading: string): string => /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))![1]!;
    const loop = blockAfter('## The loop, copy-paste');
    const cli = blockAfter('## Sending with the CLI');
    const accounts = blockAfter('## Accounts (people, organisations, sign-in)');
    // A fresh clone's root, as the blocks expect it: dist/ (built) and examples/, nothing else.
    symlinkSync(join(REPO, 'dist'), join(work, 'dist'));
    symlinkSync(join(REPO, 'examples'), join(work, 'examples'));
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${loop}\n${cli}\n${accounts}`], { env: { ...env, HOME: work }, cwd: work });

    // Every file the walkthrough wrote is under .vaultgate/, which the repository's .gitignore ignores.
    expect(readdirSync(work).sort()).toEqual(['.config', '.vaultgate', 'dist', 'examples']);
    for (const f of ['partner.json', 'sender.json', 'reader.json', 'order.json', 'orders/order-1.json', 'orders.ndjson', 'copy.json', 'vault.ndjson']) {
      expect(existsSync(join(work, '.vaultgate', f)), f).toBe(true);
      expect(await run('git', ['check-ignore', '-q', `.vaultgate/${f}`], { cwd: REPO }).then(() => true, () => false), `${f} is ignored`).toBe(true);
    }
    const receipt = JSON.parse(readFileSync(join(work, '.vaultgate/receipt.json'), 'utf8'));
    expect(receipt.messageId).toMatch(/^msg_test_/);
    expect(stdout).toContain('{"order":"A-1","city":"Jyväskylä"}\n'); // read.mjs printed the stored bytes
    expect(readFileSync(join(work, '.vaultgate/copy.json'), 'utf8')).toBe('{"order":"A-1","city":"Jyväskylä"}');
    expect(stdout).toMatch(/^3 sent, 0 already stored, 0 failed, of 3 in /m); // --dir
    expect(stdout.match(/^3 sent, 0 already stored, 0 failed, of 3 in /gm)).toHaveLength(2); // and --ndjson
    // send.mjs, stdin, order.json, three files, three lines: nine messages, exported once each.
    const exported = readFileSync(join(work, '.vaultgate/vault.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(exported).toHaveLength(9);
    expect(exported[0].messageId).toBe(receipt.messageId);
    expect(stdout).toContain('X-Netvisor-Authentication-MAC: ');
    // The accounts block: registered as its own company, approved by its captured id, signed in, shown, signed out.
    expect(stdout).toMatch(/^reg_test_\S+\s+pending\s+company\s+Tilitoimisto Oy\s+2617416-4/m);
    expect(stdout).toMatch(/^email\s+aino@example\.fi$/m);
    expect(stdout).toMatch(/^\S+\s+Tilitoimisto Oy\s+admin$/m);
    expect(stdout).toMatch(/^co_test_\S+\s+Tilitoimisto Oy\s+2617416-4\s+co_test_\S+\s+active\s+false\s/m); // admin organisations ls
  });

  it('prints tables without --json, reports API errors with their code and exits 1', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'admin', 'party', 'list'], { env });
    expect(stdout).toMatch(/^id\s+name\s+status/m);
    const bad = await run(process.execPath, [CLI, 'admin', 'company', 'create', '--name', 'X', '--business-id', '1967543-7'], { env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BUSINESS_ID_INVALID/);
    const usage = await run(process.execPath, [CLI, 'admin', 'channel', 'create', '--company', 'x'], { env }).catch((e) => e);
    expect(usage.code).toBe(2);
    const revoked = await vg('party', 'list');
    expect(revoked.items.length).toBe(1);
  });

  it('revokes credentials from the CLI', async () => {
    const tp = await vg('party', 'create', '--name', 'Other');
    const pc = await vg('partner-credential', 'create', '--party', tp.id);
    const off = await vg('partner-credential', 'disable', pc.partnerId);
    expect(off.status).toBe('disabled');
    const ch = await vg('channel', 'list');
    const disabled = await vg('channel', 'disable', ch.items[0].id);
    expect(disabled.status).toBe('disabled');
  });
});
