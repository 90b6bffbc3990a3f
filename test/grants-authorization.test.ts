import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, systemClock } from '../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config/load-config.js';
import { Keyring } from '../src/server/crypto/keyring.js';
import { VaultCrypto } from '../src/server/crypto/vault-crypto.js';
import { sessionTokenHash } from '../src/server/services/accounts/sessions.js';
import { openSqliteKeyStore, openSqliteStore, type GrantRecord, type GrantState, type MembershipRole, type SqliteStore } from '../src/store/index.js';
import { tempDir } from './helpers/servers.js';

/*
 * The authorization matrix of the grant routes (issue 15): principals (anonymous, the operator token, an operator's
 * session, and personal API tokens of each role in each of three organisations) × the organisation in the path (the
 * grant's owner, its consumer, a third company, one that does not exist) × every grant route, each call on a fresh
 * grant in the state its step needs. A call succeeds exactly when the accounts rules allow the principal on the
 * organisation (members read, admins act, operators everything) AND that organisation is the side the step belongs
 * to: 0 successes outside the rules.
 */

const ADMIN_TOKEN = 'g'.repeat(40);
const ROLES: MembershipRole[] = ['admin', 'member', 'viewer'];
const RANK: Record<MembershipRole, number> = { viewer: 0, member: 1, admin: 2 };
type Principal = { name: string; kind: 'anonymous' | 'operator-token' } | { name: string; kind: 'api-token' | 'operator-session'; token: string; org?: string; role?: MembershipRole };
type Side = 'owner' | 'consumer' | 'third' | 'none';

interface Route {
  method: 'GET' | 'POST';
  url: string;
  /** The state of the fresh grant the call is made on (routes with :grantId). */
  state?: GrantState;
  least: MembershipRole;
  /** Which organisations in the path the step belongs to. */
  sides: Side[];
  body?: () => unknown;
}

