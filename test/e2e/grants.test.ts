import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../helpers/postgres.js';
import { apiCall, registerOrganisation, type Answer, type TestOrganisation } from '../helpers/organisations.js';
import { businessIds, REPO, startTestServer, type TestServer } from '../helpers/servers.js';

const run = promisify(execFile);

/*
 * Grants through HTTP on a real server, on SQLite and on PostgreSQL (issue 15): request → narrowed offer → accept; request by business id →
 * approve; direct grant → revoke; withdraw and decline; refusals with their codes (wrong side, state, widened offer,
 * invalid scope, validity and owner); the signed statement verified by a third party with the published JWKS; expiry
 * recorded by the sweep; two concurrent decisions; every step in both organisations' audit trail.
 */

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

function grantsOverHttp(storeName: string, storeEnv: () => Record<string, string>): void {
describe(`grants over HTTP (${storeName})`, () => {
  let s: TestServer;
  let owner: TestOrganisation;
  let consumer: TestOrganisation;
  let vendor: TestOrganisation;
  let third: TestOrganisation;
  let ownerBusinessId = '';
  let consumerBusinessId = '';
  let ch1 = '';
  let ch2 = '';
  let foreignChannel = '';
  const api = (method: string, path: string, bearer?: string, body?: unknown): Promise<Answer> => apiCall(s.url, method, path, bearer, body);
  const expectCode = (r: Answer, status: number, code: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.code).toBe(code);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(typeof r.body.remedy === 'string' || typeof r.body.detail === 'string').toBe(true);
  };
  const audit = async (o: TestOrganisation, subject: string): Promise<string[]> => {
    const r = await api('GET', `/organisations/${o.orgId}/audit?limit=1000`, o.viewer);
    expect(r.status).toBe(200);
    return (r.body.items as AuditRecord[]).filter((e) => e.subject === subject).map((e) => e.action);
  };
  const terms = (over: Record<string, unknown> = {}) => ({ channelIds: [ch1, ch2], messageTypes: ['invoice', 'order'], actions: ['read', 'subscribe'], purpose: 'Freight audit', notOnOrAfter: inHours(48), ...over });

  beforeAll(async () => {
    s = await startTestServer({ VAULTGATE_GRANT_EXPIRY_SWEEP_S: '1', ...storeEnv() });
    let ids: string[];
    [ownerBusinessId = '', consumerBusinessId = '', ...ids] = businessIds(5150000, 3);
    owner = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'owner@omistaja.example', businessId: ownerBusinessId, name: 'Omistaja Oy' });
    consumer = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'admin@kayttaja.example', businessId: consumerBusinessId, name: 'Käyttäjä Oy' });
    vendor = await registerOrganisation(s.url, s.adminToken, { kind: 'party', email: 'admin@toimittaja.example' });
    third = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'admin@kolmas.example', businessId: ids[0]! });
    const party = await s.admin('POST', '/parties', { name: 'Sender Oy' });
    const channel = async (companyId: string) => (await s.admin('POST', '/channels', { companyId, partyId: party.body.id, messageTypes: [{ name: 'invoice', mediaTypes: ['application/xml'] }] })).body.id as string;
    ch1 = await channel(owner.orgId);
    ch2 = await channel(owner.orgId);
    foreignChannel = await channel(third.orgId);
  });
  afterAll(() => s?.stop());

  it('request → narrowed offer → accept: active with the offered terms; each step audited for both sides', async () => {
    const req = await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerOrganisationId: owner.orgId, ...terms() });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    expect(req.body).toMatchObject({ state: 'requested', ownerOrganisationId: owner.orgId, consumerOrganisationId: consumer.orgId, requestedBy: consumer.userId, decidedBy: null, environment: 'test' });
    expect(req.body.id).toMatch(/^grt_test_/);
    expect(req.body.requestedTerms).toEqual(req.body.terms);
    expect(req.headers.get('cache-control')).toBe('no-store');
    const id: string = req.body.id;

    // The consumer cannot decide its own request; the owner cannot widen it.
    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/${id}/approve`, consumer.admin), 403, 'GRANT_WRONG_SIDE');
    expectCode(await api('POST', `/organisations/${owner.orgId}/grants/${id}/offer`, owner.admin, { messageTypes: ['invoice', 'payslip'] }), 400, 'GRANT_SCOPE_WIDENED');
    expectCode(await api('POST', `/organisations/${owner.orgId}/grants/${id}/offer`, owner.admin, { notOnOrAfter: inHours(72) }), 400, 'GRANT_SCOPE_WIDENED');
    expectCode(await api('POST', `/organisations/${owner.orgId}/grants/${id}/accept`, owner.admin), 403, 'GRANT_WRONG_SIDE');
    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/${id}/accept`, consumer.admin), 409, 'GRANT_STATE_CONFLICT');

    const narrowedEnd = inHours(24);
    const offer = await api('POST', `/organisations/${owner.orgId}/grants/${id}/offer`, owner.admin, { channelIds: [ch1], actions: ['read'], notOnOrAfter: narrowedEnd });
    expect(offer.status, JSON.stringify(offer.body)).toBe(200);
    expect(offer.body).toMatchObject({ state: 'offered', decidedBy: owner.userId, terms: { channelIds: [ch1], messageTypes: ['invoice', 'order'], actions: ['read'], purpose: 'Freight audit', notOnOrAfter: narrowedEnd } });
    expect(offer.body.requestedTerms).toEqual(req.body.terms);
    const accepted = await api('POST', `/organisations/${consumer.orgId}/grants/${id}/accept`, consumer.admin);
    expect(accepted.body).toMatchObject({ state: 'active', terms: offer.body.terms, decidedBy: consumer.userId });

    for (const o of [owner, consumer]) {
      expect((await api('GET', `/organisations/${o.orgId}/grants/${id}`, o.viewer)).body.state).toBe('active');
      expect(await audit(o, id)).toEqual(['grant.request', 'grant.offer', 'grant.accept']);
    }
    expectCode(await api('GET', `/organisations/${third.orgId}/grants/${id}`, third.admin), 404, 'NOT_FOUND');
    expect(await audit(third, id)).toEqual([]);
    // Members read, only admins act.
    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/${id}/withdraw`, consumer.member), 403, 'ACCOUNT_FORBIDDEN');
  });

  it('a request names the owner by business id and is approved as it is; a second decision is a state conflict naming the state', async () => {
    const req = await api('POST', `/organisations/${vendor.orgId}/grants/requests`, vendor.admin, { ownerBusinessId, ...terms({ channelIds: [], messageTypes: ['invoice'] }) });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    expect(req.body.ownerOrganisationId).toBe(owner.orgId);
    expect(req.body.terms.channelIds).toBeNull();
    const approved = await api('POST', `/organisations/${owner.orgId}/grants/${req.body.id}/approve`, owner.admin);
    expect(approved.body).toMatchObject({ state: 'active', terms: req.body.terms });
    const again = await api('POST', `/organisations/${owner.orgId}/grants/${req.body.id}/decline`, owner.admin);
    expectCode(again, 409, 'GRANT_STATE_CONFLICT');
    expect(again.body.detail).toContain('is active');
    expectCode(await api('POST', `/organisations/${vendor.orgId}/grants/requests`, vendor.admin, { ownerBusinessId: businessIds(5159000, 1)[0], ...terms() }), 404, 'NOT_FOUND');
    // A typo (the check digit does not match) is told as such, not as a company that does not use Vaultgate.
    const typo = `${ownerBusinessId.slice(0, -1)}${(Number(ownerBusinessId.at(-1)) + 1) % 10}`;
    const bad = await api('POST', `/organisations/${vendor.orgId}/grants/requests`, vendor.admin, { ownerBusinessId: typo, ...terms() });
    expectCode(bad, 400, 'BUSINESS_ID_INVALID');
    expect(bad.body.detail).toContain(typo);
    expectCode(await api('POST', `/organisations/${owner.orgId}/grants`, owner.admin, { consumerBusinessId: typo, ...terms() }), 400, 'BUSINESS_ID_INVALID');
  });

  it('direct grant by the owner (consumer by business id) → statement verified with the JWKS → revoke: no statement any more', async () => {
    const g = await api('POST', `/organisations/${owner.orgId}/grants`, owner.admin, { consumerBusinessId, ...terms({ actions: ['read'] }) });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    expect(g.body).toMatchObject({ state: 'active', consumerOrganisationId: consumer.orgId, requestedTerms: null, requestedBy: null, decidedBy: owner.userId });

    const st = await api('GET', `/organisations/${consumer.orgId}/grants/${g.body.id}/statement`, consumer.viewer);
    expect(st.status, JSON.stringify(st.body)).toBe(200);
    expect(st.headers.get('cache-control')).toBe('no-store');
    // A third party verifies it with the server's published keys only (jose, as docs/sharing.md shows).
    const jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(st.body.statement, jwks, { issuer: s.url, typ: 'vaultgate-grant+jwt', subject: consumer.orgId });
    expect(protectedHeader.typ).toBe('vaultgate-grant+jwt');
    expect(payload.exp! - payload.nbf!).toBeLessThanOrEqual(24 * 3600);
    expect(payload.aud).toBeUndefined();
    expect(payload.grant).toEqual({
      id: g.body.id, owner: { id: owner.orgId, businessId: ownerBusinessId, name: 'Omistaja Oy' }, consumer: { id: consumer.orgId, businessId: consumerBusinessId, name: 'Käyttäjä Oy' },
      scope: { channelIds: [ch1, ch2], messageTypes: ['invoice', 'order'], receivedFrom: null, receivedBefore: null }, actions: ['read'], purpose: 'Freight audit',
      notBefore: g.body.terms.notBefore, notOnOrAfter: g.body.terms.notOnOrAfter,
    });
    expect(new Date(payload.exp! * 1000).toISOString()).toBe(st.body.expiresAt);
    // docs/sharing.md's verification snippet, run as a third party would.
    const snippet = /```js grant-verify-snippet\n([\s\S]*?)\n```/.exec(readFileSync(join(REPO, 'docs/sharing.md'), 'utf8'))![1]!;
    const verified = await run(process.execPath, ['--input-type=module', '-e', snippet, st.body.statement, s.url], { cwd: REPO });
    expect(verified.stdout).toBe(`Käyttäjä Oy may read ${JSON.stringify(payload.grant && (payload.grant as { scope: unknown }).scope)} of Omistaja Oy (${ownerBusinessId}) until ${st.body.expiresAt}\n`);
    // It is no access token: the vault refuses it as a bearer token.
    const asToken = await fetch(`${s.url}/vault/v1/messages`, { headers: { authorization: `Bearer ${st.body.statement}`, accept: 'application/json' } });
    expect(asToken.status).toBe(401);
    expect(decodeProtectedHeader(st.body.statement).kid).toBeTypeOf('string');

    // A key rotation keeps the statement verifiable: the retired key stays published until the statement expires.
    const rotated = await s.admin('POST', '/oauth/signing-keys/rotate');
    expect(rotated.status).toBe(200);
    const retired = (await s.admin('GET', '/oauth/signing-keys')).body.items.find((k: { kid: string }) => k.kid === protectedHeader.kid);
    expect(Date.parse(retired.publishUntil)).toBeGreaterThanOrEqual(payload.exp! * 1000);
    await jwtVerify(st.body.statement, createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`)), { issuer: s.url, typ: 'vaultgate-grant+jwt' });

    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/${g.body.id}/revoke`, consumer.admin), 403, 'GRANT_WRONG_SIDE');
    const revoked = await api('POST', `/organisations/${owner.orgId}/grants/${g.body.id}/revoke`, owner.admin);
    expect(revoked.body.state).toBe('revoked');
    expectCode(await api('GET', `/organisations/${consumer.orgId}/grants/${g.body.id}/statement`, consumer.admin), 409, 'GRANT_NOT_ACTIVE');
    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/${g.body.id}/withdraw`, consumer.admin), 409, 'GRANT_STATE_CONFLICT');
    for (const o of [owner, consumer]) expect(await audit(o, g.body.id)).toEqual(['grant.grant', 'grant.statement', 'grant.revoke']);
  });

  it('the consumer withdraws a request or an active grant; the owner declines a request', async () => {
    const make = async () => (await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerOrganisationId: owner.orgId, ...terms() })).body.id as string;
    const a = await make();
    expect((await api('POST', `/organisations/${consumer.orgId}/grants/${a}/withdraw`, consumer.admin)).body.state).toBe('withdrawn');
    const b = await make();
    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/${b}/decline`, consumer.admin), 403, 'GRANT_WRONG_SIDE');
    expect((await api('POST', `/organisations/${owner.orgId}/grants/${b}/decline`, owner.admin)).body.state).toBe('declined');
    const c = await make();
    await api('POST', `/organisations/${owner.orgId}/grants/${c}/approve`, owner.admin);
    expect((await api('POST', `/organisations/${consumer.orgId}/grants/${c}/withdraw`, consumer.admin)).body.state).toBe('withdrawn');
    expect(await audit(owner, c)).toEqual(['grant.request', 'grant.approve', 'grant.withdraw']);
  });

  it('lists grants by role and state, in pages', async () => {
    const all = async (org: TestOrganisation, query: string) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const r: Answer = await api('GET', `/organisations/${org.orgId}/grants?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, org.viewer);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        out.push(...(r.body.items as { state: string; ownerOrganisationId: string; consumerOrganisationId: string }[]).map((g) => `${g.state}:${g.ownerOrganisationId === org.orgId ? 'owner' : 'consumer'}`));
        cursor = r.body.nextCursor;
      } while (cursor);
      return out;
    };
    const owned = await all(owner, 'role=owner');
    expect(owned.length).toBeGreaterThanOrEqual(6);
    expect(new Set(owned.map((x) => x.split(':')[1]))).toEqual(new Set(['owner']));
    expect(await all(owner, 'role=consumer')).toEqual([]);
    expect((await all(consumer, 'role=consumer&state=withdrawn')).every((x) => x === 'withdrawn:consumer')).toBe(true);
    expect(await all(consumer, 'role=consumer&state=withdrawn')).toHaveLength(2);
    expectCode(await api('GET', `/organisations/${owner.orgId}/grants`, owner.viewer), 400, 'INVALID_REQUEST');
  });

  it("shows both sides who the other is: each party's name and business id (null for a party-only organisation), in list and get", async () => {
    const g = await api('POST', `/organisations/${owner.orgId}/grants`, owner.admin, { consumerOrganisationId: vendor.orgId, ...terms({ channelIds: null }) });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    const parties = { ownerName: 'Omistaja Oy', ownerBusinessId, consumerName: expect.any(String), consumerBusinessId: null };
    expect(g.body).toMatchObject(parties);
    for (const [org, role] of [[owner, 'owner'], [vendor, 'consumer']] as const) {
      expect((await api('GET', `/organisations/${org.orgId}/grants/${g.body.id}`, org.viewer)).body).toMatchObject(parties);
      const listed = await api('GET', `/organisations/${org.orgId}/grants?role=${role}&limit=1000`, org.viewer);
      expect(listed.body.items.find((x: { id: string }) => x.id === g.body.id)).toMatchObject(parties);
    }
    const req = await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerBusinessId, ...terms() });
    expect(req.body).toMatchObject({ ownerName: 'Omistaja Oy', ownerBusinessId, consumerName: 'Käyttäjä Oy', consumerBusinessId });
    await api('POST', `/organisations/${consumer.orgId}/grants/${req.body.id}/withdraw`, consumer.admin);
    await api('POST', `/organisations/${owner.orgId}/grants/${g.body.id}/revoke`, owner.admin);
  });

  it('refuses invalid terms and owners with their codes', async () => {
    const request = (body: Record<string, unknown>) => api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerOrganisationId: owner.orgId, ...terms(), ...body });
    expectCode(await request({ channelIds: [foreignChannel] }), 400, 'GRANT_SCOPE_INVALID');
    expectCode(await request({ channelIds: null, messageTypes: [] }), 400, 'GRANT_SCOPE_INVALID');
    const subscribeOnly = await request({ actions: ['subscribe'] });
    expectCode(subscribeOnly, 400, 'GRANT_SCOPE_INVALID');
    expect(subscribeOnly.body.detail).toContain('subscribe needs read');
    // The remedy does not send a consumer to the owner's channel route (refused to it): scope by types, or ask the owner.
    expect(subscribeOnly.body.remedy).not.toContain('GET /api/v1/organisations/{ownerId}/channels');
    expect(subscribeOnly.body.remedy).toContain('scopes by message types instead, or asks the owner');
    expectCode(await request({ receivedFrom: inHours(-1), receivedBefore: inHours(-2) }), 400, 'GRANT_SCOPE_INVALID');
    expectCode(await request({ notBefore: inHours(5), notOnOrAfter: inHours(4) }), 400, 'GRANT_VALIDITY_INVALID');
    expectCode(await request({ notBefore: inHours(-5), notOnOrAfter: inHours(-4) }), 400, 'GRANT_VALIDITY_INVALID');
    expectCode(await request({ purpose: 'x'.repeat(501) }), 400, 'INVALID_REQUEST');
    expectCode(await request({ ownerBusinessId }), 400, 'INVALID_REQUEST');
    expectCode(await api('POST', `/organisations/${owner.orgId}/grants/requests`, owner.admin, { ownerOrganisationId: owner.orgId, ...terms() }), 400, 'GRANT_OWNER_INVALID');
    expectCode(await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerOrganisationId: vendor.orgId, ...terms({ channelIds: null }) }), 400, 'GRANT_OWNER_INVALID');
    expectCode(await api('POST', `/organisations/${vendor.orgId}/grants`, vendor.admin, { consumerOrganisationId: consumer.orgId, ...terms({ channelIds: null }) }), 400, 'GRANT_OWNER_INVALID');
    expectCode(await api('GET', `/organisations/${owner.orgId}/grants/grt_live_01jd3000000000000000000000`, owner.admin), 421, 'ENVIRONMENT_MISMATCH');
  });

  it('of three concurrent decisions on one request (each allowed only on a request), one wins and the other is a state conflict; nothing is written twice', async () => {
    const id = (await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerOrganisationId: owner.orgId, ...terms() })).body.id as string;
    const answers = await Promise.all([
      api('POST', `/organisations/${owner.orgId}/grants/${id}/approve`, owner.admin),
      api('POST', `/organisations/${owner.orgId}/grants/${id}/decline`, owner.admin),
      api('POST', `/organisations/${owner.orgId}/grants/${id}/offer`, owner.admin, { actions: ['read'] }),
    ]);
    expect(answers.filter((a) => a.status === 200), JSON.stringify(answers.map((a) => [a.status, a.body.state, a.body.code]))).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expectCode(a, 409, 'GRANT_STATE_CONFLICT');
    expect(await audit(owner, id)).toHaveLength(2);
  });

  it("an offer whose window ended cannot be accepted: the answer says to withdraw it, and withdrawing works; a state conflict reads 'an active'", async () => {
    const end = new Date(Date.now() + 1500).toISOString();
    const req = await api('POST', `/organisations/${consumer.orgId}/grants/requests`, consumer.admin, { ownerOrganisationId: owner.orgId, ...terms({ notOnOrAfter: end }) });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    expect((await api('POST', `/organisations/${owner.orgId}/grants/${req.body.id}/offer`, owner.admin, { channelIds: [ch1] })).body.state).toBe('offered');
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(end) - Date.now()) + 50));
    const stale = await api('POST', `/organisations/${consumer.orgId}/grants/${req.body.id}/accept`, consumer.admin);
    expectCode(stale, 400, 'GRANT_VALIDITY_INVALID');
    expect(stale.body.detail).toContain('withdraw it');
    expect(stale.body.remedy).toContain('vaultgate grants withdraw');
    expect((await api('POST', `/organisations/${consumer.orgId}/grants/${req.body.id}/withdraw`, consumer.admin)).body.state).toBe('withdrawn');

    const g = await api('POST', `/organisations/${owner.orgId}/grants`, owner.admin, { consumerOrganisationId: consumer.orgId, ...terms() });
    const conflict = await api('POST', `/organisations/${owner.orgId}/grants/${g.body.id}/approve`, owner.admin);
    expectCode(conflict, 409, 'GRANT_STATE_CONFLICT');
    expect(conflict.body.detail).toContain('an active grant allows only');
    await api('POST', `/organisations/${owner.orgId}/grants/${g.body.id}/revoke`, owner.admin);
  });

  it('a grant past notOnOrAfter gets no statement at once, and the sweep records it expired for both sides', async () => {
    const end = new Date(Date.now() + 1500).toISOString();
    const g = await api('POST', `/organisations/${owner.orgId}/grants`, owner.admin, { consumerOrganisationId: vendor.orgId, ...terms({ notOnOrAfter: end }) });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(end) - Date.now()) + 50));
    const st = await api('GET', `/organisations/${vendor.orgId}/grants/${g.body.id}/statement`, vendor.admin);
    if (st.status !== 409) throw new Error(`statement after the window: ${st.status}`);
    expectCode(st, 409, 'GRANT_NOT_ACTIVE');
    let state = '';
    for (let i = 0; i < 60 && state !== 'expired'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await api('GET', `/organisations/${vendor.orgId}/grants/${g.body.id}`, vendor.viewer)).body.state;
    }
    expect(state).toBe('expired');
    for (const o of [owner, vendor]) {
      const r = await api('GET', `/organisations/${o.orgId}/audit?limit=1000`, o.viewer);
      const ev = (r.body.items as AuditRecord[]).find((e) => e.subject === g.body.id && e.action === 'grant.expire');
      expect(ev).toMatchObject({ actor: { kind: 'system', id: 'vaultgate' }, details: { from: 'active', state: 'expired' } });
    }
    expectCode(await api('POST', `/organisations/${owner.orgId}/grants/${g.body.id}/revoke`, owner.admin), 409, 'GRANT_STATE_CONFLICT');
  });
});
}

grantsOverHttp('SQLite', () => ({}));
const schema = uniqueSchema('grants');
describePostgres('on PostgreSQL', () => {
  afterAll(() => dropSchemas([schema, `${schema}_keys`]));
  grantsOverHttp('PostgreSQL', () => ({
    VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
    VAULTGATE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'), VAULTGATE_ADMIN_TOKEN: 'p'.repeat(40),
  }));
});
