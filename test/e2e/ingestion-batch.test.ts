import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_MAX_ITEMS, ERROR_CATALOGUE, FAMILY_STATUS, type ErrorCode } from '../../src/protocol/index.js';
import { macRequest, rawRequest, type MacRequestOptions, type RawResponse } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { listVault } from '../helpers/refusals.js';
import { createTenant, type Tenant } from '../helpers/servers.js';
import { ADMIN_TOKEN, startSharingServer, type SharingServer } from '../helpers/sharing.js';

/** Issue 17 part 1: POST /ingestion/{channelId}/batch over a real socket, MAC and bearer. */
describe('batch ingestion over HTTP', () => {
  let s: SharingServer;
  let small: SharingServer; // VAULTGATE_MAX_BODY_BYTES=4096
  let a: Tenant;
  let b: Tenant;
  let t: Tenant; // a tenant of the small server

  const ndjson = (lines: unknown[]): string => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const order = (n: number | string, extra: Record<string, unknown> = {}) => ({ messageType: 'TransportOrder', mediaType: 'application/json', transactionId: `tx-${randomUUID()}`, body: JSON.stringify({ n }), ...extra });
  const batch = (body: string | Buffer, o: Partial<MacRequestOptions> & { server?: SharingServer; tenant?: Tenant; contentType?: string } = {}): Promise<RawResponse> => {
    const { server, tenant, contentType, headers, ...rest } = o;
    const tn = tenant ?? a;
    return macRequest({
      baseUrl: (server ?? s).url, target: `/ingestion/${tn.channelId}/batch`, creds: tn.sender, body,
      ...rest, headers: { 'content-type': contentType ?? 'application/x-ndjson', ...headers },
    });
  };
  const vaultOf = async (tn: Tenant, server = s) => listVault(server.url, tn.reader);

  beforeAll(async () => {
    s = await startSharingServer();
    small = await startSharingServer({ VAULTGATE_MAX_BODY_BYTES: '4096' });
    a = await createTenant(s.admin, { businessId: '1572860-0' });
    b = await createTenant(s.admin, { businessId: '2331972-7' });
    t = await createTenant(small.admin, { businessId: '1572860-0' });
  });
  afterAll(async () => {
    await s?.close();
    await small?.close();
  });

  it('offers batches: OPTIONS answers the limits with Accept-Post, unauthenticated', async () => {
    const r = await rawRequest({ method: 'OPTIONS', url: `${s.url}/ingestion/${a.channelId}/batch` });
    expect(r.status).toBe(200);
    expect(r.headers['accept-post']).toBe('application/x-ndjson');
    expect(r.json()).toEqual({ mediaType: 'application/x-ndjson', maxItems: BATCH_MAX_ITEMS, maxBytes: 10 * 1024 * 1024, maxItemBytes: 10 * 1024 * 1024 });
    const limited = await rawRequest({ method: 'OPTIONS', url: `${small.url}/ingestion/${t.channelId}/batch` });
    expect(limited.json().maxBytes).toBe(4096);
  });

  it('stores the valid items and refuses each invalid one with its own code, in order; refused ids stay unused', async () => {
    const used = `used-${randomUUID()}`;
    const first = await macRequest({ baseUrl: s.url, target: `/ingestion/${a.channelId}`, creds: a.sender, body: '{"first":1}', transactionId: used, headers: { 'content-type': 'application/json' } });
    expect(first.status, first.text).toBe(200);
    const dup = `dup-${randomUUID()}`;
    const lines = [
      order(0),
      { mediaType: 'application/xml', idempotencyKey: `x-${randomUUID()}`, bodyBase64: Buffer.from('<order n="1"/>').toString('base64') }, // the channel's only type, base64
      '{"mediaType": "application/json", "body": ', // not JSON
      order(3, { messageType: 'Invoice' }),
      order(4, { mediaType: 'text/csv' }),
      order(5, { body: '' }),
      { mediaType: 'application/json', body: '{}', bodyBase64: 'e30=' },
      order(7, { transactionId: used }),
      order(8, { transactionId: dup }),
      order(9, { transactionId: dup }),
      order(10, { bodyBase64: undefined, body: undefined }),
      '',
      order(12, { transactionId: 'a\u0001b' }),
      { mediaType: 'application/json', bodyBase64: 'not base64!' },
      order(14, { extra: true }),
      order(15),
    ];
    const before = (await vaultOf(a)).length;
    const r = await batch(ndjson(lines));
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const out = r.json();
    expect(out.items.map((i: any) => i.index)).toEqual(lines.map((_, i) => i));
    const codes = out.items.map((i: any) => (i.status === 'stored' ? 'stored' : i.code));
    expect(codes.slice(0, 9)).toEqual([
      'stored', 'stored', 'BATCH_LINE_INVALID', 'MESSAGE_TYPE_NOT_AGREED', 'MEDIA_TYPE_NOT_AGREED', 'BODY_EMPTY', 'BATCH_LINE_INVALID', 'REQUEST_NOT_UNIQUE', 'stored',
    ]);
    expect(codes[9]).toBe('REQUEST_NOT_UNIQUE'); // the same id twice in one batch: one message
    expect(codes.slice(10)).toEqual(['BATCH_LINE_INVALID', 'BATCH_LINE_INVALID', 'BATCH_LINE_INVALID', 'BATCH_LINE_INVALID', 'BATCH_LINE_INVALID', 'stored']);
    expect(out.stored).toBe(4);
    expect(out.refused).toBe(12);
    expect(out.items[7].messageId).toBe(first.json().messageId);
    const refused = out.items[2];
    expect(refused.title).toBe(ERROR_CATALOGUE.BATCH_LINE_INVALID.message.en);
    expect(refused.remedy).toBe(ERROR_CATALOGUE.BATCH_LINE_INVALID.remedy.en);
    expect(refused.detail).toMatch(/not a JSON object/);
    expect(out.items[13].detail).toMatch(/base64/);

    // Every receipt is a stored message, committed before the answer, readable with its transaction id and bytes.
    const vault = await vaultOf(a);
    expect(vault.length).toBe(before + 4);
    for (const item of out.items.filter((i: any) => i.status === 'stored')) {
      const m = vault.find((v) => v.messageId === item.receipt.messageId);
      expect(m?.transactionId).toBe(item.receipt.transactionId);
    }
    const xml = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${out.items[1].receipt.messageId}`, creds: a.reader });
    expect(xml.text).toBe('<order n="1"/>');
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    expect(out.items[1].receipt.messageType).toBe('TransportOrder');

    // A refused item's transaction id was not consumed: it can be used now.
    const retry = await batch(ndjson([order(4, { transactionId: (lines[4] as any).transactionId })]));
    expect(retry.json().items[0].status).toBe('stored');
  });

  it('answers refusals in the request\'s language', async () => {
    const r = await batch(ndjson(['[]']), { language: 'FI' });
    expect(r.json().items[0].title).toBe(ERROR_CATALOGUE.BATCH_LINE_INVALID.message.fi);
  });

  it('refuses the whole batch, storing nothing, for batch-level failures (each recorded as a refusal)', async () => {
    const before = (await vaultOf(a)).length;
    const cases: [ErrorCode, () => Promise<RawResponse>][] = [
      ['BATCH_MEDIA_TYPE', () => batch(ndjson([order(1)]), { contentType: 'application/json' })],
      ['BATCH_EMPTY', () => batch('')],
      ['BATCH_TOO_MANY_ITEMS', () => batch(ndjson(Array.from({ length: BATCH_MAX_ITEMS + 1 }, (_, i) => order(i))))],
      ['AUTHENTICATION_FAILED', () => batch(ndjson([order(1)]), { creds: { ...a.sender, customerKey: 'wrong' } })],
      ['SERVICE_ACCESS_ERROR', () => batch(ndjson([order(1)]), { creds: b.sender })],
      ['CHANNEL_NOT_FOUND', () => batch(ndjson([order(1)]), { target: `/ingestion/ch_test_${'0'.repeat(26)}/batch` })],
    ];
    const requestIds: string[] = [];
    for (const [code, send] of cases) {
      const r = await send();
      // MAC with UseHTTPResponseStatusCodes: 1 answers the family's status (bearer below gets the code's own).
      expect(r.status, `${code}: ${r.text}`).toBe(FAMILY_STATUS[ERROR_CATALOGUE[code].family]);
      expect(r.json().code).toBe(code);
      requestIds.push(r.json().requestId);
    }
    expect((await batch(ndjson([order(1)]), { contentType: 'text/plain' })).headers['accept-post']).toBe('application/x-ndjson');
    expect((await vaultOf(a)).length).toBe(before);

    await s.built.refusals.flush();
    const recorded = await s.store.listIngestionRefusals({ limit: 100 });
    const codes = new Map(recorded.items.map((x) => [x.requestId, x.code]));
    for (const [i, [code]] of cases.entries()) expect(codes.get(requestIds[i]!)).toBe(code);
  });

  it('refuses a replayed batch (its own TransactionId reused) as a whole: nothing stored twice', async () => {
    const tx = `batch-${randomUUID()}`;
    const body = ndjson([order(1, { transactionId: undefined }), order(2, { transactionId: undefined })]);
    const first = await batch(body, { transactionId: tx });
    expect(first.json().stored).toBe(2);
    const before = (await vaultOf(a)).length;
    const replay = await batch(body, { transactionId: tx });
    expect(replay.json().code).toBe('REQUEST_NOT_UNIQUE');
    expect(replay.json().detail).toMatch(/batch/);
    expect((await vaultOf(a)).length).toBe(before);
  });

  it('applies the body limit to the whole request and to each item, and decodes a gzip batch within it', async () => {
    const big = 'x'.repeat(3000);
    const tooLarge = await batch(ndjson([order(1, { body: big }), order(2, { body: big })]), { server: small, tenant: t });
    expect(tooLarge.json().code).toBe('BODY_TOO_LARGE');
    expect(await vaultOf(t, small)).toHaveLength(0);
    // 4,096 bytes of message as base64 fit no request of 4,096 bytes; gzip makes the request small, not the message.
    const gz = gzipSync(ndjson([order(1, { body: 'y'.repeat(5000) }), order(2)]));
    const mixed = await batch(gz, { server: small, tenant: t, headers: { 'content-encoding': 'gzip' } });
    expect(mixed.json().code).toBe('BODY_TOO_LARGE'); // decoded, the batch is over the limit as a whole
    const ok = await batch(gzipSync(ndjson(Array.from({ length: 20 }, (_, i) => order(i)))), { server: small, tenant: t, headers: { 'content-encoding': 'gzip' } });
    expect(ok.json().stored).toBe(20);
    expect(await vaultOf(t, small)).toHaveLength(20);
  });

  it('MAC clients without Accept: application/json get whole-batch refusals in the Netvisor envelope, results as JSON', async () => {
    const refused = await batch('', { json: false, useHttpStatusCodes: false });
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('BATCH_EMPTY');
    expect(refused.headers['content-type']).toMatch(/^text\/xml/);
    const ok = await batch(ndjson([order(1)]), { json: false });
    expect(ok.json().items[0].status).toBe('stored');
  });

  it('takes a bearer token of the channel party with ingest; others are refused as a whole', async () => {
    const client = (await s.admin('POST', `/parties/${a.partyId}/clients`, { name: 'batch', roles: ['ingest'] })).body;
    const token = await fetchToken(s.url, client.clientId, client.clientSecret);
    const url = `${s.url}/ingestion/${a.channelId}/batch`;
    const body = ndjson([order(1), order(2, { transactionId: undefined, idempotencyKey: `k-${randomUUID()}` })]);
    const r = await bearerRequest(url, token, { body, headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': `b-${randomUUID()}` } });
    expect(r.status, r.text).toBe(200);
    expect(r.json.stored).toBe(2);
    const tooMany = await bearerRequest(url, token, { body: '{}\n'.repeat(BATCH_MAX_ITEMS + 1), headers: { 'content-type': 'application/x-ndjson' } });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.code).toBe('BATCH_TOO_MANY_ITEMS');
    const wrongType = await bearerRequest(url, token, { body, headers: { 'content-type': 'application/json' } });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.code).toBe('BATCH_MEDIA_TYPE');

    const other = (await s.admin('POST', `/parties/${b.partyId}/clients`, { name: 'other', roles: ['ingest'] })).body;
    const foreign = await bearerRequest(url, await fetchToken(s.url, other.clientId, other.clientSecret), { body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(foreign.status).toBe(403);
    expect(foreign.json.code).toBe('SERVICE_ACCESS_ERROR');
  });
  it('authorization matrix: only the channel party\'s ingest credentials (MAC or bearer) store; everyone else is refused as a whole', async () => {
    const url = `${s.url}/ingestion/${a.channelId}/batch`;
    const line = () => ndjson([order('matrix')]);
    const partyClient = async (partyId: string, roles: string[]) => {
      const c = (await s.admin('POST', `/parties/${partyId}/clients`, { name: `matrix ${roles.join('+')}`, roles })).body;
      return fetchToken(s.url, c.clientId, c.clientSecret);
    };
    const companyClient = (await s.admin('POST', `/companies/${a.companyId}/clients`, { name: 'matrix reader', roles: ['vault.read'] })).body;
    const bearer = (token: string) => async () => {
      const r = await bearerRequest(url, token, { body: line(), headers: { 'content-type': 'application/x-ndjson' } });
      return { status: r.status, code: r.json?.code as string | undefined };
    };
    const mac = (creds: typeof a.sender) => async () => {
      const r = await batch(line(), { creds });
      return { status: r.status, code: r.json().code as string | undefined };
    };
    const rows: [string, () => Promise<{ status: number; code: string | undefined }>, string][] = [
      ['no credentials', async () => {
        const r = await rawRequest({ method: 'POST', url, body: line(), headers: { 'content-type': 'application/x-ndjson' } });
        return { status: r.status, code: r.json().code };
      }, 'AUTHENTICATION_FAILED'],
      ['the operator\'s admin token', bearer(ADMIN_TOKEN), 'TOKEN_MALFORMED'],
      ['MAC: the company\'s vault.read credential', mac(a.reader), 'SCOPE_MISSING'],
      ['MAC: the sender naming another company\'s Organisation-ID', mac({ ...a.sender, organisationId: b.businessId }), 'SERVICE_ACCESS_ERROR'],
      ['MAC: another tenant\'s sender', mac(b.sender), 'SERVICE_ACCESS_ERROR'],
      ['bearer: the company\'s vault.read client', bearer(await fetchToken(s.url, companyClient.clientId, companyClient.clientSecret)), 'SERVICE_ACCESS_ERROR'],
      ['bearer: another party\'s ingest client', bearer(await partyClient(b.partyId, ['ingest'])), 'SERVICE_ACCESS_ERROR'],
      ['MAC: the channel party\'s ingest credential', mac(a.sender), 'stored'],
      ['bearer: the channel party\'s ingest client', bearer(await partyClient(a.partyId, ['ingest'])), 'stored'],
    ];
    const before = (await vaultOf(a)).length;
    const seen: Record<string, string> = {};
    for (const [who, send] of rows) {
      const r = await send();
      seen[who] = r.status === 200 ? 'stored' : (r.code ?? String(r.status));
    }
    expect(seen).toEqual(Object.fromEntries(rows.map(([who, , want]) => [who, want])));
    expect((await vaultOf(a)).length).toBe(before + 2);
    expect((await vaultOf(b)).length).toBe(0);
  });
  it('checks Content-Digest (RFC 9530) over the whole batch as sent: a match stores, a mismatch or a missing required digest stores nothing', async () => {
    const { createHash } = await import('node:crypto');
    const digest = (b: string | Buffer, alg: 'sha256' | 'sha512' = 'sha256') => `${alg === 'sha256' ? 'sha-256' : 'sha-512'}=:${createHash(alg).update(b).digest('base64')}:`;
    const good = ndjson([order('d1'), order('d2')]);
    const before = (await vaultOf(a)).length;
    const ok = await batch(good, { headers: { 'content-digest': digest(good, 'sha512') } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json().stored).toBe(2);
    // Over the bytes as sent: a gzip body's digest is the compressed bytes'.
    const zipped = gzipSync(Buffer.from(ndjson([order('d3')])));
    const z = await batch(zipped, { headers: { 'content-encoding': 'gzip', 'content-digest': digest(zipped) } });
    expect(z.status, z.text).toBe(200);
    expect((await vaultOf(a)).length).toBe(before + 3);

    const tx = `tx-${randomUUID()}`;
    const bad = await batch(ndjson([order('d4', { transactionId: tx })]), { headers: { 'content-digest': digest(good) } });
    expect(bad.text).toContain('CONTENT_DIGEST_MISMATCH');
    const malformed = await batch(good, { headers: { 'content-digest': 'sha-256=nope' } });
    expect(malformed.text).toContain('CONTENT_DIGEST_INVALID');
    // The channel requires it: a batch without one is refused with Want-Content-Digest.
    expect((await s.admin('POST', `/channels/${a.channelId}/integrity`, { requireContentDigest: true })).status).toBe(200);
    try {
      const missing = await batch(ndjson([order('d5', { transactionId: tx })]));
      expect(missing.text).toContain('CONTENT_DIGEST_REQUIRED');
      expect(missing.headers['want-content-digest']).toBe('sha-256=10, sha-512=3');
    } finally {
      await s.admin('POST', `/channels/${a.channelId}/integrity`, { requireContentDigest: false });
    }
    expect((await vaultOf(a)).length).toBe(before + 3);
    // The refused batches used no transaction id: the same item id stores now.
    const later = await batch(ndjson([order('d6', { transactionId: tx })]));
    expect(later.json().stored, later.text).toBe(1);
  });
});
