import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

const run = promisify(execFile);

/** The README's loop, command by command: the admin CLI, then examples/send.mjs and examples/read.mjs. */
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

  it('registers, sends with the copy-paste example, and reads the same bytes back', async () => {
    const co = await vg('company', 'create', '--name', 'Demo Oy', '--business-id', '1967543-8');
    const tp = await vg('party', 'create', '--name', 'Vendor Ltd');
    writeFileSync(join(work, 'partner.json'), JSON.stringify(await vg('partner-credential', 'create', '--party', tp.id)));
    writeFileSync(join(work, 'sender.json'), JSON.stringify(await vg('customer-credential', 'create', '--company', co.id, '--name', 'sender', '--scope', 'ingest')));
    const reader = await vg('customer-credential', 'create', '--company', co.id, '--name', 'reader', '--scope', 'vault.read');
    expect(reader.scopes).toEqual(['vault.read']);
    writeFileSync(join(work, 'reader.json'), JSON.stringify(reader));
    const ch = await vg('channel', 'create', '--company', co.id, '--party', tp.id, '--message-type', 'TransportOrder=application/json');
    expect(ch.url).toBe(`${srv.url}/ingestion/${ch.id}`);

    const body = '{"order":"A-1","city":"Jyväskylä"}';
    const sent = await run(process.execPath, [join(REPO, 'examples/send.mjs'), ch.id, body], { env, cwd: work });
    const receipt = JSON.parse(sent.stdout.replace(/^200 /, ''));
    expect(receipt.messageId).toMatch(/^msg_test_/);
    const read = await run(process.execPath, [join(REPO, 'examples/read.mjs'), receipt.messageId], { env, cwd: work, encoding: 'buffer' });
    expect(read.stdout.toString('utf8')).toBe(`${body}\n`);
    const listed = await run(process.execPath, [join(REPO, 'examples/read.mjs')], { env, cwd: work });
    expect(JSON.parse(listed.stdout).items[0].messageId).toBe(receipt.messageId);

    const channels = await vg('channel', 'list', '--company', co.id);
    expect(channels.items.map((c: any) => c.id)).toEqual([ch.id]);
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
