import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../../src/protocol/index.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { startBothPaths, type BothPaths } from '../helpers/both-paths.js';
import { macRequest, type MacCredentials, type RawResponse } from '../helpers/mac-request.js';
import { businessIds, createTenant, type Tenant } from '../helpers/servers.js';

/*
 * Fair use (issue 17 §3): per-party and per-channel ingestion limits on a real socket (the lean node:http path) and
 * through Fastify's route (inject), counted together; the IETF RateLimit-Policy / RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers-11) on successes and refusals; 429 RATE_LIMITED with Retry-After.
 */
const WINDOW_S = 600;
const PARTY = 5;
const CHANNEL = 3;

/** The RateLimit field's items by policy name: remaining (r) and reset (t). */
function rateLimit(res: RawResponse): Record<string, { r: number; t: number }> {
  const out: Record<string, { r: number; t: number }> = {};
  for (const item of String(res.headers.ratelimit ?? '').split(',')) {
    const m = /^\s*"([a-z]+)";r=(\d+);t=(\d+)\s*$/.exec(item);
    if (m) out[m[1]!] = { r: Number(m[2]), t: Number(m[3]) };
  }
  return out;
}

function signed(url: string, target: string, creds: MacCredentials, transactionId: string = randomUUID()): Record<string, string> {
  const now = Date.now();
  const input = {
    url: url + target, sender: 'Vaultgate tests', customerId: creds.customerId, timestamp: formatMacTimestamp(now), language: 'EN',
    organisationId: creds.organisationId, transactionId, timestampUnix: String(Math.floor(now / 1000)),
    customerKey: creds.customerKey, partnerKey: creds.partnerKey,
  };
  return {
    ...buildMacHeaders(input, { partnerId: creds.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true }),
    accept: 'application/json', 'content-type': 'application/json',
  };
}

