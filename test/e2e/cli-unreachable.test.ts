import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VaultgateClient, type MessageMeta } from '../../src/sdk/index.js';
import { adminOf, ProcessPool, runCli } from '../helpers/processes.js';
import { CLI, createTenant } from '../helpers/servers.js';

const pool = new ProcessPool();
const clis: ChildProcess[] = [];
afterAll(async () => {
  for (const c of clis) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pool.cleanup();
});

async function all(url: string, creds: ConstructorParameters<typeof VaultgateClient>[0]['credentials']): Promise<MessageMeta[]> {
  const c = new VaultgateClient({ baseUrl: url, credentials: creds });
  const out: MessageMeta[] = [];
  for await (const m of c.listMessages({}, { pageSize: 1000 })) out.push(m);
  await c.close();
  return out;
}

describe('a bulk send whose server goes away', () => {
  it('stops after consecutive connection failures (exit 75, how to resume), counts apart, and the same command resumes', async () => {
    const dataDir = pool.dir();
    const first = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const t = await createTenant(adminOf(first.url, dataDir));
    const dir = join(pool.dir(), 'orders');
    mkdirSync(dir);
    const N = 400;
    for (let i = 0; i < N; i++) writeFileSync(join(dir, `order-${String(i).padStart(4, '0')}.json`), JSON.stringify({ i }));
    const env = {
      PATH: process.env.PATH ?? '', HOME: dataDir, VAULTGATE_PARTNER_ID: t.sender.partnerId, VAULTGATE_PARTNER_KEY: t.sender.partnerKey,
      VAULTGATE_CUSTOMER_ID: t.sender.customerId, VAULTGATE_CUSTOMER_KEY: t.sender.customerKey, VAULTGATE_ORGANISATION_ID: t.businessId,
    };
    const args = (url: string): string[] => ['send', '--url', url, '--channel', t.channelId, '--dir', dir, '--concurrency', '2', '--max-connection-failures', '3', '--batch-size', '1']; // one request per message: counted one by one

    const child = spawn(process.execPath, [CLI, ...args(first.url)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    clis.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let storedBeforeKill = 0;
    while (storedBeforeKill < 40) {
      storedBeforeKill = (await all(first.url, t.reader)).length;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;

    // Without the stop it would retry each of the remaining messages for minutes; the test's timeout says it did not.
    expect(await exited, stderr).toBe(75);
    expect(stderr).toMatch(/stopped after 3 messages in a row could not be delivered: the server at http:\/\/127\.0\.0\.1:\d+ cannot be reached/);
    expect(stderr).toContain('To resume, run the same command again');
    expect(stderr).not.toMatch(/\n\s+at /);
    const summary = /^(\d+) sent, 0 already stored, (\d+) failed, (\d+) not attempted, of 400 in /m.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    const [sent, failed, notAttempted] = summary!.slice(1).map(Number) as [number, number, number];
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(notAttempted).toBeGreaterThan(0);
    expect(sent + failed + notAttempted).toBe(N);
    // The progress line counts the failed apart from the sent.
    expect(stderr).toContain(`${sent + failed}/400: ${sent} sent  0 already stored  ${failed} failed`);

    // The same command against the restarted server (same data, a new port) resumes: nothing is stored twice.
    const second = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const stored = (await all(second.url, t.reader)).length;
    expect(stored).toBeGreaterThanOrEqual(sent);
    const rerun = await runCli([...args(second.url), '--json'], env, 120_000);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ total: N, alreadyStored: stored, sent: N - stored, failed: 0, notAttempted: 0 });
    expect(rerun.stderr).toContain(`400/400: ${N - stored} sent  ${stored} already stored  0 failed`);
    const after = await all(second.url, t.reader);
    expect(after).toHaveLength(N);
    expect(new Set(after.map((m) => m.transactionId)).size).toBe(N);
  }, 120_000);
});
