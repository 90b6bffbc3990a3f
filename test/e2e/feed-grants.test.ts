import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, systemClock } from '../../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type AuditAppend, type GrantEventRecord, type GrantRecord, type GrantTerms, type Store } from '../../src/store/index.js';
import { macRequest, type MacCredentials } from '../helpers/mac-request.js';
import { adminCall, businessIds, createTenant, tempDir, type Tenant } from '../helpers/servers.js';

/*
 * The change feed of a consumer with a grant (issue 15), on a real socket: exactly the granted messages, labelled
 * with the owner and the grant, and the grant's events; after revocation the next poll shows none of the owner's
 * messages, only grant.revoked. The grants are written through the store (SharingStore, as the grants service does):
 * the grant routes are not on main yet.
 */
const TOKEN = 'feed-grants-admin-token-0123456789abcdef';
const TYPES = [{ name: 'Invoice', mediaTypes: ['application/json'] }, { name: 'TransportOrder', mediaTypes: ['application/json'] }];
const now = () => new Date().toISOString();
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

describe('change feed with grants', () => {
  const dir = tempDir('vg-feedgr-');
  let store: Store;
  let built: BuiltApp;
  let url = '';
  let owner: Tenant;
  let consumer: Tenant;
  let ch2 = '';
  let grant: GrantRecord;

  const audit = (action: string, g: GrantRecord): AuditAppend => ({
    id: newId('auditEvent', 'test'), at: now(), environment: 'test', actor: { kind: 'operator', id: 'operator' }, action, subject: g.id,
    tenants: [g.ownerOrganisationId, g.consumerOrganisationId], clientAddress: null, requestId: null, outcome: 'success', details: {},
  });
  const event = (g: GrantRecord, type: GrantEventRecord['type'], state: GrantRecord['state']): GrantEventRecord => ({
    id: newId('grantEvent', 'test'), grantId: g.id, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId,
    type, at: now(), actor: 'operator', state, terms: g.terms,
  });
  const send = async (channelId: string, messageType: string, i: number): Promise<string> => {
    const r = await macRequest({ baseUrl: url, target: `/ingestion/${channelId}`, creds: owner.sender, body: JSON.stringify({ i }), headers: { 'content-type': 'application/json', 'x-message-type': messageType } });
    expect(r.status, r.text).toBe(200);
    return r.json().messageId;
  };
  const feed = async (creds: MacCredentials, query = ''): Promise<any> => {
    const r = await macRequest({ baseUrl: url, target: `/vault/v1/feed${query ? `?${query}` : ''}`, creds, useHttpStatusCodes: true, json: true });
    expect(r.status, r.text).toBe(200);
    return r.json();
  };
  const messageIds = (page: any): string[] => page.items.filter((i: any) => i.type === 'message.received').map((i: any) => i.message.messageId);

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir } }), store, adminToken: TOKEN, publicBaseUrl: () => url,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: join(dir, 'keys.sqlite') }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 7) }, [], undefined), systemClock, 'test'),
    });
    url = await built.app.listen({ port: 0, host: '127.0.0.1' });
    const admin = (m: 'GET' | 'POST', p: string, b?: unknown) => adminCall(url, TOKEN, m, p, b);
    const [idO, idC] = businessIds(4500000, 2) as [string, string];
    owner = await createTenant(admin, { businessId: idO, messageTypes: TYPES });
    consumer = await createTenant(admin, { businessId: idC, messageTypes: TYPES });
    ch2 = (await admin('POST', '/channels', { companyId: owner.companyId, partyId: owner.partyId, messageTypes: TYPES })).body.id;
  });
  afterAll(async () => {
    await built.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a consumer sees exactly the granted messages (and the grant\'s events); after revocation the next poll shows none, only grant.revoked', async () => {
    const terms: GrantTerms = {
      channelIds: [owner.channelId], messageTypes: ['Invoice'], receivedFrom: null, receivedBefore: null, actions: ['read'], purpose: 'Freight audit',
      notBefore: inHours(-1), notOnOrAfter: inHours(24),
    };
    grant = {
      id: newId('grant', 'test'), ownerOrganisationId: owner.companyId, consumerOrganisationId: consumer.companyId, state: 'active', terms,
      requestedTerms: null, createdAt: now(), updatedAt: now(), requestedBy: null, decidedBy: 'operator',
    };
    await store.createGrant(grant, event(grant, 'grant.activated', 'active'), audit('grant.create', grant));

    const granted1 = await send(owner.channelId, 'Invoice', 1);
    await send(owner.channelId, 'TransportOrder', 2);
    await send(ch2, 'Invoice', 3);
    const granted2 = await send(owner.channelId, 'Invoice', 4);

    const page = await feed(consumer.reader);
    expect(page.items[0]).toMatchObject({
      type: 'grant.activated', companyId: owner.companyId, grantId: grant.id, eventId: expect.stringMatching(/^gev_test_/),
      grant: { state: 'active', terms, ownerOrganisationId: owner.companyId, consumerOrganisationId: consumer.companyId },
    });
    expect(page.items[0].grant.actor).toBeUndefined();
    expect(messageIds(page)).toEqual([granted1, granted2]);
    for (const item of page.items.slice(1)) expect(item).toMatchObject({ companyId: owner.companyId, grantId: grant.id });
    // A shared item's body link is the consumer read of that owner's vault; the owner's own items link to its vault.
    for (const item of page.items.slice(1)) expect(item.links.body).toBe(`/vault/v1/shared/${owner.companyId}/messages/${item.message.messageId}`);
    // The owner sees all four of its messages as its own, and the grant's event too.
    const own = await feed(owner.reader);
    expect(own.items.map((i: any) => i.type)).toEqual(['grant.activated', ...Array(4).fill('message.received')]);
    expect(own.items.slice(1).every((i: any) => i.grantId === null)).toBe(true);
    expect(own.items.slice(1).every((i: any) => i.links.body === `/vault/v1/messages/${i.message.messageId}`)).toBe(true);
    // The consumer's read of the owner's data is in the owner's audit trail.
    const events = (await adminCall(url, TOKEN, 'GET', `/audit?limit=1000&tenant=${owner.companyId}&action=feed.read`)).body.items;
    expect(events.some((e: any) => e.actor.id === consumer.reader.customerId && e.tenants.includes(consumer.companyId) && e.details.owners[owner.companyId] === 2)).toBe(true);

    const revoked = { ...grant, state: 'revoked' as const };
    expect(await store.transitionGrant(grant.id, { from: 'active', to: 'revoked', at: now(), decidedBy: 'operator' }, event(revoked, 'grant.revoked', 'revoked'), audit('grant.revoke', grant))).toBe(true);
    await send(owner.channelId, 'Invoice', 5);
    const after = await feed(consumer.reader, `cursor=${page.nextCursor}`);
    expect(after.items).toMatchObject([{ type: 'grant.revoked', grantId: grant.id, grant: { state: 'revoked' } }]);
    expect(messageIds(after)).toEqual([]);
    // From the start, too, nothing of the owner's vault: only the grant's history.
    const fromStart = await feed(consumer.reader);
    expect(fromStart.items.map((i: any) => i.type)).toEqual(['grant.activated', 'grant.revoked']);
    // A long-poll resolves scopes at its end as well: a revoked consumer waits and gets nothing of the new message.
    const waited = await feed(consumer.reader, `wait=1&cursor=${after.nextCursor}`);
    expect(waited.items).toEqual([]);
  });
});
