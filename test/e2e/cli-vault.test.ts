import { execFile } from 'node:child_process';
import { readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import { adminCall, macCredentialEnv, CLI, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

const run = promisify(execFile);

describe('vault export and key commands through the CLI', () => {
  let srv: ServerProcess;
  let t: Tenant;
  let env: Record<string, string>;
  const dir = tempDir();
  const work = tempDir();
  const N = 120;
  beforeAll(async () => {
    srv = await spawnServer({ VAULTGATE_DATA_DIR: dir });
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    t = await createTenant((m, p, b) => adminCall(srv.url, token, m, p, b));
    for (let i = 0; i < N; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => macRequest({
        baseUrl: srv.url, target: `/ingestion/${t.channelId}`, creds: t.sender,
        body: JSON.stringify({ i: i + j, text: 'Jyväskylä '.repeat(50) }), headers: { 'content-type': 'application/json' },
      }).then((r) => expect(r.status, r.text).toBe(200))));
    }
    env = { PATH: process.env.PATH ?? '', VAULTGATE_URL: srv.url, VAULTGATE_DATA_DIR: dir, ...macCredentialEnv(t.reader) };
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const lines = (f: string): any[] => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('exports every message once, and an interrupted export resumes to the same file', async () => {
    const full = join(work, 'full.ndjson');
    const r = await run(process.execPath, [CLI, 'vault', 'export', '--out', full], { env });
    expect(r.stderr).toMatch(new RegExp(`${N} messages written`));
    // stderr is a pipe here, not a terminal: plain progress lines, no carriage-return redraws.
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(new RegExp(`^${N} exported {2}[\\d.]+/s\n`, 'm'));
    const all = lines(full);
    expect(all.map((m) => JSON.parse(m.body).i)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(new Set(all.map((m) => m.messageId)).size).toBe(N);

    // Cut the file in the middle of a line, as a killed export leaves it, and run the same command again.
    const cut = join(work, 'cut.ndjson');
    await run(process.execPath, [CLI, 'vault', 'export', '--out', cut], { env });
    truncateSync(cut, Math.floor(statSync(cut).size * 0.37));
    const again = await run(process.execPath, [CLI, 'vault', 'export', '--out', cut], { env });
    expect(again.stderr).toMatch(/resumed/);
    expect(readFileSync(cut, 'utf8')).toBe(readFileSync(full, 'utf8'));

    // Running it on a complete file adds nothing.
    await run(process.execPath, [CLI, 'vault', 'export', '--out', cut], { env });
    expect(lines(cut).length).toBe(N);
  });

  it('exports to stdout when --out is omitted: the same lines as the file', async () => {
    const r = await run(process.execPath, [CLI, 'vault', 'export'], { env, maxBuffer: 64 << 20 });
    expect(r.stdout).toBe(readFileSync(join(work, 'full.ndjson'), 'utf8'));
    expect(r.stderr).not.toContain('\r');
  });

  it('filters the export like the list route, and reports missing credentials', async () => {
    const out = join(work, 'filtered.ndjson');
    await run(process.execPath, [CLI, 'vault', 'export', '--out', out, '--channel-id', t.channelId, '--message-type', 'Nope'], { env });
    expect(lines(out)).toEqual([]);
    const bad = await run(process.execPath, [CLI, 'vault', 'export', '--out', out], { env: { PATH: env.PATH!, VAULTGATE_URL: srv.url } }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/missing credentials: --partner-id/);
    const wrong = await run(process.execPath, [CLI, 'vault', 'export', '--out', out], { env: { ...env, VAULTGATE_CUSTOMER_KEY: 'A'.repeat(64) } }).catch((e) => e);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/AUTHENTICATION_FAILED/);
  });

  it('rotates keys and deletes a company from the CLI', async () => {
    const vg = async (...a: string[]) => JSON.parse((await run(process.execPath, [CLI, 'admin', '--json', ...a], { env })).stdout);
    const before = await vg('keys', 'status');
    expect(before.source).toBe('file');
    const rotated = await vg('keys', 'rotate-master', '--new-key');
    expect(rotated.currentMasterKey).not.toBe(before.currentMasterKey);
    expect(rotated.previousMasterKeys).toEqual([]);
    expect(Object.keys(rotated.dataKeysByMasterKey)).toEqual([rotated.currentMasterKey]);
    const vaultKey = await vg('keys', 'rotate-vault', '--company', t.companyId);
    expect(vaultKey.dataKeyId).toMatch(/^dek_test_/);
    const out = join(work, 'after-rotation.ndjson');
    await run(process.execPath, [CLI, 'vault', 'export', '--out', out], { env });
    expect(lines(out).length).toBe(N);

    const refused = await run(process.execPath, [CLI, 'admin', 'company', 'delete', t.companyId, '--confirm', 'nope'], { env }).catch((e) => e);
    expect(refused.stderr).toMatch(/INVALID_REQUEST/);
    const deleted = await vg('company', 'delete', t.companyId, '--confirm', t.businessId);
    expect(deleted.deletedAt).toBeTruthy();
    expect(deleted.dataKeysDestroyed).toBe(2);
    const audit = await vg('audit', 'ls', '--tenant', t.companyId, '--action', 'company.');
    expect(audit.items.map((e: any) => e.action)).toEqual(['company.create', 'company.delete', 'company.keys-destroy', 'company.keys-destroy']);
    const keys = await vg('audit', 'ls', '--tenant', t.companyId, '--action', 'keys.');
    expect(keys.items.map((e: any) => e.details.stage)).toEqual(['started', 'done']);
    const sweep = await vg('retention', 'sweep');
    expect(sweep.purged).toBe(N);
  });
});
