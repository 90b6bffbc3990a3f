import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, errorMessage, type ErrorCode } from '../../src/protocol/index.js';
import { macRequest, type MacCredentials, type RawResponse } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken, signToken, startJwksServer, testKey, type JwksServer } from '../helpers/oauth.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { ADMIN_TOKEN, startSharingServer, type SharingServer } from '../helpers/sharing.js';

/*
 * Issue 16: refused ingestion requests are recorded off the request path by both HTTP paths (the lean socket path and
 * the Fastify route, through inject), and the organisations' routes show them with the catalogue's codes, titles and
 * remedies: a company the refusals on its channels, a vendor those attributed to its party, the operator every one.
 * Successes are never recorded. Each request is tagged with its own X-Request-Id, so what is listed can be told apart.
 */

const TYPE = 'TransportOrder';
const IDP = 'https://idp.toimittaja.example/';
const AUDIENCE = 'api://vaultgate';
const rid = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

describe('ingestion statistics and refusals', () => {
  let s: SharingServer;
  let j: JwksServer;
  let company: TestOrganisation;
  let vendor: TestOrganisation;
  let otherVendor: TestOrganisation;
  let channelId = '';
  let otherChannelId = '';
  let sender: MacCredentials;
  let otherSender: MacCredentials;
  let vendorClient = { clientId: '', clientSecret: '' };
  /** request id → the code it was answered with (every refusal sent), and the ids of successes. */
  const refused = new Map<string, string>();
  const ok: string[] = [];
  const ids = { badMac: '', unknownChannel: '', wrongType: '', replay: '', foreignPartner: '', foreignToken: '', forgedToken: '', wrongAudience: '', fastifyWrongType: '', other: '' };

  const codeOf = (res: RawResponse): string => res.json().code as string;
  const send = async (label: string, o: { creds?: MacCredentials; channel?: string; type?: string; transactionId?: string; headers?: Record<string, string> }) => {
    const id = rid(label);
    const res = await macRequest({
      baseUrl: s.url, target: `/ingestion/${o.channel ?? channelId}`, creds: o.creds ?? sender, body: '{"n":1}', transactionId: o.transactionId,
      headers: { 'content-type': 'application/json', 'x-message-type': o.type ?? TYPE, 'x-request-id': id, ...o.headers },
    });
    if (res.status === 200) ok.push(id);
    else refused.set(id, codeOf(res));
    return { id, res };
  };

  beforeAll(async () => {
    // An external issuer whose client is linked to the vendor's party: its token for another audience is refused.
    j = await startJwksServer();
    const idpKey = await testKey('RS256', 'idp-1');
    j.keys.set('idp', [idpKey.publicJwk]);
    s = await startSharingServer({ VAULTGATE_OIDC_ISSUERS: JSON.stringify([{ issuer: IDP, jwksUri: `${j.url}/idp/jwks.json`, audiences: [AUDIENCE], clientIdClaims: ['azp'], roleMap: { 'Vaultgate.Ingest': 'ingest' } }]) });
    company = await registerOrganisation(s.url, ADMIN_TOKEN, { kind: 'company', email: 'admin@tilastot.example', businessId: '1572860-0', name: 'Tilastot Oy' });
    vendor = await registerOrganisation(s.url, ADMIN_TOKEN, { kind: 'party', email: 'admin@toimittaja.example', name: 'Toimittaja Oy' });
    otherVendor = await registerOrganisation(s.url, ADMIN_TOKEN, { kind: 'party', email: 'admin@muu.example', name: 'Muu Oy' });
    const otherCompany = await registerOrganisation(s.url, ADMIN_TOKEN, { kind: 'company', email: 'admin@muuyhtio.example', businessId: '0737546-2', name: 'Muu Yhtiö Oy' });
    const types = [{ name: TYPE, mediaTypes: ['application/json'] }];
    channelId = (await s.admin('POST', '/channels', { companyId: company.orgId, partyId: vendor.orgId, messageTypes: types })).body.id;
    otherChannelId = (await s.admin('POST', '/channels', { companyId: otherCompany.orgId, partyId: otherVendor.orgId, messageTypes: types })).body.id;
    const creds = async (partyId: string, companyId: string, businessId: string): Promise<MacCredentials> => {
      const partner = (await s.admin('POST', `/parties/${partyId}/partner-credentials`)).body;
      const customer = (await s.admin('POST', `/companies/${companyId}/customer-credentials`, { name: 'integration', scopes: ['ingest'] })).body;
      return { partnerId: partner.partnerId, partnerKey: partner.partnerKey, customerId: customer.customerId, customerKey: customer.customerKey, organisationId: businessId };
    };
    sender = await creds(vendor.orgId, company.orgId, '1572860-0');
    otherSender = await creds(otherVendor.orgId, otherCompany.orgId, '0737546-2');
    vendorClient = (await s.admin('POST', `/parties/${vendor.orgId}/clients`, { name: 'integration', roles: ['ingest'] })).body;
    const otherClient = (await s.admin('POST', `/parties/${otherVendor.orgId}/clients`, { name: 'integration', roles: ['ingest'] })).body;

    // Two messages stored (never recorded as refusals), one of them the first use of a transaction id.
    const tx = randomUUID();
    await send('ok', { transactionId: tx });
    await send('ok', {});
    // Refusals on the lean path.
    ids.badMac = (await send('badmac', { creds: { ...sender, partnerKey: Buffer.alloc(32, 9).toString('base64') } })).id;
    ids.unknownChannel = (await send('unknown', { channel: `ch_test_${'0'.repeat(26)}` })).id;
    ids.wrongType = (await send('wrongtype', { type: 'Invoice' })).id;
    ids.replay = (await send('replay', { transactionId: tx })).id;
    // The other vendor's valid credentials, on this channel: the company sees it, the vendor of the channel does not.
    ids.foreignPartner = (await send('foreignpartner', { creds: { ...otherSender, customerId: sender.customerId, customerKey: sender.customerKey, organisationId: sender.organisationId } })).id;
    ids.other = (await send('other', { creds: otherSender, channel: otherChannelId, type: 'Invoice' })).id;
    // Bearer: a valid token of the other vendor's client (not the channel party's), and a forged one naming this vendor's client.
    const bearer = async (label: string, token: string) => {
      const id = rid(label);
      const res = await bearerRequest(`${s.url}/ingestion/${channelId}`, token, { body: '{}', headers: { 'content-type': 'application/json', 'x-message-type': TYPE, 'x-request-id': id, 'idempotency-key': `key-${id}` } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      refused.set(id, res.json.code);
      return id;
    };
    ids.foreignToken = await bearer('foreigntoken', await fetchToken(s.url, otherClient.clientId, otherClient.clientSecret));
    const forger = await testKey('ES256', 'forged');
    ids.forgedToken = await bearer('forgedtoken', await signToken(forger, { iss: s.url, aud: 'https://wrong-audience.example', client_id: vendorClient.clientId, sub: vendorClient.clientId, scope: 'ingest' }));
    expect((await s.admin('POST', `/parties/${vendor.orgId}/external-clients`, { issuer: IDP, clientId: 'toimittaja-app' })).status).toBe(201);
    ids.wrongAudience = await bearer('wrongaudience', await signToken(idpKey, { iss: IDP, aud: 'api://someone-else', azp: 'toimittaja-app', roles: ['Vaultgate.Ingest'] }));
    const good = await bearerRequest(`${s.url}/ingestion/${channelId}`, await fetchToken(s.url, vendorClient.clientId, vendorClient.clientSecret), {
      body: '{}', headers: { 'content-type': 'application/json', 'x-message-type': TYPE, 'x-request-id': rid('okbearer') },
    });
    expect(good.status).toBe(200);
    // The Fastify route (inject never takes the lean path).
    const fastifyId = rid('fastify');
    const injected = await s.built.app.inject({ method: 'POST', url: `/ingestion/${channelId}`, headers: { 'x-request-id': fastifyId, 'content-type': 'application/json', 'x-message-type': 'Invoice' }, payload: '{}' });
    expect(injected.statusCode).toBeGreaterThanOrEqual(400);
    refused.set(fastifyId, injected.json().code);
    ids.fastifyWrongType = fastifyId;
    await s.built.refusals.flush();
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    await j?.close();
  });

  const refusals = async (org: string, token: string, query = '', headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.url}/api/v1/organisations/${org}/ingestion/refusals${query}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: res.status, body: await res.json() as any };
  };
  const listed = (body: any): string[] => body.items.map((r: any) => r.requestId);

  it('every refusal sent was a real refusal, each with its own code', () => {
    expect(refused.size).toBe(10);
    expect(refused.get(ids.wrongAudience)).toMatch(/AUDIENCE/);
    expect(new Set(refused.values()).size).toBeGreaterThanOrEqual(5);
    expect(refused.get(ids.unknownChannel)).toBe('CHANNEL_NOT_FOUND');
    expect(refused.get(ids.replay)).toBe('REQUEST_NOT_UNIQUE');
    expect(ok).toHaveLength(2);
  });

  it('the operator sees every refusal (unattributed ones too), newest first, with the code answered and nothing of a success', async () => {
    const res = await apiCall(s.url, 'GET', '/admin/ingestion/refusals', ADMIN_TOKEN);
    expect(res.status).toBe(200);
    expect(new Set(listed(res.body))).toEqual(new Set(refused.keys()));
    for (const r of res.body.items) {
      expect(r.code).toBe(refused.get(r.requestId));
      expect(r.status).toBe(ERROR_CATALOGUE[r.code as ErrorCode].status);
    }
    const ats = res.body.items.map((r: any) => r.at);
    expect(ats).toEqual([...ats].sort().reverse());
    const unknown = res.body.items.find((r: any) => r.requestId === ids.unknownChannel);
    expect(unknown).toMatchObject({ companyId: null, partyId: null, channelId: `ch_test_${'0'.repeat(26)}`, scheme: 'mac', credentialId: `${sender.partnerId}/${sender.customerId}`, clientAddress: '127.0.0.1' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Nothing was dropped: the drop counter is registered and has counted no refusal.
    const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(metrics).toContain('# TYPE vaultgate_ingestion_refusals_dropped_total counter');
    expect(metrics).not.toMatch(/^vaultgate_ingestion_refusals_dropped_total\{/m);
  });

  it('a company sees the refusals on its channels, with title (in the request language) and remedy from the catalogue', async () => {
    const res = await refusals(company.orgId, company.viewer);
    expect(res.status).toBe(200);
    const expected = [ids.badMac, ids.wrongType, ids.replay, ids.foreignPartner, ids.foreignToken, ids.forgedToken, ids.wrongAudience, ids.fastifyWrongType];
    expect(new Set(listed(res.body))).toEqual(new Set(expected));
    for (const r of res.body.items) {
      const def = ERROR_CATALOGUE[r.code as ErrorCode];
      expect(r).toMatchObject({ code: refused.get(r.requestId), title: errorMessage(r.code, 'en'), channelId, requestId: r.requestId });
      expect(r.remedy).toBe((r.scheme === 'bearer' && def.bearerRemedy ? def.bearerRemedy : def.remedy).en);
      expect(r).not.toHaveProperty('clientAddress');
    }
    const replay = res.body.items.find((r: any) => r.requestId === ids.replay);
    expect(replay).toMatchObject({ scheme: 'mac', credentialId: `${sender.partnerId}/${sender.customerId}`, transactionId: expect.any(String) });
    const bearer = res.body.items.find((r: any) => r.requestId === ids.foreignToken);
    expect(bearer).toMatchObject({ scheme: 'bearer', transactionId: `key-${ids.foreignToken}` });
    expect(bearer.credentialId).toContain(`|`);
    // Title and remedy (the bearer remedy for a bearer refusal) in the Accept-Language, the same rows in each.
    for (const language of ['fi', 'sv'] as const) {
      const tr = await refusals(company.orgId, company.viewer, '', { 'accept-language': language });
      expect(listed(tr.body)).toEqual(listed(res.body));
      for (const r of tr.body.items) {
        const def = ERROR_CATALOGUE[r.code as ErrorCode];
        const remedy = r.scheme === 'bearer' && def.bearerRemedy ? def.bearerRemedy : def.remedy;
        expect(r.title, language).toBe(errorMessage(r.code, language));
        expect(r.remedy, `${language} ${r.code}`).toBe(remedy[language]);
        expect(r.remedy).not.toBe(remedy.en);
      }
      expect(tr.body.items.find((r: any) => r.requestId === ids.foreignToken).remedy).toBe(ERROR_CATALOGUE.SERVICE_ACCESS_ERROR.bearerRemedy[language]);
    }
  });

  it('a vendor sees only the refusals attributed to its party: not those claiming another party\'s credential, not another channel\'s', async () => {
    const mine = await refusals(vendor.orgId, vendor.viewer);
    expect(mine.status).toBe(200);
    expect(new Set(listed(mine.body))).toEqual(new Set([ids.badMac, ids.wrongType, ids.replay, ids.forgedToken, ids.wrongAudience, ids.fastifyWrongType]));
    expect(mine.body.items.find((r: any) => r.requestId === ids.wrongAudience)).toMatchObject({ scheme: 'bearer', credentialId: `${IDP}|toimittaja-app` });
    const other = await refusals(otherVendor.orgId, otherVendor.viewer);
    expect(listed(other.body)).toEqual([ids.other]);
  });

  it('filters by code, channel and time, and pages newest first', async () => {
    const code = refused.get(ids.replay)!;
    const byCode = await refusals(company.orgId, company.member, `?code=${code}`);
    expect(listed(byCode.body)).toEqual([...refused].filter(([id, c]) => c === code && id !== ids.other && id !== ids.unknownChannel).map(([id]) => id));
    expect(listed((await refusals(company.orgId, company.admin, `?channelId=${otherChannelId}`)).body)).toEqual([]);
    expect(listed((await refusals(company.orgId, company.admin, `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body)).toEqual([]);
    const first = await refusals(company.orgId, company.viewer, '?limit=3');
    const second = await refusals(company.orgId, company.viewer, `?limit=3&cursor=${first.body.nextCursor}`);
    const all = await refusals(company.orgId, company.viewer);
    expect([...listed(first.body), ...listed(second.body)]).toEqual(listed(all.body).slice(0, 6));
    expect((await refusals(company.orgId, company.viewer, '?cursor=nonsense')).body.code).toBe('CURSOR_INVALID');
    for (const bad of ['?since=yesterday', '?since=2026-02-31', '?limit=0', '?code=lower-case']) {
      const res = await refusals(company.orgId, company.viewer, bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.code, bad).toBe('INVALID_REQUEST');
    }
    expect(listed((await refusals(company.orgId, company.viewer, '?since=2020-01-01')).body)).toEqual(listed(all.body));
  });

  it('one organisation never reads another\'s refusals or statistics', async () => {
    for (const path of ['refusals', 'stats']) {
      const res = await apiCall(s.url, 'GET', `/organisations/${company.orgId}/ingestion/${path}`, vendor.admin);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ACCOUNT_FORBIDDEN');
      expect((await apiCall(s.url, 'GET', '/admin/ingestion/refusals', company.admin)).body.code).toBe('ACCOUNT_FORBIDDEN');
    }
  });

  it('statistics: messages per UTC day, channel and type, the last message per channel, and the last 24 h of refusals by code', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const expectedFailures = (keep: (id: string) => boolean) => {
      const counts = new Map<string, number>();
      for (const [id, code] of refused) if (keep(id)) counts.set(code, (counts.get(code) ?? 0) + 1);
      return [...counts].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
    };
    const mine = new Set([ids.badMac, ids.wrongType, ids.replay, ids.foreignPartner, ids.foreignToken, ids.forgedToken, ids.wrongAudience, ids.fastifyWrongType]);
    for (const [org, token, attributed] of [[company.orgId, company.viewer, mine], [vendor.orgId, vendor.viewer, new Set([...mine].filter((id) => id !== ids.foreignPartner && id !== ids.foreignToken))]] as const) {
      const res = await apiCall(s.url, 'GET', `/organisations/${org}/ingestion/stats`, token);
      expect(res.status).toBe(200);
      expect(res.body.days).toEqual([{ date: today, channelId, messageType: TYPE, count: 3 }]);
      expect(res.body.lastIngestion).toEqual([{ channelId, at: expect.stringMatching(new RegExp(`^${today}T`)), messageType: TYPE }]);
      expect(res.body.failures24h).toEqual(expectedFailures((id) => attributed.has(id)));
    }
    const other = await apiCall(s.url, 'GET', `/organisations/${otherVendor.orgId}/ingestion/stats?days=90`, otherVendor.viewer);
    expect(other.body).toEqual({ days: [], lastIngestion: [], failures24h: [{ code: refused.get(ids.other), count: 1 }] });
    const bad = await apiCall(s.url, 'GET', `/organisations/${company.orgId}/ingestion/stats?days=91`, company.viewer);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
  });

  it('the retention sweep deletes refusals past VAULTGATE_INGESTION_REFUSAL_RETENTION_DAYS (7) and keeps the rest', async () => {
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await s.store.appendIngestionRefusals([{ at: old, code: 'MAC_INVALID', status: 401, channelId, companyId: company.orgId, partyId: vendor.orgId, scheme: 'mac', credentialId: null, transactionId: null, requestId: 'old-refusal-1', clientAddress: null }]);
    expect(listed((await refusals(company.orgId, company.viewer)).body)).toContain('old-refusal-1');
    expect(await s.built.refusalRetention.runOnce()).toBe(1);
    const after = await refusals(company.orgId, company.viewer);
    expect(listed(after.body)).not.toContain('old-refusal-1');
    expect(after.body.items).toHaveLength(8);
  });
});

describe('refusals waiting at shutdown', () => {
  it('are written when the app closes, before the store does', async () => {
    const s = await startSharingServer();
    try {
      const id = rid('shutdown');
      const res = await fetch(`${s.url}/ingestion/ch_test_${'1'.repeat(26)}`, { method: 'POST', headers: { 'x-request-id': id, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(404);
      // Closed at once, well within the recorder's 250 ms (refusal-recorder.test.ts shows close() writes what waits).
      await s.built.app.close();
      expect((await s.store.listIngestionRefusals({ limit: 10 })).items).toMatchObject([{ requestId: id, code: 'CHANNEL_NOT_FOUND', scheme: 'none', companyId: null }]);
    } finally {
      await s.close();
    }
  });
});
