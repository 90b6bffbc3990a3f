import type { JsonWebKey } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain, type AuditCheckpoint, type AuditRecord } from '../../src/protocol/index.js';
import { verifyExport } from '../../src/cli/audit-commands.js';
import { macRequest } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * The audit trail through the public interfaces (issue 13): every change and every read of vault data is an event,
 * with who, from where and which request; refusals are events; a company sees the events of its own vault and no
 * other's; an event that cannot be written stops its action; the chain and its checkpoints verify.
 */
describe('the audit trail', () => {
  let s: TestServer;
  let a: Tenant;
  let b: Tenant;
  let msgA: string;
  const events = async (q: string): Promise<AuditRecord[]> => {
    const r = await s.admin('GET', `/audit?limit=1000&${q}`);
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const read = (target: string, creds = a.reader, headers: Record<string, string> = {}) =>
    macRequest({ baseUrl: s.url, target, creds, useHttpStatusCodes: true, json: true, headers });

  beforeAll(async () => {
    s = await startTestServer();
    a = await createTenant(s.admin, { businessId: '1967543-8' });
    b = await createTenant(s.admin, { businessId: '2729069-3' });
    const sent = await macRequest({ baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: '{"n":1}', headers: { 'content-type': 'application/json' } });
    expect(sent.status).toBe(200);
    msgA = sent.json().messageId;
  });
  afterAll(() => s.stop());

  it('records each registry change with the operator, the client address and the request id', async () => {
    const reqId = 'audit-test-request-1';
    const party = await fetch(`${s.url}/admin/v1/parties`, {
      method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json', 'x-request-id': reqId }, body: JSON.stringify({ name: 'Audited Oy' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const [created] = await events('action=party.create&actor=operator').then((e) => e.filter((x) => x.subject === party.id));
    expect(created).toMatchObject({ action: 'party.create', actor: { kind: 'operator', id: 'operator' }, clientAddress: expect.stringMatching(/127\.0\.0\.1/), requestId: reqId, outcome: 'success', details: { name: 'Audited Oy' } });
    const partner = await s.admin('POST', `/parties/${party.id}/partner-credentials`);
    await s.admin('POST', `/partner-credentials/${partner.body.partnerId}/disable`);
    const cred = await s.admin('POST', `/companies/${a.companyId}/customer-credentials`, { name: 'temp', scopes: ['vault.read'] });
    await s.admin('POST', `/customer-credentials/${cred.body.customerId}/disable`);
    const channel = await s.admin('POST', '/channels', { companyId: a.companyId, partyId: party.id, messageTypes: [{ name: 'X', mediaTypes: ['application/json'] }] });
    await s.admin('POST', `/channels/${channel.body.id}/disable`);
    await s.admin('POST', `/parties/${party.id}/disable`);
    const client = await s.admin('POST', `/companies/${a.companyId}/clients`, { name: 'reader app', roles: ['vault.read'] });
    expect(client.status).toBe(201);
    await s.admin('POST', `/clients/${client.body.clientId}/disable`);
    await s.admin('POST', '/oauth/signing-keys/rotate');
    await s.admin('POST', `/companies/${b.companyId}/rotate-key`);

    const all = await events('actor=operator');
    const actions = all.map((e) => `${e.action} ${e.subject}`);
    for (const expected of [
      `partner-credential.create ${partner.body.partnerId}`, `partner-credential.disable ${partner.body.partnerId}`,
      `customer-credential.create ${cred.body.customerId}`, `customer-credential.disable ${cred.body.customerId}`,
      `channel.create ${channel.body.id}`, `channel.disable ${channel.body.id}`, `party.disable ${party.id}`,
      `oauth-client.create ${client.body.clientId}`, `oauth-client.disable ${client.body.clientId}`, `keys.rotate-vault ${b.companyId}`,
    ]) expect(actions).toContain(expected);
    expect(all.some((e) => e.action === 'signing-key.rotate')).toBe(true);
    // No secret in any event: neither the keys shown once nor the client secret.
    const text = JSON.stringify(all);
    for (const secret of [partner.body.partnerKey, cred.body.customerKey, client.body.clientSecret]) expect(text).not.toContain(secret);
    expect((await events(`tenant=${a.companyId}&action=customer-credential.`)).map((e) => e.subject)).toContain(cred.body.customerId);
  });

  it('records every read of vault data, one event per request, with who read what', async () => {
    const list = await read('/vault/v1/messages?limit=10');
    expect(list.status).toBe(200);
    const got = await read(`/vault/v1/messages/${msgA}`);
    expect(got.status).toBe(200);
    const exported = await read('/vault/v1/export');
    expect(exported.status).toBe(200);
    const reads = await events(`tenant=${a.companyId}&action=vault.`);
    const actor = { kind: 'customer', id: a.reader.customerId };
    expect(reads.slice(-3)).toMatchObject([
      { action: 'vault.list', actor, subject: a.companyId, tenants: [a.companyId], details: { count: 1, firstMessageId: msgA, lastMessageId: msgA, cursor: null, nextCursor: null } },
      { action: 'vault.get', actor, subject: msgA, tenants: [a.companyId], details: { size: 7 } },
      { action: 'vault.export', actor, subject: a.companyId, tenants: [a.companyId], details: { cursor: null } },
    ]);
    // Ingestion writes no event per message (the message row is its own record).
    expect(await events('action=ingest.')).toEqual([]);
  });

  it('records a bearer read with the OAuth client as the actor', async () => {
    const client = await s.admin('POST', `/companies/${a.companyId}/clients`, { name: 'bearer reader', roles: ['vault.read'] });
    const token = await fetchToken(s.url, client.body.clientId, client.body.clientSecret, 'vault.read');
    expect((await bearerRequest(`${s.url}/vault/v1/messages`, token)).status).toBe(200);
    const [last] = (await events(`actor=${client.body.clientId}`)).slice(-1);
    expect(last).toMatchObject({ action: 'vault.list', actor: { kind: 'oauth-client', id: client.body.clientId }, tenants: [a.companyId] });
  });

  it('records a forbidden read attempt (credential of A naming B) for both companies, and a read of a message not in the vault', async () => {
    const refused = await read('/vault/v1/messages', { ...a.reader, organisationId: b.businessId });
    expect(refused.status).toBe(403);
    const [attempt] = (await events(`tenant=${b.companyId}&action=vault.access`)).slice(-1);
    expect(attempt).toMatchObject({ outcome: 'refused', actor: { kind: 'customer', id: a.reader.customerId }, tenants: [a.companyId, b.companyId], details: { code: 'SERVICE_ACCESS_ERROR' } });
    const bMsg = await macRequest({ baseUrl: s.url, target: `/ingestion/${b.channelId}`, creds: b.sender, body: '{"b":1}', headers: { 'content-type': 'application/json' } });
    const notMine = await read(`/vault/v1/messages/${bMsg.json().messageId}`);
    expect(notMine.json().code).toBe('NOT_FOUND');
    const [miss] = (await events(`tenant=${a.companyId}&action=vault.get`)).slice(-1);
    expect(miss).toMatchObject({ outcome: 'refused', subject: bMsg.json().messageId, tenants: [a.companyId] });
  });

  it('a company sees the events of its own vault, every read of it included, and no other company’s', async () => {
    const mine = await read('/vault/v1/audit?limit=1000');
    expect(mine.status).toBe(200);
    const items: AuditRecord[] = mine.json().items;
    expect(items.length).toBeGreaterThan(5);
    expect(items.every((e) => e.tenants.includes(a.companyId))).toBe(true);
    expect(items.map((e) => e.action)).toEqual(expect.arrayContaining(['company.create', 'vault.list', 'vault.get', 'vault.export', 'vault.access']));
    expect(JSON.stringify(items)).not.toContain(b.reader.customerId);
    const onlyReads = await read('/vault/v1/audit?action=vault.');
    expect(onlyReads.json().items.every((e: AuditRecord) => e.action.startsWith('vault.'))).toBe(true);
    const theirs = await macRequest({ baseUrl: s.url, target: '/vault/v1/audit', creds: b.reader, useHttpStatusCodes: true, json: true });
    expect(theirs.json().items.every((e: AuditRecord) => e.tenants.includes(b.companyId))).toBe(true);
    expect(JSON.stringify(theirs.json().items)).not.toContain(msgA);
  });

  it('signs checkpoints on demand; the published key verifies them and the whole chain', async () => {
    const cp = await s.admin('POST', '/audit/checkpoints');
    expect(cp.status).toBe(201);
    const jwks = await fetch(`${s.url}/.well-known/vaultgate-audit-keys`).then((r) => r.json() as Promise<{ keys: any[] }>);
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: cp.body.kid })]);
    expect(jwks.keys[0].d).toBeUndefined();
    const chain = await events('');
    const checkpoints: AuditCheckpoint[] = (await s.admin('GET', '/audit/checkpoints')).body.items;
    expect(verifyAuditChain(chain, checkpoints, jwks.keys)).toMatchObject({ ok: true, checkpointsVerified: 1, lastCheckpointSeq: cp.body.seq });
    const exported = await fetch(`${s.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${s.adminToken}` } }).then((r) => r.text());
    const lines = exported.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'header', format: 'vaultgate-audit-export', keys: jwks.keys });
    expect(lines.filter((l) => l.type === 'event')).toHaveLength(chain.length);
    expect(lines.at(-1)).toEqual({ type: 'end', events: chain.length });
  });

  it("a company's export verifies on its own, with other companies' events as hash links only", async () => {
    expect((await s.admin('POST', '/audit/checkpoints')).status).toBe(201);
    const keys = (await (await fetch(`${s.url}/.well-known/vaultgate-audit-keys`)).json() as { keys: JsonWebKey[] }).keys;
    const r = await read('/vault/v1/audit/export');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = r.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'event').every((l) => l.tenants.includes(a.companyId))).toBe(true);
    expect(lines.filter((l) => l.type === 'link').length).toBeGreaterThan(0);
    expect(r.text).not.toContain(b.reader.customerId);
    expect(await verifyExport(Readable.from([r.text]), { keys })).toMatchObject({ ok: true, withheld: lines.filter((l) => l.type === 'link').length, checkpointsVerified: 2 });
    const forged = r.text.replace(/("type":"event".*?"outcome":)"success"/, '$1"failure"');
    expect((await verifyExport(Readable.from([forged]), { keys })).firstBreak?.reason).toMatch(/edited/);
  });

  it('an event that cannot be written stops its action: a read answers 503 AUDIT_UNAVAILABLE with no data, a change answers 503 AUDIT_UNAVAILABLE and is not made', async () => {
    const client = await s.admin('POST', `/companies/${a.companyId}/clients`, { name: 'fail-closed reader', roles: ['vault.read'] });
    const token = await fetchToken(s.url, client.body.clientId, client.body.clientSecret, 'vault.read');
    const db = new Database(join(s.dataDir, 'vaultgate.db'));
    db.exec("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END");
    try {
      // The MAC path answers with the Netvisor family's status (TECHNICAL_ERROR: 500); a bearer read gets 503.
      const r = await read(`/vault/v1/messages/${msgA}`);
      expect(r.status).toBe(500);
      expect(r.json().code).toBe('AUDIT_UNAVAILABLE');
      expect(r.text).not.toContain('"n":1');
      const list = await read('/vault/v1/messages');
      expect(list.json().code).toBe('AUDIT_UNAVAILABLE');
      const bearer = await bearerRequest(`${s.url}/vault/v1/messages`, token);
      expect(bearer.status).toBe(503);
      expect(bearer.json.code).toBe('AUDIT_UNAVAILABLE');
      expect(bearer.text).not.toContain(msgA);
      expect(list.text).not.toContain(msgA);
      const exp = await read('/vault/v1/export');
      expect(exp.json().code).toBe('AUDIT_UNAVAILABLE');
      const created = await s.admin('POST', '/parties', { name: 'Never Oy' });
      expect(created.status).toBe(503);
      expect(created.body.code).toBe('AUDIT_UNAVAILABLE');
      expect(JSON.stringify(created.body)).not.toContain('audit store unavailable');
      const rotated = await s.admin('POST', `/companies/${a.companyId}/rotate-key`);
      expect(rotated.body.code).toBe('AUDIT_UNAVAILABLE');
    } finally {
      db.exec('DROP TRIGGER audit_down');
      db.close();
    }
    const parties = await s.admin('GET', '/parties?limit=1000');
    expect(parties.body.items.map((p: { name: string }) => p.name)).not.toContain('Never Oy');
    expect((await read(`/vault/v1/messages/${msgA}`)).status).toBe(200);
  });
});

