import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/server/services/accounts/totp.js';
import { CLI, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

/*
 * Self-service from the CLI against a real server (issue 14): the vendor's admin requests a channel (`vaultgate org
 * channels request`), the company's admin approves it, the vendor creates its partner credential and the company
 * its customer credentials (`vaultgate org credentials create`), a message sent with `vaultgate send` (the SDK, MAC)
 * is read back by the company with `vaultgate vault get` and its self-service vault.read credential; a key rotated
 * from the CLI works at once; the vendor downloads the Postman files.
 */

const PASSWORD = 'komentorivi kulkee kuin juna';

describe('vaultgate org credentials and channels', () => {
  let s: TestServer;
  const homes = { vendor: tempDir(), company: tempDir() };
  const vg = (who: keyof typeof homes, args: string[], o: { env?: Record<string, string>; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: homes[who], VAULTGATE_URL: s.url, VAULTGATE_ADMIN_TOKEN: s.adminToken, VAULTGATE_PASSWORD: PASSWORD, ...o.env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.stdin.end(o.input ?? '');
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  const json = async (who: keyof typeof homes, args: string[], o: Parameters<typeof vg>[2] = {}) => {
    const r = await vg(who, args, o);
    expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  /** Registers, has the operator approve, signs in (the session kept in the profile); returns the organisation id. */
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
    for (const h of Object.values(homes)) rmSync(h, { recursive: true, force: true });
  });

  it('request → approve → partner credential → send (MAC) → the company reads it back; rotate; Postman', async () => {
    const vendorOrg = await onboard('vendor', 'party', 'cli@toimittaja.example');
    const companyOrg = await onboard('company', 'company', 'cli@yritys.example', ['--business-id', '1967543-8']);
    const vendor = (args: string[], o?: Parameters<typeof vg>[2]) => json('vendor', ['org', '--org', vendorOrg, '--json', ...args], o);
    const company = (args: string[], o?: Parameters<typeof vg>[2]) => json('company', ['org', '--org', companyOrg, '--json', ...args], o);

    const request = await vendor(['channels', 'request', '--business-id', '1967543-8', '--type', 'TransportOrder:application/json,application/xml']);
    expect(request).toMatchObject({ status: 'pending', channelId: null });
    const wrongSide = await vg('vendor', ['org', '--org', vendorOrg, 'channels', 'approve', request.id]);
    expect(wrongSide.code).toBe(1);
    expect(wrongSide.stderr).toContain('ORGANISATION_KIND_MISMATCH');
    // What the company admin decides on: the vendor's name, who asked (email), and the requested types.
    const pending = await vg('company', ['org', '--org', companyOrg, 'channels', 'requests', '--status', 'pending']);
    const row = pending.stdout.split('\n').find((l) => l.startsWith(request.id))!;
    for (const shown of ['vendor Oy', 'cli@toimittaja.example', 'company Oy', 'TransportOrder:application/json,application/xml']) expect(row).toContain(shown);
    expect(pending.stdout.split('\n')[0]).toMatch(/^id\s+status\s+vendorName\s+requestedByEmail\s+companyName\s+requested\s+granted\s+channelId/);
    // The approval prints what the channel got (narrowed), not what was asked, and the channel id.
    const approval = await vg('company', ['org', '--org', companyOrg, 'channels', 'approve', request.id, '--type', 'TransportOrder:application/json']);
    expect(approval.code, approval.stderr).toBe(0);
    expect(approval.stdout).toMatch(/^granted\s+TransportOrder:application\/json$/m);
    expect(approval.stdout).not.toContain('application/xml');
    const channelId = /^channelId\s+(ch_test_\S+)$/m.exec(approval.stdout)![1]!;
    const approved = (await company(['channels', 'requests', '--status', 'approved'])).items[0];
    expect(approved).toMatchObject({ id: request.id, channelId, grantedMessageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });

    const partner = await vendor(['credentials', 'create', '--kind', 'partner']);
    const ingest = await company(['credentials', 'create', '--kind', 'customer', '--name', 'for the vendor', '--scopes', 'ingest']);
    const reader = await company(['credentials', 'create', '--kind', 'customer', '--name', 'reader', '--scopes', 'vault.read']);
    expect((await vg('company', ['org', '--org', companyOrg, 'credentials', 'ls', '--kind', 'customer'])).stdout).toContain(reader.customerId);
    // The lists page: --limit, then the printed --cursor for the next page; the last page prints no hint.
    const first = await vg('company', ['org', '--org', companyOrg, 'credentials', 'ls', '--kind', 'customer', '--limit', '1']);
    expect(first.stdout).toContain(ingest.customerId);
    expect(first.stdout).not.toContain(reader.customerId);
    const cursor = /^more: --cursor (\S+)$/m.exec(first.stdout)![1]!;
    const second = await vg('company', ['org', '--org', companyOrg, 'credentials', 'ls', '--kind', 'customer', '--limit', '1', '--cursor', cursor]);
    expect(second.stdout).toContain(reader.customerId);
    expect(second.stdout).not.toContain('more:');
    for (const args of [['channels', 'ls'], ['channels', 'requests']]) {
      const one = await vg('company', ['org', '--org', companyOrg, ...args, '--limit', '1']);
      expect(one.stdout, args.join(' ')).toContain(channelId);
      expect(one.stdout).not.toContain('more:');
    }
    const badLimit = await vg('company', ['org', '--org', companyOrg, 'channels', 'ls', '--limit', '0']);
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toContain('limit must be a whole number from 1 to 1000');
    // Human output says the key is shown once (stderr), as the server gives it once.
    const human = await vg('company', ['org', '--org', companyOrg, 'credentials', 'create', '--kind', 'customer', '--name', 'human', '--scopes', 'ingest']);
    expect(human.stdout).toMatch(/^customerKey\s+\S+$/m);
    expect(human.stderr).toContain('shown once. Store it now; it cannot be shown again.');
    const humanId = /^customerId\s+(\S+)$/m.exec(human.stdout)![1]!;
    expect((await vg('company', ['org', '--org', companyOrg, 'credentials', 'rotate', humanId])).stderr).toContain('shown once');
    expect((await vg('company', ['org', '--org', companyOrg, 'credentials', 'disable', humanId])).stderr).not.toContain('shown once');

    const mac = (customer: { customerId: string; customerKey: string }, partnerKey = partner.partnerKey as string) => ({
      VAULTGATE_PARTNER_ID: partner.partnerId, VAULTGATE_PARTNER_KEY: partnerKey, VAULTGATE_CUSTOMER_ID: customer.customerId,
      VAULTGATE_CUSTOMER_KEY: customer.customerKey, VAULTGATE_ORGANISATION_ID: '1967543-8',
    });
    const sent = await json('vendor', ['send', '--channel', channelId, '--message-type', 'TransportOrder', '--json', '-'], { env: mac(ingest), input: '{"kolli":"Åbo"}' });
    expect(sent.messageId).toMatch(/^msg_test_/);
    const read = await vg('company', ['vault', 'get', sent.messageId], { env: mac(reader) });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('{"kolli":"Åbo"}');

    // Rotation from the CLI: the new key works at once, the old one through the overlap window.
    const rotated = await company(['credentials', 'rotate', ingest.customerId, '--overlap-hours', '1']);
    expect(Date.parse(rotated.previousValidUntil) - Date.parse(rotated.rotatedAt)).toBe(3_600_000);
    for (const key of [rotated.customerKey, ingest.customerKey]) {
      const again = await json('vendor', ['send', '--channel', channelId, '--message-type', 'TransportOrder', '--json', '-'], { env: mac({ customerId: ingest.customerId, customerKey: key }), input: '{}' });
      expect(again.messageId).toMatch(/^msg_test_/);
    }

    const postman = await json('vendor', ['org', '--org', vendorOrg, 'channels', 'postman', channelId]);
    expect(postman.collection.info.name).toEqual(expect.any(String));
    expect(JSON.stringify(postman.environment)).toContain(partner.partnerId);
    // --out writes the two files and prints their names (the old spelling --organisation still works, hidden).
    const out = join(homes.vendor, 'postman');
    const files = await vg('vendor', ['org', '--organisation', vendorOrg, 'channels', 'postman', channelId, '--out', out]);
    expect(files.code, files.stderr).toBe(0);
    expect(files.stdout).toBe(`${join(out, channelId)}.postman_collection.json\n${join(out, channelId)}.postman_environment.json\n`);
    expect(JSON.parse(readFileSync(join(out, `${channelId}.postman_collection.json`), 'utf8'))).toEqual(postman.collection);
    expect(JSON.parse(readFileSync(join(out, `${channelId}.postman_environment.json`), 'utf8'))).toEqual(postman.environment);

    const off = await company(['channels', 'disable', channelId]);
    expect(off.status).toBe('disabled');
    const refused = await vg('vendor', ['send', '--channel', channelId, '--message-type', 'TransportOrder', '-'], { env: mac({ customerId: ingest.customerId, customerKey: rotated.customerKey }), input: '{}' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('CHANNEL_DISABLED');
  });

  it('shows the organisation and requires TOTP of its members from the CLI; --org is the one spelling', async () => {
    const companyOrg = (await json('company', ['account', '--json', 'me'])).memberships[0].organisationId as string;
    expect(await json('company', ['org', '--org', companyOrg, '--json', 'show'])).toMatchObject({ id: companyOrg, name: 'company Oy', businessId: '1967543-8', requireTotp: false });
    // The admin has no TOTP yet: requiring it would hold them to enrolment, so it is refused until they enrol.
    const first = await vg('company', ['org', '--org', companyOrg, 'require-totp', 'on']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('TOTP_ENROLMENT_FIRST');
    expect(first.stderr).toContain('vaultgate account totp enrol');
    const enrol = await json('company', ['account', '--json', 'totp', 'enrol']);
    expect((await vg('company', ['account', 'totp', 'confirm', totpCode(enrol.secret, Date.now())])).code).toBe(0);
    expect(await json('company', ['org', '--org', companyOrg, '--json', 'require-totp', 'on'])).toMatchObject({ id: companyOrg, requireTotp: true });
    expect((await vg('company', ['org', '--org', companyOrg, 'show'])).stdout).toMatch(/^requireTotp\s+true$/m);
    expect(await json('company', ['org', '--org', companyOrg, '--json', 'require-totp', 'off'])).toMatchObject({ requireTotp: false });
    expect((await vg('company', ['org', '--org', companyOrg, 'show'])).stdout).toMatch(/^requireTotp\s+false$/m);
    const bad = await vg('company', ['org', '--org', companyOrg, 'require-totp', 'maybe']);
    expect(bad.code).toBe(2);
    const none = await vg('company', ['org', 'show']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("required option '--org <organisationId>' not specified");
    const help = await vg('company', ['org', '--help']);
    expect(help.stdout).toContain('--org <organisationId>');
    expect(help.stdout).not.toContain('--organisation ');
  });
});
