import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, errorMessage } from '../../src/protocol/index.js';
import { VaultgateClient, type MessageMeta } from '../../src/sdk/index.js';
import { CLI, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

const exec = promisify(execFile);

let server: TestServer;
let t: Tenant;
const home = tempDir('vg-home-');
const work = tempDir('vg-work-');
// No VAULTGATE_* credentials in the environment: they come from the profile file under this HOME.
const env = (extra: Record<string, string> = {}): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: home, ...extra });
const vg = (args: string[], extra: Record<string, string> = {}, input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: env(extra), maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });

async function all(reader: VaultgateClient): Promise<MessageMeta[]> {
  const out: MessageMeta[] = [];
  for await (const m of reader.listMessages({}, { pageSize: 1000 })) out.push(m);
  return out;
}

beforeAll(async () => {
  server = await startTestServer();
  t = await createTenant(server.admin);
  writeFileSync(join(work, 'partner.json'), JSON.stringify({ partnerId: t.sender.partnerId, partnerKey: t.sender.partnerKey }));
  writeFileSync(join(work, 'sender.json'), JSON.stringify({ customerId: t.sender.customerId, customerKey: t.sender.customerKey }));
  writeFileSync(join(work, 'reader.json'), JSON.stringify({ customerId: t.reader.customerId, customerKey: t.reader.customerKey }));
  const common = ['--url', server.url, '--organisation-id', t.businessId, '--from-json', join(work, 'partner.json')];
  expect((await vg(['profile', 'set', ...common, join(work, 'sender.json')])).code).toBe(0);
  expect((await vg(['profile', 'set', '--profile', 'reader', ...common, join(work, 'reader.json')])).code).toBe(0);
});
afterAll(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('credentials: flags, environment, profiles', () => {
  const file = (): string => join(home, '.config/vaultgate/credentials');

  it('profile set writes ~/.config/vaultgate/credentials with mode 0600 and named profiles; show masks keys', async () => {
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    const text = readFileSync(file(), 'utf8');
    expect(text).toMatch(/^\[default\]\n/);
    expect(text).toContain('[reader]');
    const show = await vg(['profile', 'show', '--profile', 'reader']);
    expect(show.stdout).toContain(t.reader.customerId);
    expect(show.stdout).not.toContain(t.reader.customerKey);
    expect(show.stdout).not.toContain(t.reader.partnerKey);
  });

  it('XDG_CONFIG_HOME moves the file', async () => {
    const xdg = tempDir('vg-xdg-');
    const r = await vg(['profile', 'set', '--partner-id', 'pid_test_x'], { XDG_CONFIG_HOME: xdg });
    expect(r.code).toBe(0);
    expect(readFileSync(join(xdg, 'vaultgate/credentials'), 'utf8')).toContain('partner_id = pid_test_x');
    rmSync(xdg, { recursive: true, force: true });
  });

  it('a credentials file others can read is refused, naming the fix', async () => {
    chmodSync(file(), 0o644);
    const r = await vg(['send', '--channel', t.channelId, '-'], {}, '{}');
    chmodSync(file(), 0o600);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`chmod 600 ${file()}`);
  });

  it('an unknown named profile and missing credentials are named', async () => {
    expect((await vg(['send', '--channel', t.channelId, '--profile', 'nope', '-'], {}, '{}')).stderr).toContain('no profile "nope"');
    const r = await vg(['send', '--channel', t.channelId, '-'], { HOME: work }, '{}');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing credentials: --partner-id (VAULTGATE_PARTNER_ID)');
  });

  it('a malformed profile line and a bad --language are refused, naming what is wrong', async () => {
    const xdg = tempDir('vg-xdg-');
    mkdirSync(join(xdg, 'vaultgate'));
    writeFileSync(join(xdg, 'vaultgate/credentials'), '[default]\npartner_idd = x\n', { mode: 0o600 });
    const typo = await vg(['send', '--channel', t.channelId, '-'], { XDG_CONFIG_HOME: xdg }, '{}');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(`${join(xdg, 'vaultgate/credentials')}:2: expected [profile] or one of url, partner_id`);
    rmSync(xdg, { recursive: true, force: true });
    const lang = await vg(['send', '--channel', t.channelId, '--language', 'DE', '-'], {}, '{}');
    expect(lang.code).toBe(1);
    expect(lang.stderr).toContain('--language must be FI, EN or SE');
  });

  it('environment overrides the profile, and a flag overrides the environment', async () => {
    const bad = await vg(['send', '--channel', t.channelId, '-'], { VAULTGATE_CUSTOMER_KEY: 'wrong' }, '{}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('AUTHENTICATION_FAILED');
    const good = await vg(['send', '--channel', t.channelId, '--customer-key', t.sender.customerKey, '--json', '-'], { VAULTGATE_CUSTOMER_KEY: 'wrong' }, '{"via":"flag"}');
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout).alreadyStored).toBe(false);
  });
});