describe('checkpoints on a timer, and retention', () => {
  let s: TestServer;
  afterAll(() => s.stop());

  it('signs a checkpoint every VAULTGATE_AUDIT_CHECKPOINT_S when events were added, and the retention sweep deletes no audit row', async () => {
    s = await startTestServer({ VAULTGATE_AUDIT_CHECKPOINT_S: '1' });
    const t = await createTenant(s.admin, { businessId: '1967543-8', messageTypes: [{ name: 'Short', mediaTypes: ['application/json'], retention: { keepLast: 1 } } as never] });
    for (const n of [1, 2, 3]) await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: `{"n":${n}}`, headers: { 'content-type': 'application/json' } });
    expect((await macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: t.reader })).status).toBe(200);
    const before = (await s.admin('GET', '/audit?limit=1000')).body.items.length;
    let checkpoints: AuditCheckpoint[] = [];
    for (let i = 0; i < 40 && checkpoints.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      checkpoints = (await s.admin('GET', '/audit/checkpoints')).body.items;
    }
    expect(checkpoints[0]).toMatchObject({ seq: before, environment: 'test' });
    const sweep = await s.admin('POST', '/retention/sweep');
    expect(sweep.body.expired).toBe(2);
    // Nothing of the trail was deleted; the sweep's own deletions are one event (the operator's, run on demand).
    const after = (await s.admin('GET', '/audit?limit=1000')).body.items;
    expect(after.slice(0, before).map((e: AuditRecord) => e.seq)).toEqual(Array.from({ length: before }, (_, i) => i + 1));
    expect(after.at(-1)).toMatchObject({ action: 'retention.sweep', actor: { kind: 'operator', id: 'operator' }, details: { expired: 2, purged: 0 } });
    const keys = (await (await fetch(`${s.url}/.well-known/vaultgate-audit-keys`)).json() as { keys: never[] }).keys;
    expect(verifyAuditChain(after, checkpoints, keys).ok).toBe(true);
  });
});

