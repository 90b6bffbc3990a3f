import { createHash, randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/sdk/index.js';
import { macRequest, type MacCredentials, type RawResponse } from '../helpers/mac-request.js';
import { expectRefusal, listVault, STATUS_MODES } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer, businessIds } from '../helpers/servers.js';

const JSON_MODE = STATUS_MODES[0]!;

interface Sent { id: string; body: Buffer; contentType: string; channelId: string; messageType: string; receivedAt: string }

async function send(url: string, t: Tenant, channelId: string, messageType: string, contentType: string, body: Buffer): Promise<Sent> {
  const r = await macRequest({
    baseUrl: url, target: `/ingestion/${channelId}`, creds: t.sender, body,
    headers: { 'content-type': contentType, 'x-message-type': messageType },
  });
  expect(r.status, r.text).toBe(200);
  return { id: r.json().messageId, body, contentType, channelId, messageType, receivedAt: r.json().receivedAt };
}

function exportReq(url: string, creds: MacCredentials, query = '', transactionId?: string): Promise<RawResponse> {
  return macRequest({ baseUrl: url, target: `/vault/v1/export${query ? `?${query}` : ''}`, creds, ...(transactionId ? { transactionId } : {}) });
}

interface Parsed { lines: any[]; complete: { complete: true; count: number } }

/** A whole export: its message lines and the final line. */
async function exportAll(url: string, creds: MacCredentials, query = ''): Promise<Parsed> {
  const r = await exportReq(url, creds, query);
  expect(r.status, r.text).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/x-ndjson/);
  expect(r.text.endsWith('\n')).toBe(true);
  const all = r.text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
  const complete = all.pop();
  expect(complete).toEqual({ complete: true, count: all.length });
  for (const l of all) expect(l.complete).toBeUndefined();
  return { lines: all, complete };
}

/** Starts an export and drops the connection after `k` whole lines, as a client cut off mid-stream. */
function exportCut(url: string, creds: MacCredentials, query: string, k: number): Promise<string[]> {
  const full = `${url}/vault/v1/export${query ? `?${query}` : ''}`;
  const headers = { ...signRequest(creds, full), accept: 'application/json' };
  return new Promise((resolve, reject) => {
    let done = false;
    const lines: string[] = [];
    const req = get(full, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        done = true;
        reject(new Error(`export: ${res.statusCode}`));
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (done) return;
        pending += chunk;
        for (let nl = pending.indexOf('\n'); nl !== -1 && lines.length < k; nl = pending.indexOf('\n')) {
          lines.push(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
        if (lines.length === k) {
          done = true;
          req.destroy();
          resolve(lines);
        }
      });
      res.on('error', () => undefined);
      res.on('end', () => {
        if (!done) reject(new Error(`export ended after ${lines.length} lines, before ${k}`));
      });
    });
    req.on('error', (err) => {
      if (!done) reject(err);
    });
  });
}

const bodyOf = (line: any): Buffer => (line.body !== undefined ? Buffer.from(line.body, 'utf8') : Buffer.from(line.bodyBase64, 'base64'));