describe('--language: the language of the server messages the CLI prints', () => {
  it('a refused send, a refused bulk message and a refused vault read print the Finnish / Swedish catalogue text', async () => {
    const fi = await vg(['send', '--channel', t.channelId, '--message-type', 'Invoice', '--language', 'FI', '-'], {}, '{}');
    expect(fi.code).toBe(1);
    expect(fi.stderr).toContain(`MESSAGE_TYPE_NOT_AGREED (HTTP 400): ${errorMessage('MESSAGE_TYPE_NOT_AGREED', 'fi')}`);
    const en = await vg(['send', '--channel', t.channelId, '--message-type', 'Invoice', '-'], {}, '{}');
    expect(en.stderr).toContain(errorMessage('MESSAGE_TYPE_NOT_AGREED', 'en'));
    // The SDK's refusals print the catalogue's remedy under the message, as /api/v1's do (src/cli/output.ts).
    expect(en.stderr).toContain(`\n  ${ERROR_CATALOGUE.MESSAGE_TYPE_NOT_AGREED.remedy.en}`);
    // …in the language asked for, like the message.
    expect(fi.stderr).toContain(`\n  ${ERROR_CATALOGUE.MESSAGE_TYPE_NOT_AGREED.remedy.fi}`);
    // The profile's language, in lower case, and through the environment.
    const sv = await vg(['send', '--channel', t.channelId, '--message-type', 'Invoice', '-'], { VAULTGATE_LANGUAGE: 'se' }, '{}');
    expect(sv.stderr).toContain(errorMessage('MESSAGE_TYPE_NOT_AGREED', 'sv'));
    expect(sv.stderr).toContain(`\n  ${ERROR_CATALOGUE.MESSAGE_TYPE_NOT_AGREED.remedy.sv}`);
    const unauthenticated = await vg(['vault', 'ls', '--profile', 'reader', '--customer-key', 'A'.repeat(64), '--language', 'FI']);
    expect(unauthenticated.code).toBe(1);
    expect(unauthenticated.stderr).toContain(errorMessage('AUTHENTICATION_FAILED', 'fi'));

    const file = join(work, 'language.ndjson');
    writeFileSync(file, '{"a":1}\n');
    const bulk = await vg(['send', '--channel', t.channelId, '--ndjson', file, '--message-type', 'Invoice', '--language', 'FI']);
    expect(bulk.code).toBe(1);
    // Sent as a batch (issue 17): the item's own refusal, in the request's language.
    expect(bulk.stderr).toContain(`failed: line 1: MESSAGE_TYPE_NOT_AGREED: ${errorMessage('MESSAGE_TYPE_NOT_AGREED', 'fi')}`);
  });

  it('admin commands take --language (VAULTGATE_LANGUAGE) too', async () => {
    const admin = { VAULTGATE_URL: server.url, VAULTGATE_ADMIN_TOKEN: server.adminToken };
    const fi = await vg(['admin', '--language', 'FI', 'company', 'create', '--name', 'X', '--business-id', '1967543-7'], admin);
    expect(fi.code).toBe(1);
    expect(fi.stderr).toContain(`BUSINESS_ID_INVALID: ${errorMessage('BUSINESS_ID_INVALID', 'fi')}`);
    const sv = await vg(['admin', 'company', 'create', '--name', 'X', '--business-id', '1967543-7'], { ...admin, VAULTGATE_LANGUAGE: 'SE' });
    expect(sv.stderr).toContain(errorMessage('BUSINESS_ID_INVALID', 'sv'));
    const bad = await vg(['admin', '--language', 'DE', 'party', 'list'], admin);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--language must be FI, EN or SE');
  });
});

