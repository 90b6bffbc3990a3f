import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import { adminCall, macCredentialEnv, businessIds, CLI, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

const run = promisify(execFile);

/** `vaultgate vault feed` as a process: NDJSON items, a cursor file that resumes across runs, --follow. */
describe('vault feed through the CLI', () => {
  let srv: ServerProcess;
  let t: Tenant;
  let env: Record<string, string>;
  const dir = tempDir();
  const work = tempDir();
  const send = async (i: number): Promise<string> => {
    const r = await macRequest({ baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } });
    expect(r.status, r.text).toBe(200);
    return r.json().messageId;
  };
  const sent: string[] = [];

  beforeAll(async () => {
    srv = await spawnServer({ VAULTGATE_DATA_DIR: dir });
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    t = await createTenant((m, p, b) => adminCall(srv.url, token, m, p, b), { businessId: businessIds(4300000, 1)[0]! });
    for (let i = 0; i < 3; i++) sent.push(await send(i));
    env = { PATH: process.env.PATH ?? '', VAULTGATE_URL: srv.url, ...macCredentialEnv(t.reader) };
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const items = (stdout: string): any[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('prints items as NDJSON and, with --cursor-file, goes on after the last batch on the next run', async () => {
    const file = join(work, 'cursor');
    const first = await run(process.execPath, [CLI, 'vault', 'feed', '--limit', '2', '--cursor-file', file, '--inline'], { env });
    expect(items(first.stdout).map((i) => i.message.messageId)).toEqual(sent.slice(0, 2));
    expect(items(first.stdout)[0]).toMatchObject({ type: 'message.received', companyId: t.companyId, body: '{"i":0}' });
    expect(first.stderr).toContain('next cursor: ');
    const saved = readFileSync(file, 'utf8').trim();
    expect(first.stderr).toContain(saved);
    const second = await run(process.execPath, [CLI, 'vault', 'feed', '--cursor-file', file], { env });
    expect(items(second.stdout).map((i) => i.message.messageId)).toEqual([sent[2]]);
    const third = await run(process.execPath, [CLI, 'vault', 'feed', '--cursor-file', file], { env });
    expect(third.stdout).toBe('');
  });

  it('--follow prints new messages as they arrive; killed and started again, it resumes after what it printed', async () => {
    const file = join(work, 'follow-cursor');
    const follow = () => {
      const child = spawn(process.execPath, [CLI, 'vault', 'feed', '--follow', '--wait', '5', '--cursor-file', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const until = async (n: number): Promise<any[]> => {
        const deadline = Date.now() + 10_000;
        while (items(out).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        return items(out);
      };
      return { child, exited, until };
    };
    const a = follow();
    expect((await a.until(3)).map((i) => i.message.messageId)).toEqual(sent);
    sent.push(await send(3));
    expect((await a.until(4)).map((i) => i.message.messageId)).toEqual(sent);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);

    sent.push(await send(4));
    const b = follow();
    expect((await b.until(1)).map((i) => i.message.messageId)).toEqual([sent[4]]);
    b.child.kill('SIGTERM');
    await b.exited;
  });
});