describe('ingestion rate limits (429 RATE_LIMITED, RateLimit headers)', () => {
  let paths: BothPaths;
  let t: Tenant;
  let other: Tenant;
  let secondChannel = '';

  beforeAll(async () => {
    paths = await startBothPaths({
      VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: String(PARTY), VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: String(CHANNEL), VAULTGATE_RATE_LIMIT_WINDOW_S: String(WINDOW_S),
    });
    t = await createTenant(paths.admin);
    other = await createTenant(paths.admin, { businessId: '0737546-2' });
    const ch = await paths.admin('POST', '/channels', { companyId: t.companyId, partyId: t.partyId, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }] });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    secondChannel = ch.body.id;
  });
  afterAll(() => paths.close());

  const onSocket = (channelId: string, creds: MacCredentials, o: { json?: boolean; useHttpStatusCodes?: boolean } = {}) =>
    macRequest({ baseUrl: paths.url, target: `/ingestion/${channelId}`, creds, body: '{"n":1}', headers: { 'content-type': 'application/json' }, ...o });
  const viaInject = (channelId: string, creds: MacCredentials) =>
    paths.inject({ url: `/ingestion/${channelId}`, headers: signed(paths.url, `/ingestion/${channelId}`, creds), body: '{"n":1}' });

  it('answers every counted request with RateLimit-Policy and RateLimit, and refuses the channel over its limit on either path', async () => {
    const answers = [await onSocket(t.channelId, t.sender), await viaInject(t.channelId, t.sender), await onSocket(t.channelId, t.sender)];
    answers.forEach((res, i) => {
      expect(res.status, res.text).toBe(200);
      expect(res.headers['ratelimit-policy']).toBe(`"party";q=${PARTY};w=${WINDOW_S}, "channel";q=${CHANNEL};w=${WINDOW_S}`);
      const rl = rateLimit(res);
      expect(rl.party!.r).toBe(PARTY - 1 - i);
      expect(rl.channel!.r).toBe(CHANNEL - 1 - i);
      expect(rl.channel!.t).toBeGreaterThan(0);
      expect(rl.channel!.t).toBeLessThanOrEqual(WINDOW_S);
    });

    for (const res of [await onSocket(t.channelId, t.sender), await viaInject(t.channelId, t.sender)]) {
      expect(res.status, res.text).toBe(429);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = res.json();
      expect(problem).toMatchObject({ code: 'RATE_LIMITED', status: 429, limit: 'channel' });
      expect(problem.remedy).toMatch(/Retry-After/);
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
      expect(rateLimit(res).channel!.r).toBe(0);
      expect(res.headers['ratelimit-policy']).toContain(`"channel";q=${CHANNEL}`);
    }
  });

  it('counts the party across its channels: another channel of the party is refused once the party budget is used', async () => {
    // The party has been charged 5 (3 stored, 2 refused): its next message on a fresh channel goes over.
    const res = await onSocket(secondChannel, t.sender);
    expect(res.status, res.text).toBe(429);
    expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', limit: 'party' });
    expect(rateLimit(res).party!.r).toBe(0);
    expect(rateLimit(res).channel!.r).toBe(CHANNEL - 1);
  });

  it('leaves another party and its channel untouched', async () => {
    const res = await onSocket(other.channelId, other.sender);
    expect(res.status, res.text).toBe(200);
    expect(rateLimit(res)).toEqual({ party: { r: PARTY - 1, t: expect.any(Number) }, channel: { r: CHANNEL - 1, t: expect.any(Number) } });
  });

  it('names the fields on a refusal after the charge too (a reused transaction id), on either path', async () => {
    const transactionId = randomUUID();
    const first = await macRequest({ baseUrl: paths.url, target: `/ingestion/${other.channelId}`, creds: other.sender, body: '{}', transactionId, headers: { 'content-type': 'application/json' } });
    expect(first.status, first.text).toBe(200);
    const again = await paths.inject({ url: `/ingestion/${other.channelId}`, headers: signed(paths.url, `/ingestion/${other.channelId}`, other.sender, transactionId), body: '{}' });
    expect(again.json().code, again.text).toBe('REQUEST_NOT_UNIQUE');
    expect(rateLimit(again).channel!.r).toBe(0);
  });

  it('refuses over the limit before the body is read: Expect: 100-continue gets 429, never 100 Continue', async () => {
    const target = `/ingestion/${t.channelId}`;
    const outcome = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest(paths.url + target, {
        method: 'POST', headers: { ...signed(paths.url, target, t.sender), expect: '100-continue', 'content-length': '1024' },
      });
      req.on('continue', () => {
        continued = true;
        req.end('x'.repeat(1024));
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ continued, status: res.statusCode ?? 0 }));
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(outcome).toEqual({ continued: false, status: 429 });
  });

  it('keeps 429 on the MAC path in every status mode, in the Netvisor envelope when asked for XML', async () => {
    const xml = await onSocket(t.channelId, t.sender, { json: false, useHttpStatusCodes: false });
    expect(xml.status).toBe(429);
    expect(xml.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(xml.text).toContain('FAILED');
    expect(xml.text).toContain('(RATE_LIMITED)');
    expect(Number(xml.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(xml.headers.ratelimit).toContain('"channel";r=0');
  });

  it('charges nothing for a request that fails authentication (no one can use up a party\'s budget)', async () => {
    const fresh = await createTenant(paths.admin, { businessId: businessIds(500, 1)[0]! });
    for (let i = 0; i < PARTY + 1; i++) {
      const res = await onSocket(fresh.channelId, { ...fresh.sender, customerKey: 'x'.repeat(44) });
      expect(res.status).toBe(401);
      expect(res.headers.ratelimit).toBeUndefined();
    }
    const good = await onSocket(fresh.channelId, fresh.sender);
    expect(good.status, good.text).toBe(200);
    expect(rateLimit(good).party!.r).toBe(PARTY - 1);
  });

  it('records each 429 with the refusal recorder', async () => {
    await paths.built.refusals.flush();
    const res = await paths.built.app.inject({ method: 'GET', url: '/api/v1/admin/ingestion/refusals?code=RATE_LIMITED', headers: { authorization: `Bearer ${paths.adminToken}` } });
    expect(res.statusCode, res.body).toBe(200);
    const items = (res.json() as { items: { code: string; channelId: string; status: number }[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(items.every((r) => r.code === 'RATE_LIMITED' && r.status === 429)).toBe(true);
    expect(new Set(items.map((r) => r.channelId))).toEqual(new Set([t.channelId, secondChannel]));
  });
});

describe('rate limit configuration', () => {
  it('turns a limit off with 0: no RateLimit fields on the answer', async () => {
    const paths = await startBothPaths({ VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '0', VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: '0' });
    try {
      const t = await createTenant(paths.admin);
      const res = await macRequest({ baseUrl: paths.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status, res.text).toBe(200);
      expect(res.headers.ratelimit).toBeUndefined();
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    } finally {
      await paths.close();
    }
  });

  it('has defaults that allow 1,000 messages/s per party, and refuses bad values naming the key', () => {
    const c = loadConfig({ env: { VAULTGATE_DATA_DIR: '/tmp' } });
    expect(c.rateLimitPartyMessages / c.rateLimitWindowS).toBe(1000);
    expect(c.rateLimitChannelMessages).toBeLessThanOrEqual(c.rateLimitPartyMessages);
    expect(() => loadConfig({ env: { VAULTGATE_DATA_DIR: '/tmp', VAULTGATE_RATE_LIMIT_WINDOW_S: '0' } })).toThrow(/VAULTGATE_RATE_LIMIT_WINDOW_S/);
    expect(() => loadConfig({ env: { VAULTGATE_DATA_DIR: '/tmp', VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '-1' } })).toThrow(/VAULTGATE_RATE_LIMIT_PARTY_MESSAGES/);
    expect(() => loadConfig({ env: { VAULTGATE_DATA_DIR: '/tmp', VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: 'many' } })).toThrow(/VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES/);
  });
});
