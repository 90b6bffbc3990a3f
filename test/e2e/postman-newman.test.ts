import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultgateClient, type MessageMeta } from '../../src/sdk/index.js';
import { CLI, REPO, createTenant, startTestServer, tempDir, type Tenant, type TestServer } from '../helpers/servers.js';

const exec = promisify(execFile);
const NEWMAN = join(REPO, 'node_modules/newman/bin/newman.js');

let server: TestServer;
let t: Tenant;
const work = tempDir('vg-postman-');
// Message type names are ASCII (the admin API's pattern); the bodies carry ä/ö (UTF-8) and the sender is ISO-8859-1 (in the MAC).
const messageTypes = [
  { name: 'TransportOrder', mediaTypes: ['application/json'] },
  { name: 'DeliveryNote', mediaTypes: ['application/xml', 'text/csv'] },
];

beforeAll(async () => {
  server = await startTestServer();
  t = await createTenant(server.admin, { messageTypes });
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs newman on the files; resolves with its exit code and JSON report. */
async function newman(collection: string, environment: string, extra: string[] = []): Promise<{ code: number; report: any; out: string }> {
  const reportFile = join(work, `report-${Date.now()}.json`);
  const r = await exec(process.execPath, [NEWMAN, 'run', collection, '-e', environment, '--reporters', 'cli,json', '--reporter-json-export', reportFile, '--color', 'off', ...extra], { env: { PATH: process.env.PATH ?? '' } })
    .then((x) => ({ code: 0, out: x.stdout + x.stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));
  if (!existsSync(reportFile)) throw new Error(`newman wrote no report (exit ${r.code}):\n${r.out}`);
  return { ...r, report: JSON.parse(readFileSync(reportFile, 'utf8')) };
}

async function vaultBodies(): Promise<string[]> {
  const reader = new VaultgateClient({ baseUrl: server.url, credentials: t.reader });
  const out: string[] = [];
  for await (const m of reader.exportVault()) out.push(`${(m as MessageMeta).messageType}|${m.body}`);
  await reader.close();
  return out;
}

describe('Postman collections run in newman against a live server', () => {
  it('vaultgate postman export --with-secrets → newman run passes every request and test; the messages are stored', async () => {
    const before = (await vaultBodies()).length;
    const env = {
      PATH: process.env.PATH ?? '', HOME: work, VAULTGATE_URL: server.url, VAULTGATE_SENDER: 'Demokäyttäjä',
      VAULTGATE_PARTNER_ID: t.sender.partnerId, VAULTGATE_PARTNER_KEY: t.sender.partnerKey,
      VAULTGATE_CUSTOMER_ID: t.sender.customerId, VAULTGATE_CUSTOMER_KEY: t.sender.customerKey, VAULTGATE_ORGANISATION_ID: t.businessId,
    };
    const out = join(work, 'cli');
    const args = [CLI, 'postman', 'export', '--channel', t.channelId, '--auth', 'mac', '--out', out, '--with-secrets',
      '--message-type', 'TransportOrder=application/json', '--message-type', 'DeliveryNote=application/xml,text/csv'];
    const r = await exec(process.execPath, args, { env });
    const [collection, environment] = r.stdout.trim().split('\n') as [string, string];
    expect(statSync(environment).mode & 0o777).toBe(0o600);
    const envJson = JSON.parse(readFileSync(environment, 'utf8'));
    expect(envJson.values.find((v: any) => v.key === 'partnerKey')).toMatchObject({ value: t.sender.partnerKey, type: 'secret' });

    const run = await newman(collection, environment);
    expect(run.code, run.out).toBe(0);
    expect(run.report.run.stats.requests).toMatchObject({ total: 4, failed: 0 });
    expect(run.report.run.stats.assertions).toMatchObject({ total: 8, failed: 0 });
    const bodies = (await vaultBodies()).slice(before);
    expect(bodies).toHaveLength(4);
    expect(bodies.filter((b) => b.startsWith('DeliveryNote|'))).toHaveLength(2);
    expect(bodies.every((b) => b.includes('Hyvää päivää'))).toBe(true);
  }, 60_000);

  it('GET /admin/v1/channels/{id}/postman: keys empty secrets; filled in by the integrator, HMACSHA256 too, newman passes', async () => {
    const res = await server.admin('GET', `/channels/${t.channelId}/postman`);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(t.sender.partnerKey);
    expect(text).not.toContain(t.sender.customerKey);
    const values = Object.fromEntries(res.body.environment.values.map((v: any) => [v.key, v]));
    expect(Object.keys(values)).toEqual(['baseUrl', 'channelId', 'messageType', 'mediaType', 'partnerId', 'partnerKey', 'customerId', 'customerKey', 'organisationId', 'sender', 'language']);
    expect(values.partnerKey).toMatchObject({ value: '', type: 'secret' });
    expect(values.customerKey).toMatchObject({ value: '', type: 'secret' });
    expect(values).toMatchObject({ baseUrl: { value: server.url }, channelId: { value: t.channelId }, partnerId: { value: t.sender.partnerId }, customerId: { value: t.sender.customerId }, organisationId: { value: t.businessId } });

    values.partnerKey.value = t.sender.partnerKey;
    values.customerKey.value = t.sender.customerKey;
    const collection = join(work, 'route.postman_collection.json');
    const environment = join(work, 'route.postman_environment.json');
    writeFileSync(collection, JSON.stringify(res.body.collection));
    writeFileSync(environment, JSON.stringify(res.body.environment));
    const run = await newman(collection, environment, ['--env-var', 'macAlgorithm=HMACSHA256']);
    expect(run.code, run.out).toBe(0);
    expect(run.report.run.stats.assertions.failed).toBe(0);
    expect(run.report.run.executions[0].request.header.find((h: any) => h.key === 'X-Netvisor-Authentication-MACHashCalculationAlgorithm').value).toBe('HMACSHA256');

    // A wrong key: the collection's tests catch the refusal and newman fails.
    values.customerKey.value = 'wrong';
    writeFileSync(environment, JSON.stringify(res.body.environment));
    const bad = await newman(collection, environment);
    expect(bad.code).not.toBe(0);
    expect(bad.report.run.failures.length).toBeGreaterThan(0);
    expect(bad.report.run.executions[0].response.code).toBe(401);
  }, 60_000);

  it('the route refuses an unknown channel and a missing admin token with coded errors', async () => {
    const missing = await server.admin('GET', `/channels/ch_test_${'0'.repeat(26)}/postman`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    const anon = await fetch(`${server.url}/admin/v1/channels/${t.channelId}/postman`);
    expect(anon.status).toBe(401);
    expect((await anon.json()).code).toBe('ADMIN_UNAUTHORIZED');
    // Before the party has an OAuth client, ?auth=oauth leaves clientId empty for the integrator.
    const noClient = await server.admin('GET', `/channels/${t.channelId}/postman?auth=oauth`);
    expect(noClient.body.environment.values.find((v: any) => v.key === 'clientId')).toMatchObject({ value: '' });
    const unknown = await server.admin('GET', `/channels/${t.channelId}/postman?auth=saml`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('INVALID_REQUEST');
  });
});

/** Successful token requests the server has answered (its own metrics). */
async function tokensIssued(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith('vaultgate_requests_total{') && l.includes('route="/oauth2/token"') && l.includes('code="OK"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('Postman collections with OAuth client credentials run in newman against a live server', () => {
  let client: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    client = (await server.admin('POST', `/parties/${t.partyId}/clients`, { name: 'postman' })).body;
  });

  it('vaultgate postman export --auth oauth --with-secrets → newman passes; one token serves every request', async () => {
    const before = (await vaultBodies()).length;
    const issued = await tokensIssued();
    const env = { PATH: process.env.PATH ?? '', HOME: work, VAULTGATE_URL: server.url, VAULTGATE_CLIENT_ID: client.clientId, VAULTGATE_CLIENT_SECRET: client.clientSecret };
    const args = [CLI, 'postman', 'export', '--channel', t.channelId, '--auth', 'oauth', '--out', join(work, 'oauth'), '--with-secrets',
      '--message-type', 'TransportOrder=application/json', '--message-type', 'DeliveryNote=application/xml,text/csv'];
    const [collection, environment] = (await exec(process.execPath, args, { env })).stdout.trim().split('\n') as [string, string];
    expect(statSync(environment).mode & 0o777).toBe(0o600);
    const values = Object.fromEntries(JSON.parse(readFileSync(environment, 'utf8')).values.map((v: any) => [v.key, v]));
    expect(values).toMatchObject({ clientId: { value: client.clientId }, clientSecret: { value: client.clientSecret, type: 'secret' }, tokenUrl: { value: `${server.url}/oauth2/token` } });

    const run = await newman(collection, environment);
    expect(run.code, run.out).toBe(0);
    // newman counts the pre-request script's pm.sendRequest too: four sends and one token request.
    expect(run.report.run.stats.requests).toMatchObject({ total: 5, failed: 0 });
    expect(run.report.run.stats.assertions).toMatchObject({ total: 8, failed: 0 });
    const sent = run.report.run.executions[0].request.header;
    expect(sent.find((h: any) => h.key === 'Authorization').value).toMatch(/^Bearer ey/);
    expect(sent.find((h: any) => h.key === 'Idempotency-Key').value).toMatch(/^[0-9a-f-]{36}$/);
    expect(await tokensIssued()).toBe(issued + 1);
    const bodies = (await vaultBodies()).slice(before);
    expect(bodies).toHaveLength(4);
    expect(bodies.filter((b) => b.startsWith('DeliveryNote|'))).toHaveLength(2);
    expect(bodies.every((b) => b.includes('Hyvää päivää'))).toBe(true);
  }, 60_000);

  it('GET …/postman?auth=oauth: the party\'s client id, an empty secret; filled in, newman passes; a wrong secret fails the run', async () => {
    const res = await server.admin('GET', `/channels/${t.channelId}/postman?auth=oauth`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(client.clientSecret);
    const values = Object.fromEntries(res.body.environment.values.map((v: any) => [v.key, v]));
    expect(Object.keys(values)).toEqual(['baseUrl', 'channelId', 'messageType', 'mediaType', 'clientId', 'clientSecret', 'tokenUrl']);
    expect(values).toMatchObject({ clientId: { value: client.clientId }, clientSecret: { value: '', type: 'secret' }, tokenUrl: { value: `${server.url}/oauth2/token` } });

    values.clientSecret.value = client.clientSecret;
    const collection = join(work, 'route-oauth.postman_collection.json');
    const environment = join(work, 'route-oauth.postman_environment.json');
    writeFileSync(collection, JSON.stringify(res.body.collection));
    writeFileSync(environment, JSON.stringify(res.body.environment));
    const run = await newman(collection, environment);
    expect(run.code, run.out).toBe(0);
    expect(run.report.run.stats.assertions).toMatchObject({ total: 8, failed: 0 });

    values.clientSecret.value = 'vgs_wrong';
    writeFileSync(environment, JSON.stringify(res.body.environment));
    const bad = await newman(collection, environment);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/Vaultgate: no token \(HTTP 401\): invalid_client/);
    expect(bad.report.run.executions[0].response.code).toBe(401);
  }, 60_000);
});
