import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/protocol/index.js';
import { decodeAccessToken, VaultgateClient, type MessageMeta } from '../../src/sdk/index.js';
import { runCli } from '../helpers/processes.js';
import { CLI, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

const exec = promisify(execFile);

// The client CLI with OAuth client credentials (profile, flags, environment) against the real server and token endpoint.
let server: TestServer;
let t: Tenant;
let sender: { clientId: string; clientSecret: string };
let reader: { clientId: string; clientSecret: string };
const home = tempDir('vg-home-');
const work = tempDir('vg-work-');
const env = (extra: Record<string, string> = {}): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: home, ...extra });
const vg = (args: string[], extra: Record<string, string> = {}, input?: string) => runCli(args, env(extra), 30_000, input);
const vaultClient = (): VaultgateClient => new VaultgateClient({ baseUrl: server.url, credentials: reader });

async function all(): Promise<MessageMeta[]> {
  const c = vaultClient();
  const out: MessageMeta[] = [];
  for await (const m of c.listMessages({}, { pageSize: 1000 })) out.push(m);
  await c.close();
  return out;
}

beforeAll(async () => {
  server = await startTestServer();
  t = await createTenant(server.admin);
  sender = (await server.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
  reader = (await server.admin('POST', `/companies/${t.companyId}/clients`, { name: 'bi' })).body;
  // The JSON `vaultgate admin client create --json` prints (clientId, clientSecret, tokenEndpoint, …) goes into a profile.
  writeFileSync(join(work, 'erp.json'), JSON.stringify(sender));
  expect((await vg(['profile', 'set', '--url', server.url, '--from-json', join(work, 'erp.json')])).code).toBe(0);
});
afterAll(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('CLI with OAuth client credentials', () => {
  it('profile set takes client_id / client_secret / token_url from the client JSON; show masks the secret', async () => {
    const text = readFileSync(join(home, '.config/vaultgate/credentials'), 'utf8');
    expect(text).toContain(`client_id = ${sender.clientId}`);
    expect(text).toContain(`client_secret = ${sender.clientSecret}`);
    expect(text).toContain(`token_url = ${server.url}/oauth2/token`);
    const show = await vg(['profile', 'show']);
    expect(show.stdout).toContain(sender.clientId);
    expect(show.stdout).not.toContain(sender.clientSecret);
    expect(show.stdout).toContain(sender.clientSecret.slice(-4));
  });

  it('vaultgate send with the profile, with flags, with environment; a refused secret is a coded error', async () => {
    const byProfile = await vg(['send', '--channel', t.channelId, '--transaction-id', 'cli-oauth-1', '--json', '-'], {}, '{"via":"profile"}');
    expect(byProfile.code, byProfile.stderr).toBe(0);
    expect(JSON.parse(byProfile.stdout)).toMatchObject({ channelId: t.channelId, transactionId: 'cli-oauth-1' });
    // The Idempotency-Key rule: the same transaction id again is refused, naming the stored message.
    const again = await vg(['send', '--channel', t.channelId, '--transaction-id', 'cli-oauth-1', '-'], {}, '{"via":"profile"}');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('REQUEST_NOT_UNIQUE');

    const flags = ['--url', server.url, '--client-id', sender.clientId, '--client-secret', sender.clientSecret, '--token-url', `${server.url}/oauth2/token`];
    const byFlags = await vg(['send', ...flags, '--channel', t.channelId, '--json', '-'], { HOME: work }, '{"via":"flags"}');
    expect(byFlags.code, byFlags.stderr).toBe(0);
    const byEnv = await vg(['send', '--channel', t.channelId, '--json', '-'], { HOME: work, VAULTGATE_URL: server.url, VAULTGATE_CLIENT_ID: sender.clientId, VAULTGATE_CLIENT_SECRET: sender.clientSecret }, '{"via":"env"}');
    expect(byEnv.code, byEnv.stderr).toBe(0);
    const bodies = await Promise.all([byFlags, byEnv].map(async (r) => (await vaultClient().getMessage(JSON.parse(r.stdout).messageId)).body.toString()));
    expect(bodies).toEqual(['{"via":"flags"}', '{"via":"env"}']);

    const wrong = await vg(['send', '--channel', t.channelId, '--client-secret', 'vgs_wrong', '-'], {}, '{}');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/invalid_client/);
    const noSecret = await vg(['send', '--channel', t.channelId, '-'], { HOME: work, VAULTGATE_CLIENT_ID: sender.clientId }, '{}');
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain('missing credentials: --client-secret (VAULTGATE_CLIENT_SECRET)');
  });

  it('bulk send with bearer credentials, interrupted and run again: every line stored once', async () => {
    const before = (await all()).length;
    const file = join(work, 'orders.ndjson');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => JSON.stringify({ order: i, city: 'Jyväskylä' })).join('\n'));
    // Batches of 10 (issue 17): small enough that the run is interrupted half-way.
    const args = [CLI, 'send', '--channel', t.channelId, '--ndjson', file, '--concurrency', '4', '--batch-size', '10'];
    const child = spawn(process.execPath, args, { env: env(), stdio: 'ignore' });
    let done = false;
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve((done = true) && code)));
    const c = vaultClient();
    for (let seen = 0; seen < before + 80;) {
      if (done) throw new Error('the CLI exited before it could be interrupted');
      seen = (await c.listPages({}, { pageSize: 1000 }).next()).value!.items.length;
      await new Promise((r) => setTimeout(r, 10));
    }
    await c.close();
    child.kill('SIGKILL');
    await exited;
    const afterKill = (await all()).length - before;
    expect(afterKill).toBeGreaterThanOrEqual(80);
    expect(afterKill).toBeLessThan(300);

    const rerun = await exec(process.execPath, [...args, '--json'], { env: env() });
    expect(JSON.parse(rerun.stdout)).toMatchObject({ total: 300, failed: 0, alreadyStored: afterKill, sent: 300 - afterKill });
    const orders = (await all()).slice(before);
    expect(orders).toHaveLength(300);
    expect(new Set(orders.map((m) => m.transactionId)).size).toBe(300);
  }, 60_000);

  it('vault ls, get and export with a company client', async () => {
    const creds = ['--url', server.url, '--client-id', reader.clientId, '--client-secret', reader.clientSecret];
    const ls = await vg(['vault', 'ls', ...creds, '--max', '2', '--json'], { HOME: work });
    expect(ls.code, ls.stderr).toBe(0);
    const rows = JSON.parse(ls.stdout) as MessageMeta[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.transactionId).toBe('cli-oauth-1');
    const get = await vg(['vault', 'get', rows[0]!.messageId, ...creds], { HOME: work });
    expect(get.stdout).toBe('{"via":"profile"}');
    const out = join(work, 'vault.ndjson');
    const exported = await vg(['vault', 'export', ...creds, '--out', out], { HOME: work });
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength((await all()).length);
    // A party (ingest) client cannot read the vault.
    const refused = await vg(['vault', 'ls'], {});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/403|FORBIDDEN|SCOPE/i);
  });

  it('vaultgate token takes the client from the profile (default, --profile, VAULTGATE_PROFILE) like every client command', async () => {
    writeFileSync(join(work, 'bi.json'), JSON.stringify(reader));
    expect((await vg(['profile', 'set', '--profile', 'bi', '--url', server.url, '--from-json', join(work, 'bi.json')])).code).toBe(0);
    const byDefault = await vg(['token', '--decode']);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(JSON.parse(byDefault.stdout).claims).toMatchObject({ roles: ['ingest'], client_id: sender.clientId });
    const named = await vg(['token', '--profile', 'bi']);
    expect(named.code, named.stderr).toBe(0);
    expect(decodeAccessToken(named.stdout.trim()).claims).toMatchObject({ roles: ['vault.read'], client_id: reader.clientId });
    const byEnv = await vg(['token', '--json'], { VAULTGATE_PROFILE: 'bi' });
    expect(decodeAccessToken(JSON.parse(byEnv.stdout).accessToken).claims.client_id).toBe(reader.clientId);
    // A flag overrides the profile; a missing client id names where it can come from.
    const wrong = await vg(['token', '--profile', 'bi', '--client-secret', 'vgs_wrong', '--language', 'FI']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`invalid_client: ${errorMessage('OAUTH_INVALID_CLIENT', 'fi')}`);
    const none = await vg(['token'], { HOME: work });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('missing credentials: --client-id (VAULTGATE_CLIENT_ID), or client_id in a profile');
  });

  it('--language selects the language of refusals on the bearer path too', async () => {
    const sv = await vg(['send', '--channel', t.channelId, '--message-type', 'Invoice', '--language', 'SE', '-'], {}, '{}');
    expect(sv.code).toBe(1);
    expect(sv.stderr).toContain(`MESSAGE_TYPE_NOT_AGREED (HTTP 400): ${errorMessage('MESSAGE_TYPE_NOT_AGREED', 'sv')}`);
    const fi = await vg(['send', '--channel', t.channelId, '--client-secret', 'vgs_wrong', '--language', 'FI', '-'], {}, '{}');
    expect(fi.code).toBe(1);
    expect(fi.stderr).toContain(errorMessage('OAUTH_INVALID_CLIENT', 'fi'));
  });
});
