import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { tempDir } from '../../../../test/helpers/servers.js';
import { selfSignedCert, startWebhookReceiver, type WebhookReceiver } from '../../../../test/helpers/webhook-receiver.js';
import { addressPolicy } from './address-policy.js';
import { MAX_RESPONSE_BYTES, WebhookSender } from './webhook-sender.js';
import { newWebhookSecret } from './webhook-secrets.js';

/* One attempt over a real HTTPS socket: signature verified by the standardwebhooks library, SSRF at connect time, bounds. */

describe('webhook sender', () => {
  const dir = tempDir();
  let tls: ReturnType<typeof selfSignedCert>;
  let receiver: WebhookReceiver;
  let ca: Buffer;
  const senders: WebhookSender[] = [];
  const sender = (o: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}) => {
    const s = new WebhookSender({ policy: addressPolicy({ allowPrivate: false, allowCidrs: ['127.0.0.1'] }), ca, timeoutMs: 2000, ...o });
    senders.push(s);
    return s;
  };
  const send = (s: WebhookSender, url: string, secrets = [newWebhookSecret()], payload = '{"type":"webhook.test"}') =>
    s.send(url, { webhookId: 'msg_sendertest', timestamp: new Date(), secrets }, payload, Date.now());

  beforeAll(async () => {
    tls = selfSignedCert(dir);
    ca = readFileSync(tls.certFile);
    receiver = await startWebhookReceiver(tls);
  });
  afterAll(async () => {
    for (const s of senders) await s.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts the payload with Standard Webhooks headers that the standardwebhooks library verifies, with each of two secrets', async () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const r = await send(sender(), `${receiver.url}/in`, [a, b], '{"type":"message.received","x":"Örebro"}');
    expect(r).toMatchObject({ ok: true, statusCode: 204, error: null });
    const got = receiver.receipts.at(-1)!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [a, b]) expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toEqual({ type: 'message.received', x: 'Örebro' });
    expect(() => new Webhook(newWebhookSecret()).verify(got.body, got.headers as Record<string, string>)).toThrow();
  });

  it('refuses at connect time an address the policy refuses, after DNS resolution and for literal IPs', async () => {
    const strict = sender({ policy: addressPolicy({ allowPrivate: false }) });
    const byName = await send(strict, `https://localhost:${receiver.port}/in`);
    expect(byName.ok).toBe(false);
    expect(byName.error).toMatch(/localhost resolves to a refused address: 127\.0\.0\.1 is not a public address/);
    const literal = await send(strict, `${receiver.url}/in`);
    expect(literal.error).toMatch(/127\.0\.0\.1 is not a public address/);
    expect(receiver.receipts.filter((x) => x.headers['webhook-id'] === 'msg_sendertest')).toHaveLength(1);
  });

  it("does not trust the receiver's self-signed certificate without the configured CA", async () => {
    const r = await send(sender({ ca: undefined }), `${receiver.url}/in`);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/SELF_SIGNED|self-signed|certificate/i);
  });

  it('treats 3xx (not followed), 4xx and 5xx as failures, reads Retry-After of 429/503, bounds time and the answer read', async () => {
    const s = sender({ timeoutMs: 300 });
    receiver.answer = () => ({ status: 302, headers: { location: 'https://example.com/' } });
    expect(await send(s, `${receiver.url}/in`)).toMatchObject({ ok: false, statusCode: 302, error: 'HTTP 302 (redirects are not followed)' });
    receiver.answer = () => ({ status: 503, headers: { 'retry-after': '30' } });
    expect(await send(s, `${receiver.url}/in`)).toMatchObject({ ok: false, statusCode: 503, retryAfterMs: 30_000 });
    receiver.answer = () => ({ status: 200, body: 'x'.repeat(MAX_RESPONSE_BYTES * 4) });
    expect(await send(s, `${receiver.url}/in`)).toMatchObject({ ok: true, statusCode: 200 });
    receiver.answer = () => ({ status: 200, delayMs: 1000 });
    const slow = await send(s, `${receiver.url}/in`);
    expect(slow).toMatchObject({ ok: false, statusCode: null });
    expect(slow.error).toMatch(/timed out|Timeout/i);
    receiver.answer = () => ({ status: 204 });
  });
});
