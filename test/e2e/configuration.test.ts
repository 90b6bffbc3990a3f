import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { formatMacTimestamp } from '../../src/protocol/index.js';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { adminCall, CLI, createTenant, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

const run = promisify(execFile);
const dirs: string[] = [];
const started: ServerProcess[] = [];
const dir = (): string => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
const start = async (env: Record<string, string>): Promise<ServerProcess> => {
  const s = await spawnServer(env);
  started.push(s);
  return s;
};
afterAll(async () => {
  for (const s of started) s.child.kill('SIGTERM');
  await Promise.all(started.map((s) => s.exited));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('vaultgate serve configuration', () => {
  it('stops with exit code 78 and lists every problem', async () => {
    const r = await run(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH ?? '', VAULTGATE_PORT: 'x', VAULTGATE_ENVIRONMENT: 'prod', VAULTGATE_DATA_DIR: dir() } }).catch((e) => e);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/Invalid configuration/);
    expect(r.stderr).toMatch(/VAULTGATE_PORT: must be a whole number/);
    expect(r.stderr).toMatch(/VAULTGATE_ENVIRONMENT: must be one of live, uat, test/);
  });

  it('refuses plain HTTP on a public address in live, and starts behind a declared TLS proxy', async () => {
    const d = dir();
    const r = await run(process.execPath, [CLI, 'serve', '--environment', 'live', '--host', '0.0.0.0', '--port', '0'], { env: { PATH: process.env.PATH ?? '', VAULTGATE_DATA_DIR: d } }).catch((e) => e);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/refused in live/);
    const s = await start({ VAULTGATE_DATA_DIR: d, VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_HOST: '0.0.0.0', VAULTGATE_TRUST_PROXY: '127.0.0.1', VAULTGATE_PUBLIC_URL: 'https://vaultgate.example.com' });
    expect(s.logs()).toMatch(/"code":"UNSAFE_MASTER_KEY_IN_DATA_DIR"/);
    // Behind the trusted proxy, the client address in the log comes from X-Forwarded-For.
    await rawRequest({ method: 'GET', url: `${s.url}/healthz`, headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' } });
    await new Promise((r2) => setTimeout(r2, 100));
    expect(s.logs()).toMatch(/"remoteAddress":"203\.0\.113\.7"/);
  });

  it('ignores X-Forwarded-For when no proxy is declared', async () => {
    const s = await start({ VAULTGATE_DATA_DIR: dir() });
    await rawRequest({ method: 'GET', url: `${s.url}/healthz`, headers: { 'x-forwarded-for': '203.0.113.9' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(s.logs()).not.toMatch(/203\.0\.113\.9/);
    expect(s.logs()).toMatch(/"remoteAddress":"127\.0\.0\.1"/);
  });

  it('generates the admin token once into the data dir with mode 0600 and prints where, not what', async () => {
    const d = dir();
    const s = await start({ VAULTGATE_DATA_DIR: d });
    const file = join(d, 'admin-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'master.key')).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(s.logs()).toContain(file);
    expect(s.logs()).not.toContain(token);
    s.child.kill('SIGTERM');
    await s.exited;
    const again = await start({ VAULTGATE_DATA_DIR: d });
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect((await adminCall(again.url, token, 'GET', '/companies')).status).toBe(200);
  });

  it('uses VAULTGATE_ADMIN_TOKEN when set, writing no token file', async () => {
    const d = dir();
    const token = 'T'.repeat(48);
    const s = await start({ VAULTGATE_DATA_DIR: d, VAULTGATE_ADMIN_TOKEN: token });
    expect(existsSync(join(d, 'admin-token'))).toBe(false);
    expect((await adminCall(s.url, token, 'GET', '/parties')).status).toBe(200);
    expect((await adminCall(s.url, 'x'.repeat(48), 'GET', '/parties')).status).toBe(401);
  });

  it('issues ids of its environment and refuses ids of another with ENVIRONMENT_MISMATCH', async () => {
    const d = dir();
    const token = 'U'.repeat(48);
    const s = await start({ VAULTGATE_DATA_DIR: d, VAULTGATE_ENVIRONMENT: 'uat', VAULTGATE_ADMIN_TOKEN: token });
    const t = await createTenant((m, p, b) => adminCall(s.url, token, m, p, b));
    expect(t.companyId).toMatch(/^co_uat_/);
    expect(t.channelId).toMatch(/^ch_uat_/);
    expect(t.sender.partnerId).toMatch(/^pid_uat_/);
    const other = t.channelId.replace('ch_uat_', 'ch_test_');
    const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${other}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
    expect(r.json().code).toBe('ENVIRONMENT_MISMATCH');
    expect((await adminCall(s.url, token, 'GET', `/channels/${other}`)).body.code).toBe('ENVIRONMENT_MISMATCH');
  });

  it('with VAULTGATE_MAC_TIMESTAMP_WINDOW_S=0 accepts an old timestamp and warns at startup', async () => {
    const d = dir();
    const token = 'W'.repeat(48);
    const s = await start({ VAULTGATE_DATA_DIR: d, VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '0', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_MAX_BODY_BYTES: '16' });
    expect(s.logs()).toMatch(/"code":"UNSAFE_TIMESTAMP_CHECK_OFF"/);
    const t = await createTenant((m, p, b) => adminCall(s.url, token, m, p, b));
    const old = Date.now() - 3 * 86_400_000;
    const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' }, timestampMs: old, timestamp: formatMacTimestamp(old) });
    expect(r.status, r.text).toBe(200);
    const big = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{"x":"0123456789"}', headers: { 'content-type': 'application/json' } });
    expect(big.json().code).toBe('BODY_TOO_LARGE');
  });
});
