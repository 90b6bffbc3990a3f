import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { adminCall, businessIds, CLI, macCredentialEnv, spawnServer, tempDir, type ServerProcess } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * The CLI of issue 16 as processes against a server process: `org listing`, `directory search`, `feed checkpoints
 * ls|set|rm`, and `vault feed --checkpoint` reading from a checkpoint and committing each printed batch, so that the
 * next run goes on after it.
 */
describe('directory and feed checkpoints through the CLI', () => {
  let srv: ServerProcess;
  let org: TestOrganisation;
  let hidden: TestOrganisation;
  let reader: MacCredentials;
  let sender: MacCredentials;
  let channelId = '';
  const dir = tempDir();
  const [idOrg, idHidden] = businessIds(4730000, 2) as [string, string];
  const base = () => ({ PATH: process.env.PATH ?? '', HOME: dir, VAULTGATE_URL: srv.url });
  const cli = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await run(process.execPath, [CLI, ...args], { env: { ...base(), ...env } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const send = async (i: number): Promise<string> => {
    const r = await macRequest({ baseUrl: srv.url, target: `/ingestion/${channelId}`, creds: sender, body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } });
    expect(r.status, r.text).toBe(200);
    return r.json().messageId;
  };
  const items = (stdout: string): any[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));

  beforeAll(async () => {
    srv = await spawnServer({ VAULTGATE_DATA_DIR: join(dir, 'data') });
    const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
    const admin = (m: 'GET' | 'POST', p: string, b?: unknown) => adminCall(srv.url, token, m, p, b);
    org = await registerOrganisation(srv.url, token, { kind: 'company', email: 'admin@cli-seuraaja.test', businessId: idOrg, name: 'Komentorivin Rahti Oy' });
    hidden = await registerOrganisation(srv.url, token, { kind: 'company', email: 'admin@cli-piilo.test', businessId: idHidden, name: 'Piilotettu Rahti Oy' });
    const party = await admin('POST', '/parties', { name: 'Lähettäjä' });
    const partner = await admin('POST', `/parties/${party.body.id}/partner-credentials`);
    const cred = async (scopes: string[]) => (await admin('POST', `/companies/${org.orgId}/customer-credentials`, { name: scopes.join(), scopes })).body;
    const [ingest, read] = [await cred(['ingest']), await cred(['vault.read'])];
    const mac = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey, organisationId: idOrg };
    sender = { ...mac, customerId: ingest.customerId, customerKey: ingest.customerKey };
    reader = { ...mac, customerId: read.customerId, customerKey: read.customerKey };
    channelId = (await admin('POST', '/channels', { companyId: org.orgId, partyId: party.body.id, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] })).body.id;
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('org listing lists the organisation; directory search finds it by name, the unlisted one only by business id', async () => {
    const shown = await cli(['org', 'listing', '--org', org.orgId, '--session-token', org.viewer, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ listed: false, updatedAt: null });
    const set = await cli(['org', 'listing', '--org', org.orgId, '--listed', 'true', '--description', 'Rahtia komentoriviltä', '--session-token', org.admin, '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ organisationId: org.orgId, listed: true, description: 'Rahtia komentoriviltä' });
    const refused = await cli(['org', 'listing', '--org', org.orgId, '--listed', 'false', '--session-token', org.member]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ACCOUNT_FORBIDDEN');

    const found = await cli(['directory', 'search', 'rahti', '--session-token', hidden.viewer, '--json']);
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).items.map((i: any) => i.organisationId)).toEqual([org.orgId]);
    const table = await cli(['directory', 'search', 'RAHTI', '--session-token', hidden.viewer]);
    expect(table.stdout).toContain('Komentorivin Rahti Oy');
    expect(table.stdout).not.toContain('Piilotettu');
    const byId = await cli(['directory', 'search', idHidden, '--session-token', org.viewer, '--json']);
    expect(JSON.parse(byId.stdout).items).toEqual([{ organisationId: hidden.orgId, name: 'Piilotettu Rahti Oy', businessId: idHidden, description: '', kinds: ['company'] }]);
    const anonymous = await cli(['directory', 'search', 'rahti']);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('not signed in');
  });

  it('vault feed --checkpoint reads from the checkpoint and commits what it printed; feed checkpoints ls|set|rm', async () => {
    const set = await cli(['feed', 'checkpoints', 'set', 'main', '--start', '--org', org.orgId, '--session-token', org.member, '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'main', created: true, messageSeq: 0 });
    const sent = [await send(1), await send(2), await send(3)];
    const feedEnv = { ...macCredentialEnv(reader), VAULTGATE_SESSION_TOKEN: org.member };

    const first = await cli(['vault', 'feed', '--checkpoint', 'main', '--limit', '2'], feedEnv);
    expect(first.code, first.stderr).toBe(0);
    expect(items(first.stdout).map((i) => i.message.messageId)).toEqual(sent.slice(0, 2));
    const peek = await cli(['vault', 'feed', '--checkpoint', 'main', '--no-commit'], feedEnv);
    expect(items(peek.stdout).map((i) => i.message.messageId)).toEqual([sent[2]]);
    const second = await cli(['vault', 'feed', '--checkpoint', 'main', '--org', org.orgId], feedEnv);
    expect(items(second.stdout).map((i) => i.message.messageId)).toEqual([sent[2]]);
    expect((await cli(['vault', 'feed', '--checkpoint', 'main'], feedEnv)).stdout).toBe('');

    const ls = await cli(['feed', 'checkpoints', 'ls', '--org', org.orgId, '--session-token', org.viewer, '--json']);
    const listed = JSON.parse(ls.stdout);
    expect(listed.items).toEqual([expect.objectContaining({ name: 'main', messageSeq: listed.head.messageSeq, updatedBy: org.userId })]);
    const human = await cli(['feed', 'checkpoints', 'ls', '--org', org.orgId, '--session-token', org.viewer]);
    expect(human.stdout).toContain('main');
    expect(human.stdout).toContain(`head: messageSeq ${listed.head.messageSeq}`);

    const bad = await cli(['feed', 'checkpoints', 'set', 'main', '--cursor', 'bm90LWEtY3Vyc29y', '--org', org.orgId, '--session-token', org.member]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('FEED_CURSOR_INVALID');
    const viewer = await cli(['feed', 'checkpoints', 'set', 'other', '--now', '--org', org.orgId, '--session-token', org.viewer]);
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('ACCOUNT_FORBIDDEN');
    const usage = await cli(['feed', 'checkpoints', 'set', 'other', '--org', org.orgId, '--session-token', org.member]);
    expect(usage.code).toBe(2);
    const conflicting = await cli(['vault', 'feed', '--checkpoint', 'main', '--cursor', 'x'], feedEnv);
    expect(conflicting.code).toBe(2);

    expect((await cli(['feed', 'checkpoints', 'rm', 'main', '--org', org.orgId, '--session-token', org.member])).code).toBe(0);
    const gone = await cli(['vault', 'feed', '--checkpoint', 'main'], feedEnv);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('FEED_CHECKPOINT_NOT_FOUND');
  });
});
