import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../../src/protocol/index.js';
import type { MacCredentials, RawResponse } from '../helpers/mac-request.js';
import { fetchToken } from '../helpers/oauth.js';
import { requestBytes, socketRequest } from '../helpers/raw-http.js';
import { expectRefusal, listVault, STATUS_MODES, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 11 §2: a header that decides the answer, sent in two field lines, is refused with 400 DUPLICATE_HEADER naming
 * it, on every route family, whatever Node makes of it (it keeps the first Authorization/Content-Type/Host and joins
 * Idempotency-Key, X-Message-Type, Content-Encoding and X-Netvisor-* lines with ", "). The requests are written
 * byte for byte on a socket: no HTTP client sends a header twice on request. The repeat is the same value in other
 * letter case, the case a proxy or a retrying client produces and Node hides best.
 */
describe('headers that must appear once (issue 11 §2)', () => {
  let s: TestServer;
  let t: Tenant;
  let host = '';
  let ingestToken = '';
  let readToken = '';
  let sender: { clientId: string; clientSecret: string };
  // POST /ingestion/{channelId} has two HTTP paths: the lean node:http one takes the channel id as sent, and a
  // percent-encoded "_" sends the same channel to the Fastify route (same MAC: it is computed over the decoded URL).
  const fastTarget = (): string => `/ingestion/${t.channelId}`;
  const fastifyTarget = (): string => `/ingestion/${t.channelId.replace('_', '%5F')}`;

  beforeAll(async () => {
    s = await startTestServer();
    host = new URL(s.url).host;
    t = await createTenant(s.admin);
    sender = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    const reader = (await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'bi' })).body;
    ingestToken = await fetchToken(s.url, sender.clientId, sender.clientSecret);
    readToken = await fetchToken(s.url, reader.clientId, reader.clientSecret);
  });
  afterAll(() => s.stop());

  type Lines = [string, string][];
  const send = (method: string, target: string, headers: Lines, body?: string): Promise<RawResponse> =>
    socketRequest(s.url, requestBytes({ method, target, host, headers, ...(body === undefined ? {} : { body: Buffer.from(body) }) }));

  /** The X-Netvisor-* field lines of a request to `target`, signed with `creds`. */
  const signed = (target: string, creds: MacCredentials, mode: { useHttpStatusCodes: boolean; json: boolean }): Lines => {
    const now = Date.now();
    const input = {
      url: s.url + decodeURIComponent(target), sender: 'Vaultgate tests', customerId: creds.customerId, timestamp: formatMacTimestamp(now),
      language: 'EN', organisationId: creds.organisationId, transactionId: randomUUID(), timestampUnix: String(Math.floor(now / 1000)),
      customerKey: creds.customerKey, partnerKey: creds.partnerKey,
    };
    const h = buildMacHeaders(input, { partnerId: creds.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: mode.useHttpStatusCodes });
    return [...Object.entries(h), ...(mode.json ? [['Accept', 'application/json'] as [string, string]] : [])];
  };

  /** `lines` with the line named `name` sent twice: the copy right after it, its name lowercased. */
  const repeated = (lines: Lines, name: string): Lines => {
    const i = lines.findIndex(([k]) => k.toLowerCase() === name.toLowerCase());
    if (i < 0) throw new Error(`no ${name} line to repeat`);
    return [...lines.slice(0, i + 1), [name.toLowerCase(), lines[i]![1]], ...lines.slice(i + 1)];
  };

  /** A problem+json 400 DUPLICATE_HEADER that names `name`. */
  const expectDuplicate = (res: RawResponse, name: string): void => {
    expect(res.status, res.text).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const p = res.json();
    expect(p).toMatchObject({ code: 'DUPLICATE_HEADER', status: 400, header: expect.stringMatching(new RegExp(`^${name}$`, 'i')) });
    expect(p.detail).toMatch(new RegExp(`${name} was sent 2 times`, 'i'));
    expect(p.remedy).toMatch(/exactly once/);
  };

  const stored = async (): Promise<number> => (await listVault(s.url, t.reader)).length;
  const bearerIngest = (extra: Lines = []): Lines => [
    ['Authorization', `Bearer ${ingestToken}`], ['Content-Type', 'application/json'], ['X-Message-Type', 'TransportOrder'],
    ['Idempotency-Key', randomUUID()], ['Content-Encoding', 'identity'], ...extra,
  ];
  const macIngest = (target: string, mode: { useHttpStatusCodes: boolean; json: boolean }): Lines => [
    ...signed(target, t.sender, mode), ['Content-Type', 'application/json'], ['X-Message-Type', 'TransportOrder'], ['Content-Encoding', 'identity'],
  ];
  const MAC_NAMES = [
    'X-Netvisor-Authentication-Sender', 'X-Netvisor-Authentication-CustomerId', 'X-Netvisor-Authentication-PartnerId',
    'X-Netvisor-Authentication-Timestamp', 'X-Netvisor-Authentication-TimestampUnix', 'X-Netvisor-Authentication-TransactionId',
    'X-Netvisor-Interface-Language', 'X-Netvisor-Organisation-ID', 'X-Netvisor-Authentication-MAC',
    'X-Netvisor-Authentication-MACHashCalculationAlgorithm', 'X-Netvisor-Authentication-UseHTTPResponseStatusCodes',
  ];

  it('the issue\'s example: Idempotency-Key K twice is refused and burns nothing; K once is then stored once', async () => {
    const before = await stored();
    const key = `K-${randomUUID()}`;
    const lines: Lines = [['Authorization', `Bearer ${ingestToken}`], ['Content-Type', 'application/json'], ['Idempotency-Key', key]];
    expectDuplicate(await send('POST', fastTarget(), [...lines, ['Idempotency-Key', key]], '{"a":1}'), 'Idempotency-Key');
    expect(await stored()).toBe(before);
    const first = await send('POST', fastTarget(), lines, '{"a":1}');
    expect(first.status, first.text).toBe(200);
    expect(first.json().transactionId).toBe(key);
    const again = await send('POST', fastTarget(), lines, '{"a":1}');
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'REQUEST_NOT_UNIQUE', messageId: first.json().messageId });
    expect(await stored()).toBe(before + 1);
  });

  for (const [path, target] of [['lean node:http path', fastTarget], ['Fastify route', fastifyTarget]] as const) {
    describe(`POST /ingestion/{channelId}, ${path}`, () => {
      it('the well-formed requests these cases repeat a line of are stored (the controls)', async () => {
        const before = await stored();
        const bearer = await send('POST', target(), bearerIngest(), '{"a":1}');
        expect(bearer.status, bearer.text).toBe(200);
        const mac = await send('POST', target(), macIngest(target(), { useHttpStatusCodes: true, json: true }), '{"a":1}');
        expect(mac.status, mac.text).toBe(200);
        expect(await stored()).toBe(before + 2);
      });

      it('bearer: Authorization, Idempotency-Key, X-Message-Type, Content-Type, Content-Encoding and Host twice are 400 naming the header; nothing stored', async () => {
        const before = await stored();
        for (const name of ['Authorization', 'Idempotency-Key', 'X-Message-Type', 'Content-Type', 'Content-Encoding']) {
          expectDuplicate(await send('POST', target(), repeated(bearerIngest(), name), '{"a":1}'), name);
        }
        // Host is written by requestBytes; a second one (RFC 9112 §3.2: 400).
        expectDuplicate(await send('POST', target(), bearerIngest([['HOST', host]]), '{"a":1}'), 'Host');
        // Two different values are refused alike (Node would have used the first Authorization silently).
        expectDuplicate(await send('POST', target(), bearerIngest([['Authorization', 'Bearer not-a-token']]), '{"a":1}'), 'Authorization');
        expect(await stored()).toBe(before);
      });

      it('MAC: every X-Netvisor-* header, X-Message-Type, Content-Type and Content-Encoding twice are refused in the scheme\'s answer format', async () => {
        const before = await stored();
        for (const name of [...MAC_NAMES, 'X-Message-Type', 'Content-Type', 'Content-Encoding']) {
          // UseHTTPResponseStatusCodes "1" twice reaches the style rules as "1, 1", which is not "1": answered with 200.
          const modes = name.endsWith('UseHTTPResponseStatusCodes') ? STATUS_MODES.filter((m) => !m.useHttpStatusCodes) : STATUS_MODES;
          for (const mode of modes) {
            const lines = name.endsWith('UseHTTPResponseStatusCodes')
              ? [...macIngest(target(), mode), ['X-Netvisor-Authentication-UseHTTPResponseStatusCodes', '1'], ['x-netvisor-authentication-usehttpresponsestatuscodes', '1']] as Lines
              : repeated(macIngest(target(), mode), name);
            const r = expectRefusal(await send('POST', target(), lines, '{"a":1}'), 'DUPLICATE_HEADER', mode as StatusMode);
            const text = r.problem ? r.problem.detail : r.failure;
            expect(text, `${name} in ${mode.label}`).toMatch(new RegExp(`${name} was sent 2 times; send it once`, 'i'));
          }
        }
        expect(await stored()).toBe(before);
      });
    });
  }

  describe('GET /vault/v1/messages', () => {
    it('bearer: Authorization and Idempotency-Key twice are 400 naming the header', async () => {
      const lines: Lines = [['Authorization', `Bearer ${readToken}`], ['Idempotency-Key', randomUUID()]];
      const ok = await send('GET', '/vault/v1/messages', lines);
      expect(ok.status, ok.text).toBe(200);
      expectDuplicate(await send('GET', '/vault/v1/messages', repeated(lines, 'Authorization')), 'Authorization');
      expectDuplicate(await send('GET', '/vault/v1/messages', repeated(lines, 'Idempotency-Key')), 'Idempotency-Key');
    });

    it('MAC: every X-Netvisor-* header twice is refused, JSON and XML envelope alike', async () => {
      const ok = await send('GET', '/vault/v1/messages', signed('/vault/v1/messages', t.reader, { useHttpStatusCodes: true, json: true }));
      expect(ok.status, ok.text).toBe(200);
      for (const name of MAC_NAMES.filter((n) => !n.endsWith('UseHTTPResponseStatusCodes'))) {
        for (const mode of [STATUS_MODES[0]!, STATUS_MODES[3]!]) {
          const r = expectRefusal(await send('GET', '/vault/v1/messages', repeated(signed('/vault/v1/messages', t.reader, mode), name)), 'DUPLICATE_HEADER', mode);
          expect(r.problem?.header ?? r.failure).toMatch(new RegExp(name, 'i'));
        }
      }
    });
  });

  describe('/admin/v1', () => {
    it('the operator token twice (even the right one) and Content-Type twice are 400 naming the header; nothing created', async () => {
      const auth: [string, string] = ['Authorization', `Bearer ${s.adminToken}`];
      const ok = await send('GET', '/admin/v1/parties', [auth]);
      expect(ok.status, ok.text).toBe(200);
      expectDuplicate(await send('GET', '/admin/v1/parties', [auth, ['authorization', auth[1]]]), 'Authorization');
      const parties = (await s.admin('GET', '/parties?limit=1000')).body.items.length;
      expectDuplicate(await send('POST', '/admin/v1/parties', [auth, ['Content-Type', 'application/json'], ['Content-Type', 'text/plain']], '{"name":"Twice Oy"}'), 'Content-Type');
      expect((await s.admin('GET', '/parties?limit=1000')).body.items.length).toBe(parties);
    });
  });

  describe('POST /oauth2/token', () => {
    const basic = (): [string, string] => ['Authorization', `Basic ${Buffer.from(`${sender.clientId}:${sender.clientSecret}`).toString('base64')}`];
    const form = 'grant_type=client_credentials';

    it('Authorization and Content-Type twice are refused in RFC 6749 form (invalid_request) with the DUPLICATE_HEADER code; no token issued', async () => {
      const ok = await send('POST', '/oauth2/token', [basic(), ['Content-Type', 'application/x-www-form-urlencoded']], form);
      expect(ok.status, ok.text).toBe(200);
      for (const [name, lines] of [
        ['Authorization', [basic(), basic(), ['Content-Type', 'application/x-www-form-urlencoded']]],
        ['Content-Type', [basic(), ['Content-Type', 'application/x-www-form-urlencoded'], ['content-type', 'application/x-www-form-urlencoded']]],
      ] as [string, Lines][]) {
        const res = await send('POST', '/oauth2/token', lines, form);
        expect(res.status, res.text).toBe(400);
        expect(res.json()).toMatchObject({ error: 'invalid_request', code: 'DUPLICATE_HEADER' });
        expect(res.json().error_description).toMatch(new RegExp(`${name} was sent 2 times`));
        expect(res.json().access_token).toBeUndefined();
      }
    });
  });

  it('list headers are not single-valued: Accept and Accept-Language in two lines are answered as one combined list', async () => {
    const res = await send('GET', '/vault/v1/messages', [
      ...signed('/vault/v1/messages', t.reader, { useHttpStatusCodes: true, json: false }), ['Accept', 'text/html'], ['Accept', 'application/json'],
      ['Accept-Language', 'de'], ['Accept-Language', 'fi'],
    ]);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
  it('a repeated Content-Length, which node\'s parser refuses before any route, is DUPLICATE_HEADER in problem+json too', async () => {
    // requestBytes writes one Content-Length itself; a second line with another value is the request smuggling shape.
    const before = await stored();
    for (const second of ['2', '0']) {
      const res = await send('POST', fastTarget(), [['Content-Type', 'application/json'], ['Content-Length', second]], '{}');
      expect(res.status, res.text).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'DUPLICATE_HEADER', status: 400 });
      expect(res.headers.connection).toBe('close');
    }
    expect(await stored()).toBe(before);
  });
});