describe('streaming export (GET /vault/v1/export)', () => {
  let s: TestServer;
  let t: Tenant;
  let other: Tenant;
  let ch2: string;
  const m: Record<string, Sent> = {};
  let bulk: Sent[] = [];
  let all: Sent[];
  let otherMessage: Sent;

  beforeAll(async () => {
    s = await startTestServer();
    const [idT, idO] = businessIds(3100000, 2) as [string, string];
    t = await createTenant(s.admin, {
      businessId: idT,
      messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }, { name: 'Invoice', mediaTypes: ['text/csv', 'application/octet-stream'] }],
    });
    const c2 = await s.admin('POST', '/channels', {
      companyId: t.companyId, partyId: t.partyId,
      messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }, { name: 'Status', mediaTypes: ['application/json'] }],
    });
    expect(c2.status).toBe(201);
    ch2 = c2.body.id;
    other = await createTenant(s.admin, { businessId: idO });
    otherMessage = await send(s.url, other, other.channelId, 'TransportOrder', 'application/json', Buffer.from('{"other":"company"}'));

    // Distinct milliseconds, so that from/to can cut between them.
    const seq: [string, string, string, string, Buffer][] = [
      ['json', t.channelId, 'TransportOrder', 'application/json; charset=utf-8', Buffer.from('{\n  "city": "Jyväskylä",\n  "note": "ä ö å € \u2028 \\"quoted\\""\n}\n', 'utf8')],
      ['latin1Csv', t.channelId, 'Invoice', 'text/csv; charset=iso-8859-1', Buffer.from('nimi;kaupunki\r\nÄänekosken Öljy;Jyväskylä\r\n', 'latin1')],
      ['binary', t.channelId, 'Invoice', 'application/octet-stream', Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300)])],
      ['ch2Order', ch2, 'TransportOrder', 'application/json', Buffer.from('{"channel":2}')],
      ['ch2Status', ch2, 'Status', 'application/json', Buffer.from('{"status":"delivered"}')],
      ['utf8Csv', t.channelId, 'Invoice', 'text/csv', Buffer.from('nimi\r\nÄänekoski\r\n', 'utf8')],
      ['latin1Json', t.channelId, 'TransportOrder', 'application/json', Buffer.from('{"city":"Jyväskylä"}', 'latin1')],
    ];
    for (const [name, channelId, type, ct, body] of seq) {
      m[name] = await send(s.url, t, channelId, type, ct, body);
      await sleep(3);
    }
    // More than one internal page (500 messages) and several response chunks (64 KiB) of lines.
    for (let i = 0; i < 504; i += 24) {
      bulk.push(...(await Promise.all(Array.from({ length: 24 }, (_, j) =>
        send(s.url, t, ch2, 'Status', 'application/json', Buffer.from(JSON.stringify({ i: i + j, pad: 'x'.repeat(50) })))))));
    }
    const order = new Map((await listVault(s.url, t.reader)).map((x, i) => [x.messageId, i]));
    bulk = bulk.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
    all = [...Object.values(m), ...bulk];
  });
  afterAll(() => s.stop());

  it('streams one line per message of the vault (the list route\'s order and metadata), then {"complete":true,"count":N}', async () => {
    const r = await exportReq(s.url, t.reader);
    expect(r.headers['cache-control']).toBe('no-store');
    // Each line is byte for byte what JSON.stringify gives for its object (the lines are built field by field).
    const raw = r.text.slice(0, -1).split('\n');
    expect(raw.length).toBe(all.length + 1);
    for (const line of raw) expect(line).toBe(JSON.stringify(JSON.parse(line)));
    const { lines, complete } = await exportAll(s.url, t.reader);
    expect(complete.count).toBe(all.length);
    const list = await listVault(s.url, t.reader);
    expect(lines.map((l) => l.messageId)).toEqual(list.map((x) => x.messageId));
    expect(lines.map((l) => l.messageId)).toEqual(all.map((x) => x.id));
    expect(lines.map((l) => l.messageId)).not.toContain(otherMessage.id);
    for (const [i, l] of lines.entries()) {
      const { body, bodyBase64, cursor, ...meta } = l;
      expect(meta).toEqual(list[i]);
      expect(meta.companyId).toBeUndefined();
      expect((body === undefined) !== (bodyBase64 === undefined)).toBe(true);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(new Set(lines.map((l) => l.cursor)).size).toBe(lines.length);
    // The other company exports only its own message.
    const theirs = await exportAll(s.url, other.reader);
    expect(theirs.lines.map((l) => l.messageId)).toEqual([otherMessage.id]);
  });

  it('round-trips every body byte for byte: UTF-8 text as body, Latin-1 CSV and binary (or invalid UTF-8) as bodyBase64', async () => {
    const { lines } = await exportAll(s.url, t.reader, `channelId=${t.channelId}`);
    const byId = new Map(lines.map((l) => [l.messageId, l]));
    const expectText = { json: true, latin1Csv: false, binary: false, utf8Csv: true, latin1Json: false };
    for (const [name, asText] of Object.entries(expectText)) {
      const sent = m[name]!;
      const line = byId.get(sent.id);
      expect(line, name).toBeDefined();
      expect(line.body !== undefined, name).toBe(asText);
      expect(bodyOf(line).equals(sent.body), name).toBe(true);
      expect(line.sha256).toBe(createHash('sha256').update(sent.body).digest('hex'));
      expect(line.size).toBe(sent.body.length);
      expect(line.contentType).toBe(sent.contentType);
    }
    expect(byId.get(m.json!.id).body).toContain('Jyväskylä');
    expect(byId.get(m.latin1Csv!.id).bodyBase64).toBe(m.latin1Csv!.body.toString('base64'));
  });

  it('takes the list route\'s filters: channelId, messageType, from (inclusive) and to (exclusive)', async () => {
    const ids = (xs: Sent[]) => xs.map((x) => x.id);
    const cases: [string, string[]][] = [
      [`channelId=${t.channelId}`, ids([m.json!, m.latin1Csv!, m.binary!, m.utf8Csv!, m.latin1Json!])],
      ['messageType=Invoice', ids([m.latin1Csv!, m.binary!, m.utf8Csv!])],
      [`channelId=${ch2}&messageType=TransportOrder`, ids([m.ch2Order!])],
      [`from=${m.latin1Csv!.receivedAt}&to=${m.ch2Status!.receivedAt}`, ids([m.latin1Csv!, m.binary!, m.ch2Order!])],
      [`channelId=${t.channelId}&from=${m.binary!.receivedAt}&to=${m.latin1Json!.receivedAt}`, ids([m.binary!, m.utf8Csv!])],
      [`messageType=Status&to=${m.utf8Csv!.receivedAt}`, ids([m.ch2Status!])],
      ['to=2000-01-01', []],
      ['messageType=NoSuchType', []],
      ['from=2000-01-01T00:00:00%2B02:00', ids(all)],
    ];
    for (const [q, expected] of cases) {
      const { lines, complete } = await exportAll(s.url, t.reader, q);
      expect(lines.map((l) => l.messageId), q).toEqual(expected);
      expect(complete.count, q).toBe(expected.length);
      const list = await listVault(s.url, t.reader, q);
      expect(list.map((x) => x.messageId), q).toEqual(expected);
    }
  });

  it('an export cut after k lines, resumed with the last cursor, gives exactly the rest: no duplicates, no gaps', async () => {
    const full = (await exportAll(s.url, t.reader)).lines;
    for (const k of [1, 5, 499, 500, 501, full.length - 1]) {
      const head = (await exportCut(s.url, t.reader, '', k)).map((l) => JSON.parse(l));
      expect(head, `k=${k}`).toEqual(full.slice(0, k));
      const rest = await exportAll(s.url, t.reader, `cursor=${head[k - 1].cursor}`);
      expect(rest.complete.count, `k=${k}`).toBe(full.length - k);
      expect([...head, ...rest.lines].map((l) => l.messageId), `k=${k}`).toEqual(full.map((l) => l.messageId));
      expect(rest.lines, `k=${k}`).toEqual(full.slice(k));
    }
    // Resuming after the very last line gives only the final line.
    const last = await exportAll(s.url, t.reader, `cursor=${full[full.length - 1].cursor}`);
    expect(last.lines).toEqual([]);
    expect(last.complete).toEqual({ complete: true, count: 0 });
  });

  it('a filtered export resumes with the same filters', async () => {
    const q = `channelId=${ch2}&messageType=Status`;
    const full = (await exportAll(s.url, t.reader, q)).lines;
    expect(full.map((l) => l.messageId)).toEqual([m.ch2Status!.id, ...bulk.map((b) => b.id)]);
    const head = (await exportCut(s.url, t.reader, q, 150)).map((l) => JSON.parse(l));
    const rest = await exportAll(s.url, t.reader, `${q}&cursor=${head[149].cursor}`);
    expect([...head, ...rest.lines]).toEqual(full);
    // The server is unharmed by the dropped connections.
    expect((await exportAll(s.url, t.reader, 'messageType=Invoice')).complete.count).toBe(3);
  });

  it('refuses a bad cursor (CURSOR_INVALID) or filter (INVALID_REQUEST) before consuming the transaction id', async () => {
    const tx = `export-${randomBytes(4).toString('hex')}`;
    const bad = ['not-a-cursor!', 'djEuMA', Buffer.from('v1.-5').toString('base64url'), Buffer.from('v2.10').toString('base64url'), 'A'.repeat(65), ''];
    for (const cursor of bad) {
      const r = await exportReq(s.url, t.reader, `cursor=${encodeURIComponent(cursor)}`, tx);
      expectRefusal(r, 'CURSOR_INVALID', JSON_MODE);
    }
    for (const q of ['from=yesterday', 'to=2026-02-31', 'limit=10', 'unknown=1']) {
      expectRefusal(await exportReq(s.url, t.reader, q, tx), 'INVALID_REQUEST', JSON_MODE);
    }
    // None of those burnt the transaction id; a successful export does.
    const ok = await exportReq(s.url, t.reader, 'messageType=Invoice', tx);
    expect(ok.status).toBe(200);
    expect(ok.text.trim().split('\n')).toHaveLength(4);
  });

  it('refuses a reused transaction id (REQUEST_NOT_UNIQUE), including one an ingestion used', async () => {
    const tx = `export-${randomBytes(4).toString('hex')}`;
    expect((await exportReq(s.url, t.reader, 'to=2000-01-01', tx)).status).toBe(200);
    const again = await exportReq(s.url, t.reader, 'to=2000-01-01', tx);
    expectRefusal(again, 'REQUEST_NOT_UNIQUE', JSON_MODE);
    expect(again.text).not.toContain('"complete"');

    const sentTx = `ingest-${randomBytes(4).toString('hex')}`;
    const ing = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, transactionId: sentTx, body: '{}', headers: { 'content-type': 'application/json', 'x-message-type': 'TransportOrder' } });
    expect(ing.status).toBe(200);
    expectRefusal(await exportReq(s.url, t.reader, '', sentTx), 'REQUEST_NOT_UNIQUE', JSON_MODE);
  });

  it('needs a vault.read credential of the company', async () => {
    expectRefusal(await exportReq(s.url, t.sender), 'SCOPE_MISSING', JSON_MODE);
    const wrongOrg = { ...t.reader, organisationId: other.businessId };
    expectRefusal(await exportReq(s.url, wrongOrg), 'SERVICE_ACCESS_ERROR', JSON_MODE);
  });
});
