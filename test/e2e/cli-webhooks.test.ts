import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { VaultgateClient } from '../../src/sdk/index.js';
import { CLI, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';
import { selfSignedCert, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * `vaultgate org webhooks …` as a process against a real server (issue 15): add an endpoint (the secret printed once),
 * a message sent with the SDK reaches the local HTTPS receiver signed (verified with standardwebhooks), test,
 * deliveries, rotate, replay, disable, enable, rm; a refused URL prints its code and remedy.
 */

describe('vaultgate org webhooks', () => {
  const home = tempDir();
  const certDir = tempDir();
  let s: TestServer;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  const vg = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, VAULTGATE_URL: s.url, VAULTGATE_SESSION_TOKEN: s.adminToken, VAULTGATE_ADMIN_TOKEN: s.adminToken },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.stdin.end('');
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const json = async (args: string[]) => {
    const r = await vg(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  const org = () => ['org', '--json', '--org', tenant.companyId, 'webhooks'];

  beforeAll(async () => {
    const tls = selfSignedCert(certDir);
    receiver = await startWebhookReceiver(tls);
    s = await startTestServer({ VAULTGATE_WEBHOOK_ALLOW_CIDRS: '127.0.0.1', VAULTGATE_WEBHOOK_CA: tls.certFile, VAULTGATE_WEBHOOK_DISPATCH_MS: '50' });
    tenant = await createTenant(s.admin);
  });
  afterAll(async () => {
    await s.stop();
    await receiver.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(certDir, { recursive: true, force: true });
  });

  it('adds an endpoint, delivers a sent message signed, and manages it: test, deliveries, rotate, replay, disable, enable, rm', async () => {
    const refused = await vg(['org', '--org', tenant.companyId, 'webhooks', 'add', 'https://10.0.0.1/in']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('WEBHOOK_URL_REFUSED');
    expect(refused.stderr).toContain('VAULTGATE_WEBHOOK_ALLOW_CIDRS');

    const ep = await json([...org(), 'add', `${receiver.url}/cli`, '--description', 'from the CLI', '--message-type', 'TransportOrder']);
    expect(ep).toMatchObject({ id: expect.stringMatching(/^ep_test_/), secret: expect.stringMatching(/^whsec_/), filters: { messageTypes: ['TransportOrder'] } });
    const listed = await vg(['org', '--org', tenant.companyId, 'webhooks', 'ls']);
    expect(listed.stdout).toContain(ep.id);
    expect(listed.stdout).not.toContain(ep.secret);

    const client = new VaultgateClient({ baseUrl: s.url, credentials: tenant.sender, retry: { maxAttempts: 1 } });
    const { messageId } = await client.send(tenant.channelId, '{"from":"cli test"}', { messageType: 'TransportOrder', mediaType: 'application/json' });
    await client.close();
    const [r] = await receiver.waitFor((rs) => rs.some((x) => x.path === '/cli'));
    const event = new Webhook(ep.secret).verify(r!.body, r!.headers as Record<string, string>) as { data: { messageId: string } };
    expect(event.data.messageId).toBe(messageId);

    expect(await json([...org(), 'test', ep.id])).toMatchObject({ status: 'pending' });
    await receiver.waitFor((rs) => rs.filter((x) => x.path === '/cli').length === 2);
    const log = await json([...org(), 'deliveries', ep.id]);
    expect(log.items.map((d: any) => d.eventType).sort()).toEqual(['message.received', 'webhook.test']);
    const table = await vg(['org', '--org', tenant.companyId, 'webhooks', 'deliveries', ep.id]);
    expect(table.stdout).toMatch(/succeeded/);

    const rotated = await json([...org(), 'rotate', ep.id, '--overlap-hours', '2']);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(await json([...org(), 'replay', ep.id, '--message', messageId])).toEqual({ queued: 1, truncated: false });
    const [, , again] = await receiver.waitFor((rs) => rs.filter((x) => x.path === '/cli').length === 3).then((rs) => rs.filter((x) => x.path === '/cli'));
    expect(String(again!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(again!.headers['webhook-id']).toBe(r!.headers['webhook-id']);

    expect(await json([...org(), 'disable', ep.id])).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    expect(await json([...org(), 'enable', ep.id])).toMatchObject({ status: 'active' });
    expect(await json([...org(), 'rm', ep.id])).toEqual({ deleted: ep.id });
    const gone = await vg(['org', '--org', tenant.companyId, 'webhooks', 'show', ep.id]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('NOT_FOUND');
  });
});