describe('each command lists only the flags it uses', () => {
  it('migrate: storage flags, none of the server\'s; sign: no OAuth client flags; token: no MAC keys', async () => {
    const migrate = await vg(['migrate', '--help']);
    expect(migrate.code).toBe(0);
    for (const flag of ['--data-dir', '--database-schema', '--keystore-schema', '--database-pool-size', '--log-level', '--config', '--json']) expect(migrate.stdout).toContain(flag);
    for (const flag of ['--port', '--host', '--tls-cert', '--trust-proxy', '--public-url', '--max-body-bytes', '--token-lifetime-s', '--allow-md5']) expect(migrate.stdout).not.toContain(flag);
    const serve = await vg(['serve', '--help']);
    for (const flag of ['--port', '--tls-cert', '--data-dir']) expect(serve.stdout).toContain(flag);
    // A server-only flag given to migrate is a usage error, not silently ignored.
    expect((await vg(['migrate', '--port', '9'])).code).toBe(2);

    const sign = await vg(['sign', '--help']);
    expect(sign.stdout).toContain('--partner-key');
    expect(sign.stdout).not.toMatch(/--client-id|--client-secret|--token-url/);
    const token = await vg(['token', '--help']);
    expect(token.stdout).toMatch(/--profile[\s\S]*--client-id[\s\S]*--client-secret[\s\S]*--token-url[\s\S]*--language/);
    expect(token.stdout).not.toMatch(/--partner-key|--customer-key|--algorithm/);
  });
});

