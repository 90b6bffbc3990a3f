import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateClient, VaultgateIncompleteExportError } from '../../src/sdk/index.js';
import type { GrantRecord } from '../../src/store/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { macRequest } from '../helpers/mac-request.js';
import { runCli } from '../helpers/processes.js';
import { tempDir, type Tenant } from '../helpers/servers.js';
import { createTenant, putGrant, revokeGrant, startSharingServer, type SharingServer } from '../helpers/sharing.js';

/*
 * Consumer reads through the SDK and the CLI (as a process), against a real server: the owners and grants a reader
 * holds, list, get and export of another owner's vault within them, and the refusal once the grant is revoked.
 */
describe('consumer reads: SDK and CLI (vault shared …)', () => {
  let s: SharingServer;
  let owner: Tenant;
  let consumer: Tenant;
  let grant: GrantRecord;
  let client: { clientId: string; clientSecret: string };
  const sent: Array<{ messageId: string; messageType: string; body: string }> = [];
  const work = tempDir('vg-cli-shared-');
  let mac: Record<string, string>;

  beforeAll(async () => {
    s = await startSharingServer();
    owner = await createTenant(s.admin, { businessId: '1967543-8', messageTypes: [{ name: 'Invoice', mediaTypes: ['application/json'] }, { name: 'Order', mediaTypes: ['application/json'] }] });
    consumer = await createTenant(s.admin, { businessId: '2729069-3' });
    for (let i = 0; i < 6; i++) {
      const messageType = i % 2 === 0 ? 'Invoice' : 'Order';
      const body = JSON.stringify({ i, city: 'Jyväskylä' });
      const r = await macRequest({ baseUrl: s.url, target: `/ingestion/${owner.channelId}`, creds: owner.sender, body, headers: { 'content-type': 'application/json', 'x-message-type': messageType } });
      expect(r.status, r.text).toBe(200);
      sent.push({ messageId: r.json().messageId, messageType, body });
      await sleep(2);
    }
    const c = await s.admin('POST', `/companies/${consumer.companyId}/clients`, { name: 'shared reader', roles: ['shared.read'] });
    client = c.body;
    grant = await putGrant(s.store, owner, consumer.companyId, 'active', { messageTypes: ['Invoice'] });
    mac = {
      PATH: process.env.PATH ?? '', VAULTGATE_URL: s.url,
      VAULTGATE_PARTNER_ID: consumer.reader.partnerId, VAULTGATE_PARTNER_KEY: consumer.reader.partnerKey,
      VAULTGATE_CUSTOMER_ID: consumer.reader.customerId, VAULTGATE_CUSTOMER_KEY: consumer.reader.customerKey,
      VAULTGATE_ORGANISATION_ID: consumer.reader.organisationId,
    };
  });
  afterAll(async () => {
    await s.close();
    rmSync(work, { recursive: true, force: true });
  });

  const invoices = () => sent.filter((m) => m.messageType === 'Invoice');

  it('the SDK lists, gets and exports within the grant, with a bearer token of a shared.read client', async () => {
    const vg = new VaultgateClient({ baseUrl: s.url, credentials: { clientId: client.clientId, clientSecret: client.clientSecret } });
    try {
      const { owners } = await vg.sharedOwners();
      expect(owners).toEqual([{ companyId: owner.companyId, name: `Company ${owner.businessId}`, businessId: owner.businessId, grants: [expect.objectContaining({ grantId: grant.id, messageTypes: ['Invoice'] })] }]);
      const listed = [];
      for await (const m of vg.listShared(owner.companyId, {}, { pageSize: 2 })) listed.push(m.messageId);
      expect(listed).toEqual(invoices().map((m) => m.messageId));
      const one = await vg.getShared(owner.companyId, invoices()[1]!.messageId);
      expect(one.body.toString('utf8')).toBe(invoices()[1]!.body);
      expect(one.grantId).toBe(grant.id);
      await expect(vg.getShared(owner.companyId, sent[1]!.messageId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const exported = [];
      for await (const m of vg.exportShared(owner.companyId)) exported.push(m.body);
      expect(exported).toEqual(invoices().map((m) => m.body));
      expect(VaultgateIncompleteExportError).toBeDefined();
    } finally {
      await vg.close();
    }
  });

  it('an export cut short says how to resume (the same command again), and running it again completes the file; --channel filters, --channel-id still does', async () => {
    const proxy = await startFaultProxy(() => s.url);
    try {
      const env = { PATH: process.env.PATH ?? '', VAULTGATE_CLIENT_ID: client.clientId, VAULTGATE_CLIENT_SECRET: client.clientSecret };
      const file = join(work, 'cut.ndjson');
      // The token and the export may share a connection or not: either way the export's answer is cut.
      proxy.inject({ cutAfterBytes: 1200 }, { cutAfterBytes: 1200 });
      const cut = await runCli(['vault', 'shared', 'export', '--owner', owner.companyId, '--out', file], { ...env, VAULTGATE_URL: proxy.url });
      expect(cut.code, cut.stderr).toBe(1);
      expect(cut.stderr).toContain(`what arrived is in ${file}`);
      expect(cut.stderr).toContain(`Run the same command again (same --out ${file}) to resume`);
      const again = await runCli(['vault', 'shared', 'export', '--owner', owner.companyId, '--out', file], { ...env, VAULTGATE_URL: s.url });
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).body)).toEqual(invoices().map((m) => m.body));
    } finally {
      await proxy.close();
    }
    for (const flag of ['--channel', '--channel-id']) {
      const env = { ...mac };
      const on = await runCli(['vault', 'shared', 'ls', '--owner', owner.companyId, flag, owner.channelId, '--json'], env);
      expect(on.code, on.stderr).toBe(0);
      expect(JSON.parse(on.stdout)).toHaveLength(invoices().length);
      const other = await runCli(['vault', 'shared', 'ls', '--owner', owner.companyId, flag, `ch_test_${'0'.repeat(26)}`, '--json'], env);
      expect(JSON.parse(other.stdout)).toEqual([]);
    }
    const help = await runCli(['vault', 'shared', 'ls', '--help'], mac);
    expect(help.stdout).toContain('--channel <id>');
    expect(help.stdout).not.toContain('--channel-id');
  });

  it('vaultgate vault shared ls / ls --owner / get / export, with MAC credentials and with a client; refused once the grant is revoked', async () => {
    const ls = await runCli(['vault', 'shared', 'ls'], mac);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(owner.companyId);
    expect(ls.stdout).toContain(grant.id);

    const list = await runCli(['vault', 'shared', 'list', '--owner', owner.companyId, '--json'], mac);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((m: any) => m.messageId)).toEqual(invoices().map((m) => m.messageId));

    const bearer = { PATH: mac.PATH!, VAULTGATE_URL: s.url, VAULTGATE_CLIENT_ID: client.clientId, VAULTGATE_CLIENT_SECRET: client.clientSecret };
    const out = join(work, 'one.json');
    const get = await runCli(['vault', 'shared', 'get', invoices()[0]!.messageId, '--owner', owner.companyId, '--out', out], bearer);
    expect(get.code, get.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(invoices()[0]!.body);
    expect(get.stderr).toContain(`grant ${grant.id}`);

    const file = join(work, 'shared.ndjson');
    const exp = await runCli(['vault', 'shared', 'export', '--owner', owner.companyId, '--out', file], bearer);
    expect(exp.code, exp.stderr).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).body)).toEqual(invoices().map((m) => m.body));
    const stdout = await runCli(['vault', 'shared', 'export', '--owner', owner.companyId], mac);
    expect(stdout.stdout).toBe(readFileSync(file, 'utf8'));

    await revokeGrant(s.store, grant);
    const refused = await runCli(['vault', 'shared', 'ls', '--owner', owner.companyId], mac);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('GRANT_REQUIRED');
    expect(refused.stderr).toMatch(/Request a grant/);
    const none = await runCli(['vault', 'shared', 'ls', '--json'], bearer);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });
});
