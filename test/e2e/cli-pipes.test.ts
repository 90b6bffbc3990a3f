import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateClient, type MessageMeta } from '../../src/sdk/index.js';
import { CLI, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/**
 * `vg … | head -1`: the CLI as a process whose stdout (and for bulk send stderr too) is a pipe the reader closes,
 * either before anything is written (the reader is gone when the first line comes) or after the first chunk it
 * received (the rest of a long listing meets a closed pipe). The command must finish its work, print no stack, and
 * exit with its own outcome (0 here).
 */
interface Closed { code: number | null; signal: NodeJS.Signals | null; stderr: string; received: string }

function runReaderClosing(args: string[], env: Record<string, string>, o: { when: 'at-once' | 'first-chunk'; stderrToo?: boolean; input?: string }): Promise<Closed> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let received = '';
    if (o.stderrToo) child.stderr.destroy();
    else child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    if (o.when === 'at-once') child.stdout.destroy();
    else child.stdout.once('data', (d: Buffer) => {
      received = d.toString('utf8');
      child.stdout.destroy();
    });
    child.stdin.end(o.input ?? '');
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, received }));
  });
}

const noCrash = (r: Closed): void => {
  expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
  expect(r.signal).toBeNull();
  expect(r.code, r.stderr).toBe(0);
};

let server: TestServer;
let t: Tenant;
let env: Record<string, string>;
let reader: VaultgateClient;
const work = tempDir('vg-pipes-');
const N = 600;

async function stored(transactionId: string): Promise<MessageMeta | undefined> {
  for await (const m of reader.listMessages({}, { pageSize: 1000 })) if (m.transactionId === transactionId) return m;
  return undefined;
}

beforeAll(async () => {
  server = await startTestServer();
  t = await createTenant(server.admin);
  const mac = (c: typeof t.sender) => ({
    VAULTGATE_PARTNER_ID: c.partnerId, VAULTGATE_PARTNER_KEY: c.partnerKey, VAULTGATE_CUSTOMER_ID: c.customerId,
    VAULTGATE_CUSTOMER_KEY: c.customerKey, VAULTGATE_ORGANISATION_ID: c.organisationId,
  });
  env = { PATH: process.env.PATH ?? '', HOME: work, VAULTGATE_URL: server.url, VAULTGATE_DATA_DIR: server.dataDir, ...mac(t.sender) };
  reader = new VaultgateClient({ baseUrl: server.url, credentials: t.reader });
  // Enough for listings far longer than a pipe's buffer (64 KiB), so the reader closes it mid-listing.
  const sender = new VaultgateClient({ baseUrl: server.url, credentials: t.sender });
  for (let i = 0; i < N; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => sender.send(t.channelId, JSON.stringify({ i: i + j, text: 'Jyväskylä '.repeat(20) }), { mediaType: 'application/json' })));
  }
  await sender.close();
  // Reads use the reader's credentials (the environment's are the sender's).
  env.READER = JSON.stringify(mac(t.reader));
}, 240_000);
afterAll(async () => {
  await reader.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

const readerEnv = (): Record<string, string> => ({ ...env, ...(JSON.parse(env.READER!) as Record<string, string>) });

// Each test starts a few CLI processes; on a loaded machine one start can take seconds.
describe('a reader that closes the pipe early (EPIPE)', { timeout: 120_000 }, () => {
  it('send: the message is stored and the exit code is 0, with no stack', async () => {
    const r = await runReaderClosing(['send', '--channel', t.channelId, '--transaction-id', 'pipe-send-1', '-'], env, { when: 'at-once', input: '{"pipe":1}' });
    noCrash(r);
    expect((await stored('pipe-send-1'))?.size).toBe(10);
    const json = await runReaderClosing(['send', '--channel', t.channelId, '--transaction-id', 'pipe-send-2', '--json', '-'], env, { when: 'at-once', input: '{"pipe":2}' });
    noCrash(json);
    expect(await stored('pipe-send-2')).toBeDefined();
  });

  it('send --dir with stdout and stderr closed: every message stored, exit 0', async () => {
    const dir = join(work, 'bulk');
    mkdirSync(dir);
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `o-${String(i).padStart(2, '0')}.json`), JSON.stringify({ bulk: i }));
    const before = (await reader.listPages({}, { pageSize: 1000 }).next()).value!.items.length;
    const r = await runReaderClosing(['send', '--channel', t.channelId, '--dir', dir], env, { when: 'at-once', stderrToo: true });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    let after = 0;
    for await (const page of reader.listPages({}, { pageSize: 1000 })) after += page.items.length;
    expect(after).toBeGreaterThanOrEqual(before + 20);
  });

  it('vault ls: the reader takes the first chunk of a long table and closes; exit 0, no stack', async () => {
    const r = await runReaderClosing(['vault', 'ls', '--max', '2000'], readerEnv(), { when: 'first-chunk' });
    noCrash(r);
    expect(r.received).toMatch(/^messageId\s+receivedAt/);
    noCrash(await runReaderClosing(['vault', 'ls', '--json', '--max', '2000'], readerEnv(), { when: 'at-once' }));
  });

  it('vault export to stdout: stops when the reader goes, exit 0, no stack', async () => {
    const r = await runReaderClosing(['vault', 'export'], readerEnv(), { when: 'first-chunk' });
    noCrash(r);
    expect(JSON.parse(r.received.split('\n')[0]!)).toMatchObject({ messageId: expect.stringMatching(/^msg_test_/) });
    noCrash(await runReaderClosing(['vault', 'export', '--out', '-'], readerEnv(), { when: 'at-once' }));
  });

  it('vault get to a closed pipe: exit 0, no stack', async () => {
    const m = await stored('pipe-send-1');
    noCrash(await runReaderClosing(['vault', 'get', m!.messageId], readerEnv(), { when: 'at-once' }));
  });

  it('admin listings to a closed pipe: exit 0, no stack', async () => {
    noCrash(await runReaderClosing(['admin', 'audit', 'ls', '--limit', '1000'], env, { when: 'first-chunk' }));
    noCrash(await runReaderClosing(['admin', 'party', 'list'], env, { when: 'at-once' }));
    noCrash(await runReaderClosing(['admin', '--json', 'channel', 'list'], env, { when: 'at-once' }));
  });

  it('a refusal still exits 1 when stdout is closed', async () => {
    const r = await runReaderClosing(['send', '--channel', t.channelId, '--transaction-id', 'pipe-send-1', '-'], env, { when: 'at-once', input: '{"pipe":1}' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('REQUEST_NOT_UNIQUE');
  });
});
