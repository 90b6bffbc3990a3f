import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateClient } from '../../src/sdk/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { runCli } from '../helpers/processes.js';
import { businessIds, createTenant, macCredentialEnv, startTestServer, tempDir, type TestServer, type Tenant } from '../helpers/servers.js';

/*
 * Fair use (issue 17 §3) from the clients' side: the SDK paces itself by the RateLimit field and retries a 429 after
 * Retry-After with the same transaction id; the CLI's bulk send (its concurrent workers share one client) gets every
 * message through a tight limit. A real server on a real socket, the built CLI as a child process.
 */
const CHANNEL = 4;
const WINDOW_S = 2;

describe('the SDK and the CLI honour the rate limits', () => {
  let server: TestServer;
  const work = tempDir('vg-rl-clients-');
  let n = 0;

  beforeAll(async () => {
    server = await startTestServer({ VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: String(CHANNEL), VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '0', VAULTGATE_RATE_LIMIT_WINDOW_S: String(WINDOW_S) });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const tenant = (): Promise<Tenant> => createTenant(server.admin, { businessId: businessIds(700 + n++ * 3, 1)[0]! });
  const stored = async (t: Tenant) => {
    const reader = new VaultgateClient({ baseUrl: server.url, credentials: t.reader });
    const items = [];
    for await (const page of reader.listPages({}, { pageSize: 500 })) items.push(...page.items);
    await reader.close();
    return items;
  };
  const refusedCount = async (channelId: string): Promise<number> => {
    const res = await fetch(`${server.url}/api/v1/admin/ingestion/refusals?code=RATE_LIMITED&channelId=${channelId}&limit=500`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: unknown[] }).items.length;
  };

  it('SDK: three windows\' worth sent one after another are all stored, paced by RateLimit (no 429 on the way)', async () => {
    const t = await tenant();
    const vg = new VaultgateClient({ baseUrl: server.url, credentials: t.sender });
    const sent = [];
    for (let i = 0; i < CHANNEL * 3; i++) sent.push(await vg.send(t.channelId, JSON.stringify({ i }), { messageType: 'TransportOrder', mediaType: 'application/json' }));
    await vg.close();
    expect(sent.every((r) => !r.alreadyStored)).toBe(true);
    expect((await stored(t)).map((m) => m.messageId).sort()).toEqual(sent.map((r) => r.messageId).sort());
    await new Promise((r) => setTimeout(r, 600)); // the refusal recorder writes within 250 ms
    expect(await refusedCount(t.channelId)).toBe(0);
  }, 30_000);

  it('SDK: a 429 is retried after Retry-After with the same transaction id, and stored once', async () => {
    const t = await tenant();
    for (let i = 0; i < CHANNEL; i++) {
      const res = await macRequest({ baseUrl: server.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status, res.text).toBe(200);
    }
    const vg = new VaultgateClient({ baseUrl: server.url, credentials: t.sender });
    const transactionId = randomUUID();
    const r = await vg.send(t.channelId, '{"late":true}', { messageType: 'TransportOrder', mediaType: 'application/json', transactionId });
    await vg.close();
    expect(r.alreadyStored).toBe(false);
    const mine = (await stored(t)).filter((m) => m.transactionId === transactionId);
    expect(mine.map((m) => m.messageId)).toEqual([r.messageId]);
    await new Promise((r) => setTimeout(r, 600)); // the refusal recorder writes within 250 ms
    expect(await refusedCount(t.channelId)).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('CLI: bulk send with 4 concurrent workers gets 10 lines through a limit of 4 per 2 s, each stored once', async () => {
    const t = await tenant();
    const file = join(work, `orders-${t.channelId}.ndjson`);
    writeFileSync(file, `${Array.from({ length: 10 }, (_, i) => JSON.stringify({ line: i })).join('\n')}\n`);
    const res = await runCli(['send', '--channel', t.channelId, '--ndjson', file, '--concurrency', '4', '--json'],
      { HOME: work, VAULTGATE_URL: server.url, ...macCredentialEnv(t.sender) }, 60_000);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ total: 10, sent: 10, failed: 0 });
    const messages = await stored(t);
    expect(messages).toHaveLength(10);
    expect(new Set(messages.map((m) => m.transactionId)).size).toBe(10);
  }, 70_000);

  it('CLI: says when and why it waits for a rate limit (once per wait, the limit named with its numbers), and the summary says how long', async () => {
    const t = await tenant();
    const file = join(work, `paced-${t.channelId}.ndjson`);
    writeFileSync(file, `${Array.from({ length: 6 }, (_, i) => JSON.stringify({ line: i })).join('\n')}\n`);
    const env = { HOME: work, VAULTGATE_URL: server.url, ...macCredentialEnv(t.sender) };
    const res = await runCli(['send', '--channel', t.channelId, '--ndjson', file, '--concurrency', '2', '--batch-size', '1'], env, 60_000);
    expect(res.code, res.stderr).toBe(0);
    const notices = res.stderr.split('\n').filter((l) => l.includes('rate limited'));
    expect(notices.length, res.stderr).toBeGreaterThanOrEqual(1);
    // 6 messages through 4 per window: one wait (a second only if a window turned over meanwhile), said once each.
    expect(notices.length, res.stderr).toBeLessThanOrEqual(2);
    for (const l of notices) expect(l).toMatch(new RegExp(`^vaultgate: rate limited \\(channel: ${CHANNEL} per ${WINDOW_S} s\\), waiting \\d+ s$`));
    expect(res.stdout).toMatch(/^6 sent, 0 already stored, 0 failed, of 6 in [\d.]+ s \([\d.]+ s of it waiting for the rate limits\)$/m);
    expect(await stored(t)).toHaveLength(6);

    // A single send into a channel whose window is used up: the 429 is waited out, and said.
    const u = await tenant();
    for (let i = 0; i < CHANNEL; i++) {
      const r = await macRequest({ baseUrl: server.url, target: `/ingestion/${u.channelId}`, creds: u.sender, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(r.status, r.text).toBe(200);
    }
    const one = await runCli(['send', '--channel', u.channelId, '--json', '-'], { ...env, ...macCredentialEnv(u.sender) }, 30_000, '{"late":true}');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(new RegExp(`vaultgate: rate limited \\(channel: ${CHANNEL} per ${WINDOW_S} s\\), waiting \\d+ s\n`));
    expect(JSON.parse(one.stdout).messageId).toMatch(/^msg_test_/);
  }, 70_000);
});
