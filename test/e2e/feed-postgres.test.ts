import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { macRequest, type RawResponse } from '../helpers/mac-request.js';
import { describePostgres, dropSchemas, PG_URL, uniqueSchema } from '../helpers/postgres.js';
import { adminCall, businessIds, createTenant, spawnServer, tempDir, type ServerProcess, type Tenant } from '../helpers/servers.js';

/*
 * The change feed across two gateway processes on one PostgreSQL database (issue 15): a message ingested through
 * process A shows on a feed polled at process B, a long-poll waiting at B wakes for it (B polls the database), and a
 * cursor from one process works at the other.
 */
const PUBLIC = 'http://gateway.vaultgate.test';
const TOKEN = randomBytes(24).toString('base64url');
const schema = uniqueSchema('feedgw');
const dirs: string[] = [];
let gateways: ServerProcess[] = [];
let t: Tenant;

function call(gw: ServerProcess, target: string, o: { body?: string } = {}): Promise<RawResponse> {
  const creds = o.body === undefined ? t.reader : t.sender;
  return macRequest({
    baseUrl: gw.url, signedUrl: PUBLIC + decodeURIComponent(target), target, creds, useHttpStatusCodes: true,
    ...(o.body === undefined ? {} : { body: o.body, headers: { 'content-type': 'application/json' } }),
  });
}

describePostgres('change feed on two gateway processes sharing PostgreSQL', () => {
  beforeAll(async () => {
    const env = {
      VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_DATABASE_POOL_SIZE: '3',
      VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
      VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'), VAULTGATE_ADMIN_TOKEN: TOKEN, VAULTGATE_PUBLIC_URL: PUBLIC,
    };
    const first = tempDir('vg-feedpg-');
    dirs.push(first);
    gateways.push(await spawnServer({ ...env, VAULTGATE_DATA_DIR: first }));
    const second = tempDir('vg-feedpg-');
    dirs.push(second);
    gateways.push(await spawnServer({ ...env, VAULTGATE_DATA_DIR: second }));
    t = await createTenant((m, p, b) => adminCall(gateways[0]!.url, TOKEN, m, p, b), { businessId: businessIds(4400000, 1)[0]! });
  }, 60_000);

  afterAll(async () => {
    for (const gw of gateways) gw.child.kill('SIGKILL');
    await Promise.all(gateways.map((gw) => gw.exited));
    gateways = [];
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchemas([schema, `${schema}_keys`]);
  });

  it('a message ingested through A is on the feed polled at B, and a long-poll waiting at B wakes for it', async () => {
    const [a, b] = gateways as [ServerProcess, ServerProcess];
    const sent = await call(a, `/ingestion/${t.channelId}`, { body: '{"via":"A"}' });
    expect(sent.status, sent.text).toBe(200);
    // B's horizon may lag a moment behind other transactions of the cluster: poll briefly.
    let page: any;
    for (let i = 0; i < 50; i++) {
      page = (await call(b, '/vault/v1/feed')).json();
      if (page.items.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(page.items.map((x: any) => x.message.messageId)).toEqual([sent.json().messageId]);

    const started = Date.now();
    const waiting = call(b, `/vault/v1/feed?wait=20&cursor=${page.nextCursor}`);
    await new Promise((r) => setTimeout(r, 300));
    const later = await call(a, `/ingestion/${t.channelId}`, { body: '{"via":"A","n":2}' });
    const woke = await waiting;
    expect(woke.status, woke.text).toBe(200);
    expect(woke.json().items.map((x: any) => x.message.messageId)).toEqual([later.json().messageId]);
    expect(Date.now() - started).toBeLessThan(10_000);

    // B's cursor works at A: nothing new there.
    const atA = await call(a, `/vault/v1/feed?cursor=${woke.json().nextCursor}`);
    expect(atA.json().items).toEqual([]);
  });
});
