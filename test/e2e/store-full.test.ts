/**
 * A store that runs out of room (issue 11 §7), on a real small filesystem (a tmpfs mounted as the data directory):
 * every write refused with 507 STORE_FULL (problem+json, or the Netvisor envelope on the MAC path), nothing
 * half-written, /healthz still live and /readyz 503 STORE_NOT_READY; once space is freed the very next write is
 * stored and /readyz is 200, with no restart.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { macRequest, rawRequest } from '../helpers/mac-request.js';
import { bearerRequest, fetchToken } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';
import { describeSmallFs, fillFilesystem, mountTmpfs, type SmallFs } from '../helpers/small-fs.js';

describeSmallFs('a full data directory (tmpfs of 24 MiB)', () => {
  let fs: SmallFs;
  let server: TestServer;
  let t: Tenant;
  let token: string;
  const filler = (): string => join(fs.dir, 'filler');

  beforeAll(async () => {
    fs = mountTmpfs(24 << 20);
    server = await startTestServer({}, fs.dir);
    t = await createTenant(server.admin);
    const client = (await server.admin('POST', `/parties/${t.partyId}/clients`, { name: 'erp' })).body;
    token = await fetchToken(server.url, client.clientId, client.clientSecret);
  });

  afterAll(async () => {
    await server?.close(); // not stop(): the mount point itself cannot be removed while mounted
    fs?.unmount();
  });

  // Bearer requests answer with the code's own HTTP status; MAC requests by the Netvisor family rules.
  const post = (transactionId: string, body: string) =>
    bearerRequest(`${server.url}/ingestion/${t.channelId}`, token, { body, headers: { 'content-type': 'application/json', 'idempotency-key': transactionId } });
  const postMac = (body: string, json: boolean) =>
    macRequest({ baseUrl: server.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body, json, headers: { 'content-type': 'application/json' } });
  const body = (i: number): string => JSON.stringify({ order: i, pad: 'x'.repeat(1000) });

  it('refuses writes with 507 STORE_FULL, stores nothing it refused, reports not ready, and recovers once there is room', async () => {
    const ready = await rawRequest({ method: 'GET', url: `${server.url}/readyz` });
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', store: 'sqlite' });
    expect(ready.json().freeBytes).toBeGreaterThan(4 << 20);

    fillFilesystem(filler());
    // Frames already allocated in the WAL may still take a few commits; post until the store refuses, 10 at once.
    const acked = new Map<string, string>();
    const refused: { transactionId: string; body: string }[] = [];
    for (let round = 0; round < 200 && refused.length < 10; round++) {
      const batch = Array.from({ length: 10 }, (_, i) => ({ transactionId: randomUUID(), body: body(round * 10 + i) }));
      const answers = await Promise.all(batch.map((b) => post(b.transactionId, b.body)));
      answers.forEach((r, i) => {
        if (r.status === 200) acked.set(r.json.messageId, batch[i]!.body);
        else {
          expect(r.status, r.text).toBe(507);
          expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(r.json).toMatchObject({ code: 'STORE_FULL', status: 507, family: 'TECHNICAL_ERROR' });
          refused.push(batch[i]!);
        }
      });
    }
    expect(refused.length).toBeGreaterThanOrEqual(10);

    // The MAC path: the same code in its JSON body, and in the Netvisor envelope, through the one renderer.
    const macJson = await postMac(body(-1), true);
    expect(macJson.json()).toMatchObject({ code: 'STORE_FULL', family: 'TECHNICAL_ERROR' });
    const xml = await postMac(body(-1), false);
    expect(xml.headers['content-type']).toMatch(/^text\/xml/);
    const envelope = new XMLParser().parse(xml.text);
    expect(JSON.stringify(envelope)).toContain('STORE_FULL');
    expect(JSON.stringify(envelope)).toContain('TECHNICAL_ERROR');

    // Liveness stays up; readiness says why it is not ready.
    expect((await rawRequest({ method: 'GET', url: `${server.url}/healthz` })).status).toBe(200);
    const notReady = await rawRequest({ method: 'GET', url: `${server.url}/readyz` });
    expect(notReady.status, notReady.text).toBe(503);
    expect(notReady.json()).toMatchObject({ code: 'STORE_NOT_READY', reason: 'full' });

    // An admin write is refused the same way (every write of the store, not only ingestion).
    const admin = await server.admin('POST', '/parties', { name: 'Full Oy' });
    expect([201, 507]).toContain(admin.status);
    if (admin.status === 507) expect(admin.body.code).toBe('STORE_FULL');

    // Room again: no restart, the very next write is stored, readiness is back.
    rmSync(filler());
    const again = await post(refused[0]!.transactionId, refused[0]!.body);
    expect(again.status, again.text).toBe(200);
    acked.set(again.json.messageId, refused[0]!.body);
    const readyAgain = await rawRequest({ method: 'GET', url: `${server.url}/readyz` });
    expect(readyAgain.status, readyAgain.text).toBe(200);

    // Nothing refused was half-written: every refused transaction id is still free (200, not REQUEST_NOT_UNIQUE).
    for (const r of refused.slice(1)) {
      const res = await post(r.transactionId, r.body);
      expect(res.status, res.text).toBe(200);
      acked.set(res.json.messageId, r.body);
    }
    // And every acknowledged message reads back intact, and the vault holds exactly those.
    for (const [id, sent] of acked) {
      const read = await macRequest({ baseUrl: server.url, target: `/vault/v1/messages/${id}`, creds: t.reader });
      expect(read.status, read.text).toBe(200);
      expect(read.text).toBe(sent);
    }
    const list = await macRequest({ baseUrl: server.url, target: '/vault/v1/messages?limit=1000', creds: t.reader });
    expect(list.json().items.map((m: { messageId: string }) => m.messageId).sort()).toEqual([...acked.keys()].sort());
  });
});
