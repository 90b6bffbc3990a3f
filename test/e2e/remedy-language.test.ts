import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, errorMessage, type ErrorCode, type Language } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 16 ("every text translated"): a refusal's remedy is in the request's language, chosen exactly as its title is
 * (X-Netvisor-Interface-Language FI/EN/SE on the signed-header scheme, else Accept-Language, else English), over real
 * sockets: on both HTTP paths of POST /ingestion/{channelId} (the lean node:http path and the Fastify route), for MAC
 * and bearer requests (the bearer remedy translated too), on the batch route's per-item results and on /api/v1.
 */
const MAC_LANGUAGE: Record<Language, string> = { en: 'EN', fi: 'FI', sv: 'SE' };
const LANGUAGES: Language[] = ['en', 'fi', 'sv'];

describe('remedies in the request language', () => {
  let s: TestServer;
  let t: Tenant;
  let other: Tenant;
  let othersToken = '';

  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
    other = await createTenant(s.admin, { businessId: '0112038-9' });
    const client = (await s.admin('POST', `/parties/${other.partyId}/clients`, { name: 'erp' })).body;
    othersToken = await fetchToken(s.url, client.clientId, client.clientSecret);
  });
  afterAll(() => s?.stop());

  const targets = (): [string, string][] => [
    ['lean node:http path', `/ingestion/${t.channelId}`],
    // A percent-encoded "_" leaves the lean path and reaches the Fastify route with the same channel.
    ['Fastify route', `/ingestion/${t.channelId.replace('_', '%5F')}`],
  ];

  /** The problem body of `res`, checked to be `code` with its title and remedy in `language` (and not in another). */
  const expectTranslated = (res: { status: number; text: string; json: any }, code: ErrorCode, language: Language, bearer = false): void => {
    const def = ERROR_CATALOGUE[code];
    const remedy = (bearer && def.bearerRemedy ? def.bearerRemedy : def.remedy);
    expect(res.json.code, res.text).toBe(code);
    expect(res.json.title, res.text).toBe(errorMessage(code, language));
    expect(res.json.remedy, res.text).toBe(remedy[language]);
    for (const l of LANGUAGES) if (l !== language) expect(res.json.remedy).not.toBe(remedy[l]);
  };
  const parsed = (r: RawResponse) => ({ status: r.status, text: r.text, json: r.json() });

  it('a MAC refusal carries the remedy of X-Netvisor-Interface-Language FI / SE / EN on both HTTP paths, JSON in both status modes', async () => {
    for (const [path, target] of targets()) {
      for (const language of LANGUAGES) {
        for (const useHttpStatusCodes of [true, false]) {
          const res = await macRequest({
            baseUrl: s.url, target, creds: t.sender, body: '{"n":1}', language: MAC_LANGUAGE[language], json: true, useHttpStatusCodes,
            headers: { 'content-type': 'application/json', 'x-message-type': 'Invoice' },
          });
          expect(res.status, `${path} ${language}`).toBe(useHttpStatusCodes ? 400 : 200);
          expectTranslated(parsed(res), 'MESSAGE_TYPE_NOT_AGREED', language);
        }
      }
    }
  });

  it('the MAC interface language wins over Accept-Language, as it does for the title', async () => {
    const res = await macRequest({
      baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{"n":1}', language: 'SE', json: true, useHttpStatusCodes: true,
      headers: { 'content-type': 'application/json', 'x-message-type': 'Invoice', 'accept-language': 'fi' },
    });
    expectTranslated(parsed(res), 'MESSAGE_TYPE_NOT_AGREED', 'sv');
  });

  it('a bearer refusal carries the bearer remedy in the Accept-Language on both HTTP paths', async () => {
    for (const [path, target] of targets()) {
      for (const language of LANGUAGES) {
        const res = await bearerRequest(`${s.url}${target}`, othersToken, {
          body: '{"n":1}', headers: { 'content-type': 'application/json', 'x-message-type': 'TransportOrder', 'idempotency-key': randomUUID(), 'accept-language': `${language};q=0.9, de;q=0.5` },
        });
        expect(res.status, `${path} ${language} ${res.text}`).toBe(403);
        expectTranslated(res, 'SERVICE_ACCESS_ERROR', language, true);
      }
    }
  });

  it('an unauthenticated request without credentials is answered in the Accept-Language (Finnish-Swedish sv-FI too)', async () => {
    for (const [header, language] of [['fi-FI', 'fi'], ['sv-FI', 'sv'], ['en-GB', 'en']] as const) {
      const res = await rawRequest({ method: 'POST', url: `${s.url}/ingestion/${t.channelId}`, headers: { 'content-type': 'application/json', 'accept-language': header }, body: '{}' });
      expectTranslated(parsed(res), 'AUTHENTICATION_FAILED', language);
    }
  });

  it('/api/v1 answers its refusals with the remedy in the Accept-Language', async () => {
    for (const language of LANGUAGES) {
      const res = await fetch(`${s.url}/api/v1/me`, { headers: { 'accept-language': language } });
      const text = await res.text();
      expect(res.status, text).toBe(401);
      expectTranslated({ status: res.status, text, json: JSON.parse(text) }, 'SESSION_REQUIRED', language);
    }
  });

  it("a batch's refused items carry the remedy in the request's language, MAC (interface language) and bearer (Accept-Language)", async () => {
    const lines = (): string => [
      { messageType: 'TransportOrder', mediaType: 'text/csv', transactionId: `tx-${randomUUID()}`, body: 'a,b' },
      'not json',
    ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
    const check = (items: any[], language: Language): void => {
      expect(items.map((i) => i.code)).toEqual(['MEDIA_TYPE_NOT_AGREED', 'BATCH_LINE_INVALID']);
      for (const i of items) {
        expect(i.title).toBe(errorMessage(i.code, language));
        expect(i.remedy).toBe(ERROR_CATALOGUE[i.code as ErrorCode].remedy[language]);
      }
    };
    for (const language of LANGUAGES) {
      const mac = await macRequest({
        baseUrl: s.url, target: `/ingestion/${t.channelId}/batch`, creds: t.sender, body: lines(), language: MAC_LANGUAGE[language], json: true, useHttpStatusCodes: true,
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(mac.status, mac.text).toBeLessThan(300);
      check(mac.json().items, language);
    }
    const client = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'batch' })).body;
    const token = await fetchToken(s.url, client.clientId, client.clientSecret);
    for (const language of LANGUAGES) {
      const res = await bearerRequest(`${s.url}/ingestion/${t.channelId}/batch`, token, {
        body: lines(), headers: { 'content-type': 'application/x-ndjson', 'accept-language': language },
      });
      expect(res.status, res.text).toBeLessThan(300);
      check(res.json.items, language);
    }
  });
});
