import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { newId, systemClock } from '../../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type GrantRecord, type GrantTerms, type SqliteStore } from '../../src/store/index.js';
import { fetchToken } from './oauth.js';
import { adminCall, createTenant, NO_THROTTLE, tempDir, type Tenant } from './servers.js';

/*
 * A real server (the whole app, listening on a socket) over a store the test holds too, so that grants can be put in
 * place through the store port in any state (the grant lifecycle routes are tested on their own).
 */

export const ADMIN_TOKEN = 's'.repeat(40);

export interface SharingServer {
  url: string;
  built: BuiltApp;
  store: SqliteStore;
  admin: (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** `env`: more configuration (e.g. VAULTGATE_OIDC_ISSUERS). */
export async function startSharingServer(env: Record<string, string> = {}): Promise<SharingServer> {
  const dir = tempDir('vg-shared-');
  const store = openSqliteStore({ file: join(dir, 'db.sqlite') });
  let url = '';
  const built = await buildApp({
    publicBaseUrl: () => url,
    config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir, ...NO_THROTTLE, ...env } }), store,
    crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 7) }, [], undefined), systemClock, 'test'),
    adminToken: ADMIN_TOKEN,
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
  return {
    url, built, store,
    admin: (method, path, body) => adminCall(url, ADMIN_TOKEN, method, path, body),
    close: async () => {
      await built.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A company client's token with the given roles (created through the admin API, fetched from the token endpoint). */
export async function companyToken(s: SharingServer, companyId: string, roles: string[]): Promise<string> {
  const c = await s.admin('POST', `/companies/${companyId}/clients`, { name: roles.join('+'), roles });
  if (c.status !== 201) throw new Error(`client: ${JSON.stringify(c.body)}`);
  return fetchToken(s.url, c.body.clientId, c.body.clientSecret);
}

let n = 0;
const iso = (ms: number) => new Date(ms).toISOString();

/** Puts a grant in place through the store port (with its event and audit event, as the lifecycle writes them). */
export async function putGrant(store: SqliteStore, owner: Tenant | string, consumer: string, state: GrantRecord['state'], terms: Partial<GrantTerms>): Promise<GrantRecord> {
  const ownerId = typeof owner === 'string' ? owner : owner.companyId;
  const now = Date.now();
  const t: GrantTerms = {
    channelIds: null, messageTypes: null, receivedFrom: null, receivedBefore: null, actions: ['read'], purpose: 'matrix',
    notBefore: iso(now - 3_600_000), notOnOrAfter: iso(now + 3_600_000), ...terms,
  };
  const g: GrantRecord = {
    id: newId('grant', 'test'), ownerOrganisationId: ownerId, consumerOrganisationId: consumer, state, terms: t, requestedTerms: null,
    createdAt: iso(now), updatedAt: iso(now), requestedBy: null, decidedBy: 'usr_test_matrix',
  };
  n++;
  await store.createGrant(
    g,
    { id: newId('grantEvent', 'test'), grantId: g.id, ownerOrganisationId: ownerId, consumerOrganisationId: consumer, type: 'grant.activated', at: iso(now), actor: 'usr_test_matrix', state, terms: t },
    { id: newId('auditEvent', 'test'), at: iso(now), environment: 'test', actor: { kind: 'system', id: 'test' }, action: 'test.grant', subject: g.id, tenants: [], clientAddress: null, requestId: `matrix-${n}`, outcome: 'success', details: {} },
  );
  return g;
}

/** Ends a grant (revoked by the owner) so that it no longer gives a scope. */
export async function revokeGrant(store: SqliteStore, g: GrantRecord): Promise<void> {
  const at = new Date().toISOString();
  const ok = await store.transitionGrant(g.id, { from: g.state, to: 'revoked', at, decidedBy: 'usr_test_matrix' },
    { id: newId('grantEvent', 'test'), grantId: g.id, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId, type: 'grant.revoked', at, actor: 'usr_test_matrix', state: 'revoked', terms: g.terms },
    { id: newId('auditEvent', 'test'), at, environment: 'test', actor: { kind: 'system', id: 'test' }, action: 'test.revoke', subject: g.id, tenants: [], clientAddress: null, requestId: null, outcome: 'success', details: {} });
  if (ok) return;
  // The server's expiry sweep may have ended an active grant whose validity is over first (seen under CI load): ended is
  // what this helper is for.
  const now = await store.getGrant(g.id);
  if (now?.state !== 'expired' && now?.state !== 'revoked') throw new Error(`revoke ${g.id} from ${g.state} (now ${now?.state})`);
}

export { createTenant };