describe('authorization matrix of the grant routes', () => {
  let built: BuiltApp;
  let store: SqliteStore;
  const dir = tempDir();
  const org: Record<Side, string> = { owner: '', consumer: '', third: '', none: 'co_test_nosuchorganisation0000' };
  let channel = '';
  const principals: Principal[] = [];
  let n = 0;
  const audit = (subject: string) => ({ id: `ae_test_grantmx${String(++n).padStart(17, '0')}`, at: new Date().toISOString(), environment: 'test', actor: { kind: 'system' as const, id: 'test' }, action: 'test.setup', subject, tenants: [], clientAddress: null, requestId: null, outcome: 'success' as const, details: {} });
  const terms = () => ({ channelIds: [channel], messageTypes: null, receivedFrom: null, receivedBefore: null, actions: ['read' as const], purpose: 'matrix', notBefore: new Date(Date.now() - 60_000).toISOString(), notOnOrAfter: new Date(Date.now() + 3_600_000).toISOString() });
  /** A fresh grant of owner → consumer in `state`. */
  const grant = async (state: GrantState): Promise<string> => {
    const at = new Date().toISOString();
    const g: GrantRecord = { id: newId('grant', 'test'), ownerOrganisationId: org.owner, consumerOrganisationId: org.consumer, state, terms: terms(), requestedTerms: terms(), createdAt: at, updatedAt: at, requestedBy: 'u', decidedBy: null };
    await store.createGrant(g, { id: newId('grantEvent', 'test'), grantId: g.id, ownerOrganisationId: g.ownerOrganisationId, consumerOrganisationId: g.consumerOrganisationId, type: 'grant.requested', at, actor: 'u', state, terms: g.terms }, audit(g.id));
    return g.id;
  };

  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir } }), store, adminToken: ADMIN_TOKEN,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 3) }, [], undefined), systemClock, 'test'),
    });
    await built.app.ready();
    const now = new Date().toISOString();
    const companies = ['1967543-8', '2212338-5', '0112038-9'].map((businessId, i) => ({ id: newId('company', 'test'), name: `Org ${i} Oy`, businessId, createdAt: now }));
    for (const c of companies) await store.createCompany(c);
    [org.owner, org.consumer, org.third] = companies.map((c) => c.id) as [string, string, string];
    const party = { id: newId('party', 'test'), name: 'P', status: 'active' as const, createdAt: now, disabledAt: null };
    await store.createParty(party);
    channel = newId('channel', 'test');
    await store.createChannel({ id: channel, companyId: org.owner, partyId: party.id, messageTypes: [{ name: 'invoice', mediaTypes: ['application/xml'] }], status: 'active', createdAt: now, disabledAt: null });
    const apiToken = async (userOrg: string | null, role: MembershipRole, operator = false): Promise<string> => {
      const u = { id: newId('user', 'test'), email: `${randomBytes(4).toString('hex')}@example.com`, displayName: 'M', language: 'en' as const, passwordHash: null, totpSecretCiphertext: operator ? new Uint8Array(40) : null, totpConfirmedAt: operator ? now : null, totpLastStep: null, platformRole: operator ? 'operator' as const : null, status: 'active' as const, createdAt: now };
      await store.createUser(u, audit(u.id));
      const token = randomBytes(32).toString('base64url');
      if (operator) {
        await store.createSession({ tokenHash: sessionTokenHash(token), userId: u.id, createdAt: now, lastSeenAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), revokedAt: null, clientAddress: null, signInMethod: 'password' }, undefined, audit(u.id));
        return token;
      }
      await store.addMembership({ userId: u.id, organisationId: userOrg!, role, createdAt: now }, audit(u.id));
      const pat = `vgp_${token}`;
      await store.createApiToken({ id: newId('apiToken', 'test'), tokenHash: createHash('sha256').update(pat).digest('hex'), userId: u.id, organisationId: userOrg!, role, name: 'mx', createdAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), revokedAt: null, signInMethod: 'password' }, audit(u.id));
      return pat;
    };
    principals.push({ name: 'anonymous', kind: 'anonymous' }, { name: 'operator token', kind: 'operator-token' });
    principals.push({ name: 'operator session', kind: 'operator-session', token: await apiToken(null, 'admin', true) });
    for (const side of ['owner', 'consumer', 'third'] as const) {
      for (const role of ROLES) principals.push({ name: `${role} of ${side}`, kind: 'api-token', token: await apiToken(org[side], role), org: org[side], role });
    }
  });
  afterAll(async () => {
    await built.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = '/organisations/:organisationId';
  const routes: Route[] = [
    { method: 'GET', url: `${base}/grants?role=owner`, least: 'viewer', sides: ['owner', 'consumer', 'third'] },
    { method: 'GET', url: `${base}/audit`, least: 'viewer', sides: ['owner', 'consumer', 'third'] },
    // A request to the owner by any other organisation; a direct grant to the consumer by any company but the consumer.
    { method: 'POST', url: `${base}/grants/requests`, least: 'admin', sides: ['consumer', 'third'], body: () => ({ ownerOrganisationId: org.owner, ...terms(), notBefore: undefined }) },
    { method: 'POST', url: `${base}/grants`, least: 'admin', sides: ['owner', 'third'], body: () => ({ consumerOrganisationId: org.consumer, ...terms(), channelIds: null, messageTypes: ['invoice'], notBefore: undefined }) },
    { method: 'GET', url: `${base}/grants/:grantId`, state: 'requested', least: 'viewer', sides: ['owner', 'consumer'] },
    { method: 'GET', url: `${base}/grants/:grantId/statement`, state: 'active', least: 'viewer', sides: ['owner', 'consumer'] },
    { method: 'POST', url: `${base}/grants/:grantId/approve`, state: 'requested', least: 'admin', sides: ['owner'] },
    { method: 'POST', url: `${base}/grants/:grantId/offer`, state: 'requested', least: 'admin', sides: ['owner'], body: () => ({ actions: ['read'] }) },
    { method: 'POST', url: `${base}/grants/:grantId/decline`, state: 'requested', least: 'admin', sides: ['owner'] },
    { method: 'POST', url: `${base}/grants/:grantId/revoke`, state: 'active', least: 'admin', sides: ['owner'] },
    { method: 'POST', url: `${base}/grants/:grantId/accept`, state: 'offered', least: 'admin', sides: ['consumer'] },
    { method: 'POST', url: `${base}/grants/:grantId/withdraw`, state: 'active', least: 'admin', sides: ['consumer'] },
  ];
  const allowed = (p: Principal, side: Side, r: Route): boolean => {
    if (!r.sides.includes(side)) return false;
    if (p.kind === 'operator-token' || p.kind === 'operator-session') return true;
    return p.kind === 'api-token' && p.org === org[side] && RANK[p.role!] >= RANK[r.least];
  };

  it('covers every grant route (and the organisation audit route)', () => {
    const registered = built.routes.filter((r) => /^\/api\/v1\/organisations\/:organisationId\/(grants|audit)/.test(r.url)).map((r) => `${r.method} ${r.url.slice('/api/v1'.length)}`);
    expect(registered.sort()).toEqual(routes.map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`).sort());
  });

  it('allows exactly what the rules allow: principals × owner, consumer, third and unknown organisation × routes', async () => {
    let checked = 0;
    const wrong: string[] = [];
    let outside = 0;
    for (const r of routes) {
      for (const side of ['owner', 'consumer', 'third', 'none'] as const) {
        for (const p of principals) {
          let url = r.url.replace(':organisationId', org[side]);
          if (r.state) url = url.replace(':grantId', await grant(r.state));
          const headers: Record<string, string> = p.kind === 'anonymous' ? {} : { authorization: `Bearer ${'token' in p ? p.token : ADMIN_TOKEN}` };
          const body = r.body?.();
          const res = await built.app.inject({ method: r.method, url: `/api/v1${url}`, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
          const ok = res.statusCode >= 200 && res.statusCode < 300;
          const expected = allowed(p, side, r);
          checked++;
          if (ok && !expected) outside++;
          if (ok !== expected) wrong.push(`${p.name} ${r.method} ${side} ${r.url}: ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(outside).toBe(0);
    expect(checked).toBe(routes.length * 4 * principals.length);
  });
});
