import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

/*
 * Issue 17 from the command line, against a real server: a vendor's admin registers HTTP-signature keys (`vaultgate
 * org signature-keys add`: an HMAC secret printed once, public keys uploaded as PEM and JWK), lists and disables them;
 * the company's admin requires Content-Digest on the channel (`vaultgate org channels integrity`); signed sends pass,
 * a disabled key is refused; the operator sees and sets the same with `vaultgate admin party signature-keys …` and
 * `vaultgate admin channel integrity`.
 */
const PASSWORD = 'allekirjoitus kulkee kuin juna';

describe('vaultgate org|admin signature-keys and channels integrity', () => {
  let s: TestServer;
  const homes = { vendor: tempDir(), company: tempDir() };
  const work = tempDir('vg-sigkeys-');
  const vg = (who: keyof typeof homes, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: homes[who], HOME: homes[who], VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken, VAULTGATE_PASSWORD: PASSWORD },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.stdin.end(input);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const json = async (who: keyof typeof homes, args: string[], input?: string) => {
    const r = await vg(who, args, input);
    expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  const onboard = async (who: keyof typeof homes, kind: string, email: string, extra: string[] = []): Promise<string> => {
    const reg = await json(who, ['account', '--json', 'register', '--kind', kind, '--organisation-name', `${who} Oy`, '--email', email, '--display-name', who, ...extra]);
    const approved = await json(who, ['admin', '--json', 'registrations', 'approve', reg.id]);
    expect((await vg(who, ['account', 'signin', '--email', email])).code).toBe(0);
    return approved.organisationId;
  };

  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
    for (const h of [...Object.values(homes), work]) rmSync(h, { recursive: true, force: true });
  });

  it('registers, lists and disables keys; requires Content-Digest on a channel; signed sends pass, a disabled key is refused', async () => {
    const vendorOrg = await onboard('vendor', 'party', 'sig@toimittaja.example');
    const companyOrg = await onboard('company', 'company', 'sig@yritys.example', ['--business-id', '1967543-8']);
    const vendor = (args: string[]) => json('vendor', ['org', '--org', vendorOrg, '--json', ...args]);
    const company = (args: string[]) => json('company', ['org', '--org', companyOrg, '--json', ...args]);
    const request = await vendor(['channels', 'request', '--business-id', '1967543-8', '--type', 'TransportOrder:application/json']);
    const channelId = (await company(['channels', 'approve', request.id])).channelId as string;

    // HMAC: the secret is printed once, and the human output says so.
    const human = await vg('vendor', ['org', '--org', vendorOrg, 'signature-keys', 'add', '--algorithm', 'hmac-sha256', '--label', 'erp']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/secret\s+\S{40,}/);
    expect(human.stderr).toContain('shown once');
    const hmac = await vendor(['signature-keys', 'add', '--algorithm', 'hmac-sha256', '--label', 'batch']);
    expect(hmac).toMatchObject({ keyId: expect.stringMatching(/^hsk_test_/), algorithm: 'hmac-sha256', status: 'active', secret: expect.any(String) });
    // Public keys uploaded as PEM and as a JWK.
    const ed = generateKeyPairSync('ed25519');
    const pemFile = join(work, 'ed.pub.pem');
    writeFileSync(pemFile, ed.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const fromPem = await vendor(['signature-keys', 'add', '--algorithm', 'ed25519', '--public-key-file', pemFile, '--label', 'pem']);
    expect(fromPem).toMatchObject({ algorithm: 'ed25519', publicJwk: { kty: 'OKP', crv: 'Ed25519' } });
    expect(fromPem.secret).toBeUndefined();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwkFile = join(work, 'ec.jwk.json');
    writeFileSync(jwkFile, JSON.stringify(ec.publicKey.export({ format: 'jwk' })));
    expect(await vendor(['signature-keys', 'add', '--algorithm', 'ecdsa-p256-sha256', '--public-key-file', jwkFile])).toMatchObject({ algorithm: 'ecdsa-p256-sha256', status: 'active' });
    // A private key is refused with its code; an HMAC key with a file, and a public-key algorithm without one, by the CLI.
    const privFile = join(work, 'ed.pem');
    writeFileSync(privFile, ed.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const priv = await vg('vendor', ['org', '--org', vendorOrg, 'signature-keys', 'add', '--algorithm', 'ed25519', '--public-key-file', privFile]);
    expect(priv.code).not.toBe(0);
    expect(priv.stderr).toContain('SIGNATURE_KEY_INVALID');
    expect((await vg('vendor', ['org', '--org', vendorOrg, 'signature-keys', 'add', '--algorithm', 'hmac-sha256', '--public-key-file', pemFile])).stderr).toContain('--public-key-file is for ed25519');
    expect((await vg('vendor', ['org', '--org', vendorOrg, 'signature-keys', 'add', '--algorithm', 'ed25519'])).stderr).toContain('--public-key-file is required');
    // The company cannot hold keys (not a vendor).
    const notVendor = await vg('company', ['org', '--org', companyOrg, 'signature-keys', 'ls']);
    expect(notVendor.code).not.toBe(0);

    const table = await vg('vendor', ['org', '--org', vendorOrg, 'signature-keys', 'ls']);
    expect(table.stdout.split('\n')[0]).toMatch(/^keyId\s+algorithm\s+label\s+status/);
    expect(table.stdout).not.toContain(hmac.secret);
    expect((await vendor(['signature-keys', 'ls'])).items).toHaveLength(4);

    // The company's admin requires Content-Digest; both sides read the rule.
    expect(await vendor(['channels', 'integrity', channelId])).toEqual({ channelId, requireContentDigest: false });
    expect(await company(['channels', 'integrity', channelId, '--require-content-digest', 'true'])).toEqual({ channelId, requireContentDigest: true });
    expect(await vendor(['channels', 'integrity', channelId])).toEqual({ channelId, requireContentDigest: true });

    // A signed send (it always carries Content-Digest) with the HMAC secret as printed.
    const secretFile = join(work, 'hmac.txt');
    writeFileSync(secretFile, `${hmac.secret}\n`, { mode: 0o600 });
    const sent = await json('vendor', ['send', '--channel', channelId, '--sign', 'http-sig', '--key-id', hmac.keyId, '--key-file', secretFile, '--json', '-'], '{"signed":true}');
    expect(sent.messageId).toMatch(/^msg_test_/);
    expect(await vendor(['signature-keys', 'disable', hmac.keyId])).toMatchObject({ keyId: hmac.keyId, status: 'disabled' });
    const refused = await vg('vendor', ['send', '--channel', channelId, '--sign', 'http-sig', '--key-id', hmac.keyId, '--key-file', secretFile, '-'], '{}');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('SIGNATURE_KEY_UNKNOWN');

    // The operator: the party's keys, a key added for it, and the channel's rule set back.
    const admin = (args: string[]) => json('vendor', ['admin', '--json', ...args]);
    const listed = await admin(['party', 'signature-keys', 'ls', '--party', request.partyId]);
    expect(listed.items.find((k: { keyId: string }) => k.keyId === hmac.keyId)).toMatchObject({ status: 'disabled' });
    const byOperator = await admin(['party', 'signature-keys', 'add', '--party', request.partyId, '--algorithm', 'hmac-sha256', '--label', 'operator']);
    expect(byOperator.secret).toEqual(expect.any(String));
    expect(await admin(['party', 'signature-keys', 'disable', byOperator.keyId, '--party', request.partyId])).toMatchObject({ status: 'disabled' });
    expect(await admin(['channel', 'integrity', channelId, '--require-content-digest', 'false'])).toEqual({ channelId, requireContentDigest: false });
    expect(await company(['channels', 'integrity', channelId])).toEqual({ channelId, requireContentDigest: false });
    const noParty = await vg('vendor', ['admin', 'party', 'signature-keys', 'ls']);
    expect(noParty.stderr).toContain('--party');
  }, 60_000);
});
