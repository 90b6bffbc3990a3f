import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/servers.js';

/*
 * The self-service lists under /api/v1/organisations/{id}/… page as the other lists do (issue 14): `limit` and
 * `cursor` in, `nextCursor` out, over more items than one page — also the lists that join an organisation's company
 * and vendor sides (clients, channel requests, channels), where a request or channel of the organisation to itself is
 * listed once. Over a real socket.
 */

const PASSWORD = 'sivutus toimii kuin muuallakin';
const ADMIN = 'p'.repeat(40);

describe('self-service lists page (cursor, limit, nextCursor)', () => {
  const dir = tempDir();
  let store: Store;
  let built: BuiltApp;
  let url = '';

  const api = async (method: string, path: string, bearer: string | undefined, body?: unknown): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = (r: { status: number; body: any }, status: number) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  /** Registers and approves an organisation; its admin's session token. */
  const organisation = async (kind: 'company' | 'party' | 'both', email: string, businessId?: string) => {
    const reg = ok(await api('POST', '/registrations', undefined, { kind, organisationName: `${kind} Oy`, ...(businessId ? { businessId } : {}), email, displayName: 'Admin', password: PASSWORD }), 201);
    const orgId = ok(await api('POST', `/admin/registrations/${reg.id}/approve`, ADMIN), 200).organisationId as string;
    const admin = ok(await api('POST', '/session', undefined, { email, password: PASSWORD, tokenInBody: true }), 201).sessionToken as string;
    return { orgId, admin };
  };
  /** Every page of a list at `limit`: the ids in order and how many pages it took. */
  const pages = async (path: string, bearer: string, limit: number, id: string): Promise<{ ids: string[]; pages: number }> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page = ok(await api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, bearer), 200);
      expect(page.items.length, path).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((x: Record<string, string>) => x[id]));
      cursor = page.nextCursor;
      n++;
    } while (cursor && n < 50);
    return { ids, pages: n };
  };

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir, VAULTGATE_PORT: '0' } }), store, adminToken: ADMIN, publicBaseUrl: () => url,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 9) }, [], undefined), { now: () => Date.now() }, 'test'),
    });
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(built.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await built?.app.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('credentials, clients, channel requests and channels of an organisation that is both: every item once, over several pages', async () => {
    const both = await organisation('both', 'admin@molemmat.example', '1967543-8');
    const other = await organisation('company', 'admin@toinen.example', '2729069-3');
    const third = await organisation('company', 'admin@kolmas.example', '2617416-4');
    const vendor = await organisation('party', 'admin@toimittaja.example');
    const org = `/organisations/${both.orgId}`;

    const customers = [];
    for (let i = 0; i < 3; i++) customers.push(ok(await api('POST', `${org}/customer-credentials`, both.admin, { name: `c${i}` }), 201).customerId);
    const partners = [];
    for (let i = 0; i < 3; i++) partners.push(ok(await api('POST', `${org}/partner-credentials`, both.admin), 201).partnerId);
    const clients = [];
    for (const owner of ['company', 'company', 'party', 'party', 'party']) clients.push(ok(await api('POST', `${org}/clients`, both.admin, { name: owner, owner }), 201).clientId);

    // Requests: to itself (on both sides, listed once), from a vendor to it, from it to two companies.
    const types = [{ name: 'Invoice', mediaTypes: ['application/xml'] }];
    const request = async (from: { orgId: string; admin: string }, businessId: string) =>
      ok(await api('POST', `/organisations/${from.orgId}/channel-requests`, from.admin, { businessId, messageTypes: types }), 201).id as string;
    const own = await request(both, '1967543-8');
    const incoming = await request(vendor, '1967543-8');
    const outgoing = [await request(both, '2729069-3'), await request(both, '2617416-4')];

    expect(await pages(`${org}/customer-credentials`, both.admin, 2, 'customerId')).toEqual({ ids: customers, pages: 2 });
    expect(await pages(`${org}/partner-credentials`, both.admin, 2, 'partnerId')).toEqual({ ids: partners, pages: 2 });
    const clientPages = await pages(`${org}/clients`, both.admin, 2, 'clientId');
    expect(clientPages.ids).toEqual(clients);
    expect(clientPages.pages).toBeGreaterThanOrEqual(3);
    // The company side first (requests made to it), then the vendor side (those it made), its own request once.
    const requestPages = await pages(`${org}/channel-requests`, both.admin, 2, 'id');
    expect(requestPages.ids).toEqual([own, incoming, ...outgoing]);
    expect(requestPages.pages).toBeGreaterThanOrEqual(2);
    expect((await pages(`${org}/channel-requests?status=pending`, both.admin, 1, 'id')).ids).toEqual([own, incoming, ...outgoing]);

    // Approved, each becomes a channel; the channels page the same way.
    const channels = [];
    for (const [company, id] of [[both, own], [both, incoming], [other, outgoing[0]!], [third, outgoing[1]!]] as const) {
      channels.push(ok(await api('POST', `/organisations/${company.orgId}/channel-requests/${id}/approve`, company.admin, {}), 200).channel.id);
    }
    const channelPages = await pages(`${org}/channels`, both.admin, 3, 'id');
    expect(channelPages.ids).toEqual(channels);
    expect(channelPages.pages).toBe(2);
    expect((await pages(`${org}/channel-requests?status=pending`, both.admin, 2, 'id')).ids).toEqual([]);

    // A cursor the server did not give is refused, as on the other lists.
    for (const list of ['clients', 'channel-requests', 'channels', 'customer-credentials']) {
      const bad = await api('GET', `${org}/${list}?cursor=9.nope`, both.admin);
      expect(bad.status, list).toBe(400);
      expect(bad.body.code, list).toBe('CURSOR_INVALID');
    }
  });
});
