/**
 * Configuration through the real CLI: `vaultgate serve` with environment variables, a config file and flags.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatMacTimestamp } from '../../src/protocol/index.js';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { adminOf, connectionRefused, logLines, ProcessPool, runCli, type AdminFn } from '../helpers/processes.js';
import { adminCall, createTenant, type ServerProcess } from '../helpers/servers.js';

const pool = new ProcessPool();
afterAll(() => pool.cleanup());

const tokenAdmin = (url: string, token: string): AdminFn => (m, p, b) => adminCall(url, token, m, p, b);
const stop = async (s: ServerProcess): Promise<void> => {
  s.child.kill('SIGTERM');
  expect(await s.exited).toBe(0);
};

describe('vaultgate serve refuses a bad configuration', () => {
  it('exits 78 listing every problem with its variable, and starts nothing', async () => {
    const dataDir = join(pool.dir(), 'never-created');
    const r = await runCli(['serve'], {
      VAULTGATE_DATA_DIR: dataDir,
      VAULTGATE_PORT: 'eighty',
      VAULTGATE_ENVIRONMENT: 'production',
      VAULTGATE_PUBLIC_URL: 'ftp://files.example.com',
      VAULTGATE_ADMIN_TOKEN: 'short',
      VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '-1',
      VAULTGATE_MAX_BODY_BYTES: '0',
      VAULTGATE_PROT: '8080',
    });
    expect(r.code).toBe(78);
    expect(r.stdout).not.toMatch(/LISTENING/);
    expect(r.stderr).toMatch(/^vaultgate: Invalid configuration:/);
    for (const line of [
      'VAULTGATE_PORT: must be a whole number',
      'VAULTGATE_ENVIRONMENT: must be one of live, uat, test',
      'VAULTGATE_PUBLIC_URL: must be an http:// or https:// URL',
      'VAULTGATE_ADMIN_TOKEN: must be at least 32 characters',
      'VAULTGATE_MAC_TIMESTAMP_WINDOW_S: must be between 0 and 86400',
      'VAULTGATE_MAX_BODY_BYTES: must be between 1 and',
      'VAULTGATE_PROT: unknown setting',
    ]) expect(r.stderr).toContain(`  - ${line}`);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(7);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reports an unknown VAULTGATE_ variable on its own (a typo is not silently ignored)', async () => {
    const r = await runCli(['serve'], { VAULTGATE_DATA_DIR: pool.dir(), VAULTGATE_PORT: '0', VAULTGATE_DATADIR: '/tmp/elsewhere' });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/ {2}- VAULTGATE_DATADIR: unknown setting \(known: .*VAULTGATE_DATA_DIR/);
  });

  it('in live, refuses plain HTTP on 0.0.0.0 without TLS or a proxy, and starts behind a declared proxy', async () => {
    const dataDir = pool.dir();
    const live = { VAULTGATE_DATA_DIR: dataDir, VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_HOST: '0.0.0.0', VAULTGATE_PORT: '0', VAULTGATE_PUBLIC_URL: 'https://vaultgate.example.com' };
    const refused = await runCli(['serve'], live);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain('  - VAULTGATE_HOST: plain HTTP on the non-loopback address 0.0.0.0 is refused in live');
    expect(existsSync(join(dataDir, 'vaultgate.db'))).toBe(false);

    const s = await pool.spawn({ ...live, VAULTGATE_TRUST_PROXY: '127.0.0.1' });
    const listening = logLines(s).find((l) => l.code === 'LISTENING')!;
    expect(listening.environment).toBe('live');
    expect(listening.publicUrl).toBe('https://vaultgate.example.com');
    // The proxy terminates TLS and says so (X-Forwarded-Proto: https); live refuses what did not come over TLS.
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect((await adminCall(s.url, token, 'GET', '/companies')).body.code).toBe('HTTPS_REQUIRED');
    const t = await createTenant((m, p, b) => adminCall(s.url, token, m, p, b, { 'x-forwarded-proto': 'https' }));
    expect(t.channelId).toMatch(/^ch_live_/);
    expect(t.channelUrl).toBe(`https://vaultgate.example.com/ingestion/${t.channelId}`);
    // The proxy forwards to us; the client signed the public URL.
    const sent = await macRequest({
      baseUrl: s.url, target: `/ingestion/${t.channelId}`, signedUrl: t.channelUrl, creds: t.sender, body: '{"live":1}',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.json().messageId).toMatch(/^msg_live_/);
    await stop(s);
  });
});

describe('precedence through the CLI: file < environment < flags', () => {
  it('takes each setting from the highest source that sets it', async () => {
    const dataDir = pool.dir();
    const file = join(pool.dir(), 'vaultgate.json');
    writeFileSync(file, JSON.stringify({ environment: 'uat', macTimestampWindowS: 120, maxBodyBytes: 10, dataDir: '/nonexistent/from-file' }));
    const s = await pool.spawn(
      { VAULTGATE_DATA_DIR: '/nonexistent/from-env', VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '0', VAULTGATE_MAX_BODY_BYTES: '20' },
      ['--config', file, '--max-body-bytes', '30', '--data-dir', dataDir, '--port', '0'],
    );
    const health = await rawRequest({ method: 'GET', url: `${s.url}/healthz` });
    expect(health.json().environment).toBe('uat'); // file only
    expect(logLines(s).some((l) => l.code === 'UNSAFE_TIMESTAMP_CHECK_OFF')).toBe(true); // env over file
    expect(existsSync(join(dataDir, 'vaultgate.db'))).toBe(true); // flag over env over file
    const t = await createTenant(adminOf(s.url, dataDir));
    const post = (size: number) => macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: `"${'x'.repeat(size - 2)}"`, headers: { 'content-type': 'application/json' } });
    const fits = await post(30); // flag over env (20) over file (10)
    expect(fits.status, fits.text).toBe(200);
    const over = await post(31);
    expect(over.json().code).toBe('BODY_TOO_LARGE');
    await stop(s);
  });
});

describe('the admin token', () => {
  it('is generated on first start into <dataDir>/admin-token (0600), logged by location only, reused on the next start', async () => {
    const dataDir = pool.dir();
    const file = join(dataDir, 'admin-token');
    const first = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    const generated = logLines(first).find((l) => l.code === 'ADMIN_TOKEN_GENERATED');
    expect(generated?.file).toBe(file);
    expect(first.logs()).not.toContain(token);
    expect((await adminCall(first.url, token, 'GET', '/companies')).status).toBe(200);
    expect((await adminCall(first.url, 'x'.repeat(43), 'GET', '/companies')).status).toBe(401);
    await stop(first);

    const second = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(logLines(second).find((l) => l.code === 'ADMIN_TOKEN_FILE')?.file).toBe(file);
    expect(logLines(second).some((l) => l.code === 'ADMIN_TOKEN_GENERATED')).toBe(false);
    expect(second.logs()).not.toContain(token);
    expect((await adminCall(second.url, token, 'GET', '/companies')).status).toBe(200);
    await stop(second);

    // VAULTGATE_ADMIN_TOKEN replaces the file's token, which then no longer opens /admin.
    const configured = 'C'.repeat(40);
    const third = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir, VAULTGATE_ADMIN_TOKEN: configured });
    expect((await adminCall(third.url, configured, 'GET', '/companies')).status).toBe(200);
    expect((await adminCall(third.url, token, 'GET', '/companies')).status).toBe(401);
    await stop(third);
  });

  it('with VAULTGATE_ADMIN_TOKEN set, that token works, no file is written and the token is not logged', async () => {
    const dataDir = pool.dir();
    const token = 'Z'.repeat(48);
    const s = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir, VAULTGATE_ADMIN_TOKEN: token });
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(false);
    expect((await adminCall(s.url, token, 'GET', '/parties')).status).toBe(200);
    expect((await adminCall(s.url, 'Y'.repeat(48), 'GET', '/parties')).status).toBe(401);
    expect(logLines(s).some((l) => /^ADMIN_TOKEN_/.test(String(l.code)))).toBe(false);
    expect(s.logs()).not.toContain(token);
    await stop(s);
  });
});

describe('MAC timestamp window and body limit', () => {
  it('VAULTGATE_MAC_TIMESTAMP_WINDOW_S=0 accepts a timestamp days old (and warns); the default window refuses it', async () => {
    const token = 'W'.repeat(48);
    const [off, on] = await Promise.all([
      pool.spawn({ VAULTGATE_DATA_DIR: pool.dir(), VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_MAC_TIMESTAMP_WINDOW_S: '0', VAULTGATE_MAX_BODY_BYTES: '16' }),
      pool.spawn({ VAULTGATE_DATA_DIR: pool.dir(), VAULTGATE_ADMIN_TOKEN: token }),
    ]);
    expect(logLines(off).find((l) => l.code === 'UNSAFE_TIMESTAMP_CHECK_OFF')?.level).toBe(40); // warn
    expect(logLines(on).some((l) => String(l.code).startsWith('UNSAFE_'))).toBe(false);
    const old = Date.now() - 3 * 86_400_000;
    for (const [s, expected] of [[off, 200], [on, 401]] as const) {
      const t = await createTenant(tokenAdmin(s.url, token));
      const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' }, timestampMs: old, timestamp: formatMacTimestamp(old) });
      expect(r.status, r.text).toBe(expected);
      if (expected === 401) expect(r.json().code).toBe('TIMESTAMP_OUT_OF_WINDOW');
      if (s === off) {
        // VAULTGATE_MAX_BODY_BYTES=16 on the same server: 16 bytes pass, 17 do not.
        const at = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '"0123456789abcd"', headers: { 'content-type': 'application/json' } });
        expect(at.status, at.text).toBe(200);
        const over = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '"0123456789abcde"', headers: { 'content-type': 'application/json' } });
        expect(over.json().code).toBe('BODY_TOO_LARGE');
      }
    }
    await Promise.all([stop(off), stop(on)]);
  });
});

describe('environment', () => {
  it('VAULTGATE_ENVIRONMENT=uat issues uat ids and refuses test ids with ENVIRONMENT_MISMATCH', async () => {
    const token = 'U'.repeat(48);
    // VAULTGATE_HOST is honoured too: 127.0.0.2, and nothing on 127.0.0.1.
    const s = await pool.spawn({ VAULTGATE_DATA_DIR: pool.dir(), VAULTGATE_ENVIRONMENT: 'uat', VAULTGATE_ADMIN_TOKEN: token, VAULTGATE_HOST: '127.0.0.2' });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(await connectionRefused(s.url.replace('127.0.0.2', '127.0.0.1'))).toBe(true);
    const admin = tokenAdmin(s.url, token);
    const t = await createTenant(admin);
    expect(t.companyId).toMatch(/^co_uat_/);
    expect(t.channelId).toMatch(/^ch_uat_/);
    expect(t.partyId).toMatch(/_uat_/);
    expect(t.channelUrl).toBe(`${s.url}/ingestion/${t.channelId}`);
    const ok = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
    expect(ok.json().messageId).toMatch(/^msg_uat_/);
    expect(ok.json().environment).toBe('uat');

    for (const other of [t.channelId.replace('ch_uat_', 'ch_test_'), t.channelId.replace('ch_uat_', 'ch_live_')]) {
      const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${other}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(r.json().code).toBe('ENVIRONMENT_MISMATCH');
      expect(r.status).toBe(401); // the MAC scheme's AUTHENTICATION_FAILED family
      const a = await admin('GET', `/channels/${other}`);
      expect(a.status).toBe(421);
      expect(a.body.code).toBe('ENVIRONMENT_MISMATCH');
    }
    await stop(s);
  });
});

describe('VAULTGATE_TRUST_PROXY', () => {
  /** Sends /healthz with the given X-Forwarded-For and returns the remoteAddress of its request log line. */
  async function loggedAddress(s: ServerProcess, xff: string): Promise<unknown> {
    const r = await rawRequest({ method: 'GET', url: `${s.url}/healthz`, headers: { 'x-forwarded-for': xff, 'x-forwarded-proto': 'https' } });
    expect(r.status).toBe(200);
    const id = r.headers['x-request-id'];
    for (let i = 0; i < 100; i++) {
      const line = logLines(s).find((l) => l.reqId === id && l.msg === 'request completed');
      if (line) return line.remoteAddress;
      await new Promise((w) => setTimeout(w, 20));
    }
    throw new Error(`no request log line for ${String(id)}`);
  }

  it('with the proxy declared, the logged client address comes from X-Forwarded-For (the hop the proxy saw)', async () => {
    const s = await pool.spawn({ VAULTGATE_DATA_DIR: pool.dir(), VAULTGATE_TRUST_PROXY: '127.0.0.1' });
    expect(await loggedAddress(s, '203.0.113.7')).toBe('203.0.113.7');
    // A client-supplied entry further left is not believed: only the address the trusted proxy appended.
    expect(await loggedAddress(s, '198.51.100.66, 203.0.113.8')).toBe('203.0.113.8');
    await stop(s);
  });

  it('without it, or from a peer that is not the declared proxy, X-Forwarded-For is ignored', async () => {
    const [none, other] = await Promise.all([
      pool.spawn({ VAULTGATE_DATA_DIR: pool.dir() }),
      pool.spawn({ VAULTGATE_DATA_DIR: pool.dir(), VAULTGATE_TRUST_PROXY: '10.9.9.9' }),
    ]);
    for (const s of [none, other]) {
      expect(await loggedAddress(s, '203.0.113.9')).toBe('127.0.0.1');
      expect(s.logs()).not.toContain('203.0.113.9');
    }
    await Promise.all([stop(none), stop(other)]);
  });
});
