import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateApiError, VaultgateClient } from '../../src/sdk/index.js';
import { runCli } from '../helpers/processes.js';
import { listVault } from '../helpers/refusals.js';
import { createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 17 §2 through the SDK (signature option, contentDigest option) and the CLI (send --sign http-sig), against a
 * real server: signed sends stored, retries keep their nonce, a disabled key refused, the CLI's key file read as PEM
 * or as the HMAC secret shown once.
 */
describe('HTTP message signatures through the SDK and the CLI (issue 17 §2)', () => {
  let s: TestServer;
  let t: Tenant;
  const dir = tempDir('vg-sig-');
  let edKeyId = '';
  let edPem = '';
  let hmacKeyId = '';
  let hmacSecret = '';

  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
    const pair = generateKeyPairSync('ed25519');
    edPem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    edKeyId = (await s.admin('POST', `/parties/${t.partyId}/signature-keys`, { algorithm: 'ed25519', publicKey: pair.publicKey.export({ format: 'pem', type: 'spki' }) })).body.keyId;
    const h = (await s.admin('POST', `/parties/${t.partyId}/signature-keys`, { algorithm: 'hmac-sha256', label: 'cli' })).body;
    hmacKeyId = h.keyId;
    hmacSecret = h.secret;
  });
  afterAll(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SDK: sends signed with an Ed25519 key; the same transaction id again is already stored (nonce consumed)', async () => {
    const vg = new VaultgateClient({ baseUrl: s.url, signature: { keyId: edKeyId, algorithm: 'ed25519', key: edPem } });
    try {
      const transactionId = randomUUID();
      const r = await vg.send(t.channelId, '{"order":"SDK-1"}', { mediaType: 'application/json', transactionId });
      expect(r.alreadyStored).toBe(false);
      expect(r.messageId).toMatch(/^msg_test_/);
      const again = await vg.send(t.channelId, '{"order":"SDK-1"}', { mediaType: 'application/json', transactionId }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(VaultgateApiError);
      expect((again as VaultgateApiError).code).toBe('REQUEST_NOT_UNIQUE');
      // Reads need credentials: a signature-only client says so.
      await expect(vg.listMessages().next()).rejects.toThrow(/reading needs credentials/);
    } finally {
      await vg.close();
    }
    const items = await listVault(s.url, t.reader);
    expect(items.some((m) => m.transactionId !== undefined)).toBe(true);
  });

  it('SDK: an HMAC key, and a wrong secret refused as SIGNATURE_INVALID', async () => {
    const good = new VaultgateClient({ baseUrl: s.url, signature: { keyId: hmacKeyId, algorithm: 'hmac-sha256', key: Buffer.from(hmacSecret, 'base64url') } });
    const bad = new VaultgateClient({ baseUrl: s.url, signature: { keyId: hmacKeyId, algorithm: 'hmac-sha256', key: Buffer.alloc(32, 7) } });
    try {
      expect((await good.send(t.channelId, '<o/>', { mediaType: 'application/json' })).messageId).toMatch(/^msg_test_/);
      const e = await bad.send(t.channelId, '<o/>', { mediaType: 'application/json' }).catch((err: unknown) => err);
      expect((e as VaultgateApiError).code).toBe('SIGNATURE_INVALID');
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('SDK: a signature over another name of the server (localhost for 127.0.0.1) is SIGNATURE_INVALID, and the remedy says to sign the public URL', async () => {
    const other = s.url.replace('127.0.0.1', 'localhost');
    expect(other).not.toBe(s.url);
    const vg = new VaultgateClient({ baseUrl: other, acceptLanguage: 'fi', signature: { keyId: hmacKeyId, algorithm: 'hmac-sha256', key: Buffer.from(hmacSecret, 'base64url') } });
    try {
      const e = (await vg.send(t.channelId, '{}', { mediaType: 'application/json' }).catch((err: unknown) => err)) as VaultgateApiError;
      expect(e.code).toBe('SIGNATURE_INVALID');
      const body = e.body as { detail: string; remedy: string };
      expect(body.detail).toContain(s.url);
      expect(body.remedy).toContain('VAULTGATE_PUBLIC_URL');
      expect(body.remedy).toContain('julkinen URL-osoite');
    } finally {
      await vg.close();
    }
  });

  it('SDK: contentDigest sends Content-Digest on the MAC scheme, and a channel that requires it accepts', async () => {
    await s.admin('POST', `/channels/${t.channelId}/integrity`, { requireContentDigest: true });
    const plain = new VaultgateClient({ baseUrl: s.url, credentials: { ...t.sender, organisationId: t.businessId } });
    const digesting = new VaultgateClient({ baseUrl: s.url, credentials: { ...t.sender, organisationId: t.businessId }, contentDigest: true });
    try {
      const e = await plain.send(t.channelId, '{"a":1}', { mediaType: 'application/json' }).catch((err: unknown) => err);
      expect((e as VaultgateApiError).code).toBe('CONTENT_DIGEST_REQUIRED');
      expect((await digesting.send(t.channelId, '{"a":1}', { mediaType: 'application/json' })).messageId).toMatch(/^msg_test_/);
    } finally {
      await plain.close();
      await digesting.close();
      await s.admin('POST', `/channels/${t.channelId}/integrity`, { requireContentDigest: false });
    }
  });

  it('CLI: send --content-digest (one message and an --ndjson batch) on the MAC scheme reaches a channel that requires it', async () => {
    await s.admin('POST', `/channels/${t.channelId}/integrity`, { requireContentDigest: true });
    try {
      const env = {
        HOME: dir, VAULTGATE_URL: s.url, VAULTGATE_PARTNER_ID: t.sender.partnerId, VAULTGATE_PARTNER_KEY: t.sender.partnerKey,
        VAULTGATE_CUSTOMER_ID: t.sender.customerId, VAULTGATE_CUSTOMER_KEY: t.sender.customerKey, VAULTGATE_ORGANISATION_ID: t.businessId,
      };
      const without = await runCli(['send', '--channel', t.channelId, '-'], env, 15_000, '{"d":0}');
      expect(without.code).not.toBe(0);
      expect(without.stderr).toContain('CONTENT_DIGEST_REQUIRED');
      expect(without.stderr).toContain('--content-digest');
      const before = (await listVault(s.url, t.reader)).length;
      const one = await runCli(['send', '--channel', t.channelId, '--content-digest', '--json', '-'], env, 15_000, '{"d":1}');
      expect(one.code, one.stderr).toBe(0);
      expect(JSON.parse(one.stdout).messageId).toMatch(/^msg_test_/);
      const file = join(dir, 'digest.ndjson');
      writeFileSync(file, '{"d":2}\n{"d":3}\n');
      const batch = await runCli(['send', '--channel', t.channelId, '--message-type', 'TransportOrder', '--content-digest', '--ndjson', file, '--json'], env, 30_000);
      expect(batch.code, batch.stderr + batch.stdout).toBe(0);
      expect(JSON.parse(batch.stdout).sent).toBe(2);
      expect((await listVault(s.url, t.reader)).length).toBe(before + 3);
    } finally {
      await s.admin('POST', `/channels/${t.channelId}/integrity`, { requireContentDigest: false });
    }
  });

  it('CLI: send --sign http-sig with a PEM key file and with the HMAC secret; a disabled key fails with its code', async () => {
    const pem = join(dir, 'ed.pem');
    writeFileSync(pem, edPem, { mode: 0o600 });
    const secret = join(dir, 'hmac.txt');
    writeFileSync(secret, `${hmacSecret}\n`, { mode: 0o600 });
    const env = { HOME: dir, VAULTGATE_URL: s.url };
    for (const [keyId, file] of [[edKeyId, pem], [hmacKeyId, secret]] as const) {
      const r = await runCli(['send', '--channel', t.channelId, '--sign', 'http-sig', '--key-id', keyId, '--key-file', file, '--json', '-'], env, 15_000, '{"order":"CLI"}');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).messageId).toMatch(/^msg_test_/);
    }
    await s.admin('POST', `/parties/${t.partyId}/signature-keys/${hmacKeyId}/disable`);
    const off = await runCli(['send', '--channel', t.channelId, '--sign', 'http-sig', '--key-id', hmacKeyId, '--key-file', secret, '-'], env, 15_000, '{}');
    expect(off.code).not.toBe(0);
    expect(off.stderr).toContain('SIGNATURE_KEY_UNKNOWN');
    const missing = await runCli(['send', '--channel', t.channelId, '--sign', 'http-sig', '--key-id', edKeyId, '-'], env, 15_000, '{}');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--key-file');
  });
  it('SDK sendBatch and CLI send --ndjson sign batches too: every item stored once', async () => {
    const before = (await listVault(s.url, t.reader)).length;
    const vg = new VaultgateClient({ baseUrl: s.url, signature: { keyId: edKeyId, algorithm: 'ed25519', key: edPem } });
    try {
      const out = await vg.sendBatch(t.channelId, [1, 2, 3].map((n) => ({ body: JSON.stringify({ n }), mediaType: 'application/json', messageType: 'TransportOrder' })));
      expect(out.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    } finally {
      await vg.close();
    }
    const pem = join(dir, 'ed-batch.pem');
    writeFileSync(pem, edPem, { mode: 0o600 });
    const file = join(dir, 'batch.ndjson');
    writeFileSync(file, '{"a":1}\n{"a":2}\n');
    const r = await runCli(['send', '--channel', t.channelId, '--message-type', 'TransportOrder', '--sign', 'http-sig', '--key-id', edKeyId, '--key-file', pem, '--ndjson', file, '--json'], { HOME: dir, VAULTGATE_URL: s.url }, 30_000);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((await listVault(s.url, t.reader)).length).toBe(before + 5);
  });
});