describe('audit retention settings', () => {
  it('refuses a channel that keeps messages longer than VAULTGATE_AUDIT_RETENTION_DAYS, and a restart with a retention shorter than a channel\'s', async () => {
    const dir = tempDir('vg-audit-ret-');
    const s = await startTestServer({ VAULTGATE_AUDIT_RETENTION_DAYS: '30' }, dir);
    let closed = false;
    try {
      const co = await s.admin('POST', '/companies', { name: 'R Oy', businessId: '1967543-8' });
      const tp = await s.admin('POST', '/parties', { name: 'R' });
      const make = (retention?: object) => s.admin('POST', '/channels', { companyId: co.body.id, partyId: tp.body.id, messageTypes: [{ name: 'T', mediaTypes: ['application/json'], ...(retention ? { retention } : {}) }] });
      const forever = await make();
      expect(forever.body).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringContaining('kept without a time limit') });
      expect((await make({ days: 31 })).body.detail).toContain('kept 31 days');
      expect((await make({ days: 30 })).status).toBe(201);
      await s.close();
      closed = true;
      await expect(startTestServer({ VAULTGATE_AUDIT_RETENTION_DAYS: '7' }, dir)).rejects.toThrow(/VAULTGATE_AUDIT_RETENTION_DAYS=7 is shorter than the data it concerns/);
    } finally {
      if (!closed) await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('throttling in the audit trail', () => {
  let s: TestServer;
  afterAll(() => s.stop());

  it('records one event when a credential becomes throttled, not one per refused request', async () => {
    s = await startTestServer({ VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '3', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0' });
    const t = await createTenant(s.admin, { businessId: '1967543-8' });
    const wrong = { ...t.reader, customerKey: 'x'.repeat(t.reader.customerKey.length) };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await macRequest({ baseUrl: s.url, target: '/vault/v1/messages', creds: wrong, useHttpStatusCodes: true, json: true })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const throttled = (await s.admin('GET', '/audit?action=auth.throttled')).body.items;
    expect(throttled).toEqual([expect.objectContaining({ outcome: 'refused', subject: expect.stringContaining(t.reader.customerId), details: { scheme: 'mac', by: 'credential', reason: 'AUTHENTICATION_FAILED' } })]);
  });
});
