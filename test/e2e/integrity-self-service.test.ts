import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDigestHeader, signHttpRequest } from '../../src/protocol/index.js';
import { rawRequest } from '../helpers/mac-request.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * Issue 17 §2 in self-service (/api/v1): a vendor's admins register and disable signature keys, its members list them,
 * either side's admin sets a channel's Content-Digest rule; another organisation reaches none of it (NOT_FOUND, as if
 * it did not exist); a key registered here signs messages into the vendor's channel.
 */
describe('signature keys and channel integrity in self-service (issue 17 §2)', () => {
  let s: TestServer;
  let vendor: TestOrganisation;
  let otherVendor: TestOrganisation;
  let company: TestOrganisation;
  let channelId = '';

  beforeAll(async () => {
    s = await startTestServer();
    vendor = await registerOrganisation(s.url, s.adminToken, { kind: 'party', email: `v-${randomUUID()}@example.com`, name: 'Vendor A' });
    otherVendor = await registerOrganisation(s.url, s.adminToken, { kind: 'party', email: `w-${randomUUID()}@example.com`, name: 'Vendor B' });
    company = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: `c-${randomUUID()}@example.com`, businessId: '1967543-8', name: 'Company C' });
    const ch = await s.admin('POST', '/channels', { companyId: company.orgId, partyId: vendor.orgId, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    channelId = ch.body.id;
  });
  afterAll(() => s.stop());

  it('a vendor admin registers keys (the HMAC secret once, no-store), members list them, viewers cannot register', async () => {
    const hmac = await apiCall(s.url, 'POST', `/organisations/${vendor.orgId}/signature-keys`, vendor.admin, { algorithm: 'hmac-sha256', label: 'erp' });
    expect(hmac.status, JSON.stringify(hmac.body)).toBe(201);
    expect(hmac.headers.get('cache-control')).toContain('no-store');
    expect(hmac.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const list = await apiCall(s.url, 'GET', `/organisations/${vendor.orgId}/signature-keys`, vendor.viewer);
    expect(list.status).toBe(200);
    expect(list.body.items.map((k: any) => k.keyId)).toEqual([hmac.body.keyId]);
    expect(JSON.stringify(list.body)).not.toContain(hmac.body.secret);
    const viewer = await apiCall(s.url, 'POST', `/organisations/${vendor.orgId}/signature-keys`, vendor.viewer, { algorithm: 'hmac-sha256' });
    expect(viewer.status).toBe(403);
    // A company has no signature keys: it does not send.
    const notVendor = await apiCall(s.url, 'GET', `/organisations/${company.orgId}/signature-keys`, company.admin);
    expect(notVendor.body.code).toBe('ORGANISATION_KIND_MISMATCH');
  });

  it('another vendor reaches neither the keys nor the channel (NOT_FOUND / forbidden), and cannot disable a key', async () => {
    const key = (await apiCall(s.url, 'POST', `/organisations/${vendor.orgId}/signature-keys`, vendor.admin, { algorithm: 'hmac-sha256' })).body;
    expect((await apiCall(s.url, 'GET', `/organisations/${vendor.orgId}/signature-keys`, otherVendor.admin)).status).toBe(403);
    const disable = await apiCall(s.url, 'POST', `/organisations/${otherVendor.orgId}/signature-keys/${key.keyId}/disable`, otherVendor.admin);
    expect(disable.status).toBe(404);
    expect(disable.body.code).toBe('NOT_FOUND');
    const integrity = await apiCall(s.url, 'POST', `/organisations/${otherVendor.orgId}/channels/${channelId}/integrity`, otherVendor.admin, { requireContentDigest: true });
    expect(integrity.status).toBe(404);
    expect((await apiCall(s.url, 'GET', `/organisations/${vendor.orgId}/signature-keys`, vendor.member)).body.items.find((k: any) => k.keyId === key.keyId).status).toBe('active');
    const off = await apiCall(s.url, 'POST', `/organisations/${vendor.orgId}/signature-keys/${key.keyId}/disable`, vendor.admin);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('disabled');
  });

  it('the company\'s admin requires Content-Digest; a vendor-registered Ed25519 key then signs messages in', async () => {
    const set = await apiCall(s.url, 'POST', `/organisations/${company.orgId}/channels/${channelId}/integrity`, company.admin, { requireContentDigest: true });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await apiCall(s.url, 'GET', `/organisations/${vendor.orgId}/channels/${channelId}/integrity`, vendor.viewer)).body.requireContentDigest).toBe(true);
    expect((await apiCall(s.url, 'POST', `/organisations/${company.orgId}/channels/${channelId}/integrity`, company.member, { requireContentDigest: false })).status).toBe(403);
    const pair = generateKeyPairSync('ed25519');
    const reg = await apiCall(s.url, 'POST', `/organisations/${vendor.orgId}/signature-keys`, vendor.admin, { algorithm: 'ed25519', publicKey: pair.publicKey.export({ format: 'jwk' }) });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const body = Buffer.from('{"order":"self-service"}');
    const headers = { 'content-type': 'application/json', 'content-digest': contentDigestHeader(body), accept: 'application/json' };
    const url = `${s.url}/ingestion/${channelId}`;
    const sig = await signHttpRequest({ method: 'POST', url, headers }, { keyId: reg.body.keyId, algorithm: 'ed25519', key: pair.privateKey }, { nonce: randomUUID(), createdS: Math.floor(Date.now() / 1000) });
    const res = await rawRequest({ method: 'POST', url, headers: { ...headers, ...sig }, body });
    expect(res.status, res.text).toBe(200);
    // The changes are in the audit trail.
    const audit = await s.admin('GET', '/audit?limit=500');
    const actions = (audit.body.items ?? []).map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['signature-key.create', 'signature-key.disable', 'channel.integrity']));
  });
});