describe('vaultgate send, sign, vault ls|get', () => {
  it('sends a file and stdin; reads them back with vault ls and vault get', async () => {
    const f = join(work, 'order.json');
    writeFileSync(f, '{"order":"A-1","city":"Jyväskylä"}');
    const one = await vg(['send', '--channel', t.channelId, '--message-type', 'TransportOrder', '--transaction-id', 'cli-file-1', '--json', f]);
    expect(one.code, one.stderr).toBe(0);
    const receipt = JSON.parse(one.stdout);
    expect(receipt).toMatchObject({ channelId: t.channelId, transactionId: 'cli-file-1', size: readFileSync(f).length });
    const piped = await vg(['send', '--channel', t.channelId, '--media-type', 'application/xml'], {}, '<order id="2"/>');
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/messageId\s+msg_test_/);

    const ls = await vg(['vault', 'ls', '--profile', 'reader', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).map((m: MessageMeta) => m.messageId)).toContain(receipt.messageId);
    const table = await vg(['vault', 'ls', '--profile', 'reader', '--max', '1']);
    expect(table.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    const get = await vg(['vault', 'get', receipt.messageId, '--profile', 'reader']);
    expect(get.stdout).toBe('{"order":"A-1","city":"Jyväskylä"}');
    expect(get.stderr).toContain('TransportOrder');
  });

  it('a transaction id used before is REQUEST_NOT_UNIQUE, exit 1', async () => {
    const r = await vg(['send', '--channel', t.channelId, '--transaction-id', 'cli-file-1', '-'], {}, '{}');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('REQUEST_NOT_UNIQUE');
  });

  it('sign prints the headers and the string to hash with both keys masked', async () => {
    const r = await vg(['sign', `/ingestion/${t.channelId}?note=Mäkelä`, '--transaction-id', 'T1', '--timestamp', '2026-11-25T10:00:00.000Z', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stringToHash).toBe(`${server.url}/ingestion/${t.channelId}?note=Mäkelä&Vaultgate client&${t.sender.customerId}&2026-11-25 10:00:00.000&EN&${t.businessId}&T1&<CustomerKey>&<PartnerKey>`);
    expect(out.headers['X-Netvisor-Authentication-MAC']).toMatch(/^[0-9a-f]{64}$/);
    const text = await vg(['sign', `${server.url}/vault/v1/messages`]);
    for (const secret of [t.sender.customerKey, t.sender.partnerKey]) {
      expect(r.stdout).not.toContain(secret);
      expect(text.stdout).not.toContain(secret);
    }
    expect(text.stdout).toContain('X-Netvisor-Authentication-MAC: ');
  });
});

describe('bulk send', () => {
  it('1,000 files, SIGKILL half-way, re-run: 1,000 stored, none twice', async () => {
    const b = await createTenant(server.admin, { businessId: '0737546-2' });
    const profile = ['--profile', 'bulk'];
    await vg(['profile', 'set', ...profile, '--url', server.url, '--organisation-id', b.businessId, '--partner-id', b.sender.partnerId,
      '--partner-key', b.sender.partnerKey, '--customer-id', b.sender.customerId, '--customer-key', b.sender.customerKey]);
    const dir = join(work, 'bulk');
    mkdirSync(dir);
    for (let i = 0; i < 1000; i++) writeFileSync(join(dir, `order-${String(i).padStart(4, '0')}.json`), JSON.stringify({ i, city: 'Jyväskylä' }));
    const reader = new VaultgateClient({ baseUrl: server.url, credentials: b.reader });
    // Batches of 10 (issue 17): small enough that the run is interrupted half-way, and resumed in batches too.
    const args = [CLI, 'send', ...profile, '--channel', b.channelId, '--dir', dir, '--concurrency', '4', '--batch-size', '10'];

    const child = spawn(process.execPath, args, { env: env(), stdio: 'ignore' });
    let done = false;
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve((done = true) && code)));
    let seen = 0;
    while (seen < 300) {
      if (done) throw new Error('the CLI exited before it could be interrupted');
      seen = (await reader.listPages({}, { pageSize: 1000 }).next()).value!.items.length;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await exited;
    // Requests whose bodies reached the server before the kill are still committed after it: wait until the
    // count stops moving, so `afterKill` is what the re-run will find already stored.
    let afterKill = (await all(reader)).length;
    for (let stable = 0; stable < 3; ) {
      await new Promise((r) => setTimeout(r, 50));
      const now = (await all(reader)).length;
      stable = now === afterKill ? stable + 1 : 0;
      afterKill = now;
    }
    expect(afterKill).toBeGreaterThanOrEqual(300);
    expect(afterKill).toBeLessThan(1000); // it really was interrupted

    const rerun = await exec(process.execPath, [...args, '--json'], { env: env() });
    const summary = JSON.parse(rerun.stdout);
    expect(summary).toMatchObject({ total: 1000, failed: 0, alreadyStored: afterKill, sent: 1000 - afterKill });

    const stored = await all(reader);
    await reader.close();
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((m) => m.transactionId)).size).toBe(1000);
    expect(new Set(stored.map((m) => m.sha256)).size).toBe(1000);
  }, 120_000);

  it('NDJSON lines; failures are listed, summarised and exit 1; a TTY-less run prints no bar', async () => {
    const file = join(work, 'orders.ndjson');
    writeFileSync(file, `${[1, 2, 3].map((i) => JSON.stringify({ line: i })).join('\n')}\n\n`);
    const ok = await vg(['send', '--channel', t.channelId, '--ndjson', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^3 sent, 0 already stored, 0 failed, of 3 in /);
    expect(ok.stderr).not.toContain('\r');
    const again = await vg(['send', '--channel', t.channelId, '--ndjson', file]);
    expect(again.stdout).toMatch(/^0 sent, 3 already stored, 0 failed/);
    // The progress line counts the already stored apart from the sent (and the failed, below).
    expect(again.stderr).toMatch(/^3\/3: 0 sent {2}3 already stored {2}0 failed {2}[\d.]+\/s {2}ETA /m);
    const bad = await vg(['send', '--channel', t.channelId, '--ndjson', file, '--message-type', 'Invoice']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^0 sent, 0 already stored, 3 failed/);
    expect(bad.stderr).toContain('failed: line 1: MESSAGE_TYPE_NOT_AGREED');
    expect(bad.stderr).toMatch(/^3\/3: 0 sent {2}0 already stored {2}3 failed /m);
  });
});
