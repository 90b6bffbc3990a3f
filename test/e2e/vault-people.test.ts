import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finnishCheckDigit } from '../../src/protocol/index.js';
import { macRequest } from '../helpers/mac-request.js';
import { apiCall } from '../helpers/organisations.js';
import { joinAlso, operatorUser, personalToken, personIn, type TestPerson } from '../helpers/people.js';
import { ADMIN_TOKEN, companyToken, createTenant, putGrant, revokeGrant, startSharingServer, type SharingServer } from '../helpers/sharing.js';
import type { Tenant } from '../helpers/servers.js';

/*
 * People read /vault/v1 (issue 16: the portal's vault browser): a browser session's cookie, a bearer session token, a
 * personal API token, with Vaultgate-Organisation. Every role × own organisation × another × a vendor-only one ×
 * an operator user × a suspended organisation, on a real server over a socket; export and the feed (with wait) by
 * cookie; the audit actor; and GET /metrics with an operator user's session.
 */

const bid = (seven: string) => `${seven}-${finnishCheckDigit(seven)}`;
type Way = { name: string; headers: Record<string, string> };
interface Answer { status: number; code: string | undefined; text: string; headers: Headers; json(): any }

const get = async (url: string, headers: Record<string, string>): Promise<Answer> => {
  const res = await fetch(url, { headers });
  const text = await res.text();
  const json = () => JSON.parse(text);
  return { status: res.status, code: res.status >= 400 ? json().code : undefined, text, headers: res.headers, json };
};

describe('people read /vault/v1 (issue 16)', () => {
  let s: SharingServer;
  let a: Tenant, b: Tenant;
  let vendorOrg: string;
  const aMsgs: string[] = [];
  let bMsg: string;
  const people: Record<'admin' | 'member' | 'viewer', TestPerson> = {} as never;
  let both: TestPerson, vendor: TestPerson, outsider: TestPerson, operator: TestPerson;

  const ingest = async (t: Tenant, i: number): Promise<string> => {
    const res = await macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}`, creds: t.sender, body: JSON.stringify({ i, who: t.companyId }), headers: { 'content-type': 'application/json', 'x-message-type': 'TransportOrder' } });
    if (res.status !== 200) throw new Error(res.text);
    return res.json().messageId as string;
  };
  /** The three ways a person authenticates, with an optional organisation header. */
  const ways = (p: TestPerson, org?: string): Way[] => {
    const h: Record<string, string> = org ? { 'vaultgate-organisation': org } : {};
    return [
      { name: 'cookie', headers: { cookie: p.cookie, ...h } },
      { name: 'bearer session', headers: { authorization: `Bearer ${p.session}`, ...h } },
    ];
  };

  beforeAll(async () => {
    s = await startSharingServer();
    a = await createTenant(s.admin, { businessId: bid('1967543') });
    b = await createTenant(s.admin, { businessId: bid('2729069') });
    for (let i = 0; i < 3; i++) aMsgs.push(await ingest(a, i));
    bMsg = await ingest(b, 9);
    for (const role of ['admin', 'member', 'viewer'] as const) people[role] = await personIn(s.url, ADMIN_TOKEN, a.companyId, `${role}@a.example`, role);
    both = await personIn(s.url, ADMIN_TOKEN, b.companyId, 'both@b.example', 'viewer');
    await joinAlso(s.url, ADMIN_TOKEN, both, a.companyId, 'member');
    outsider = await personIn(s.url, ADMIN_TOKEN, b.companyId, 'outsider@b.example', 'admin');
    // A vendor-only organisation (the tenant's party): no vault of its own.
    vendorOrg = a.partyId;
    vendor = await personIn(s.url, ADMIN_TOKEN, vendorOrg, 'vendor@a.example', 'admin');
    operator = await operatorUser(s.url, ADMIN_TOKEN, 'ops@vaultgate.example');
  });
  afterAll(() => s?.close());

  const own = (id = aMsgs[0]!) => ['/vault/v1/messages', `/vault/v1/messages/${id}`, '/vault/v1/export', '/vault/v1/audit'];

  it("every role of the company reads its own vault by cookie, bearer session and personal API token; never another company's message", async () => {
    for (const role of ['admin', 'member', 'viewer'] as const) {
      const p = people[role];
      const all: Way[] = [...ways(p), ...ways(p, a.companyId), { name: 'personal API token', headers: { authorization: `Bearer ${await personalToken(s.url, p, a.companyId, role)}` } }];
      for (const w of all) {
        const where = `${role} ${w.name}`;
        const list = await get(`${s.url}/vault/v1/messages`, w.headers);
        expect(list.status, `${where}: ${list.text}`).toBe(200);
        expect(list.json().items.map((m: any) => m.messageId), where).toEqual(aMsgs);
        expect(list.headers.get('cache-control')).toBe('no-store');
        const one = await get(`${s.url}/vault/v1/messages/${aMsgs[1]}`, w.headers);
        expect(one.status, where).toBe(200);
        expect(JSON.parse(one.text)).toEqual({ i: 1, who: a.companyId });
        expect((await get(`${s.url}/vault/v1/audit?limit=1`, w.headers)).status, where).toBe(200);
        // Another company's message, through its own vault: as one that does not exist.
        expect((await get(`${s.url}/vault/v1/messages/${bMsg}`, w.headers)).code, where).toBe('NOT_FOUND');
      }
    }
  });

  it('the matrix: principals × organisation header × routes — 200 exactly where the rules allow, 0 successes elsewhere', async () => {
    const unknown = `co_test_${'0'.repeat(26)}`;
    type P = { name: string; headers: Record<string, string>; memberships: string[]; tokenOrg?: string };
    const principals: P[] = [];
    for (const role of ['admin', 'member', 'viewer'] as const) {
      const p = people[role];
      principals.push({ name: `${role} cookie`, headers: { cookie: p.cookie }, memberships: [a.companyId] });
      principals.push({ name: `${role} bearer session`, headers: { authorization: `Bearer ${p.session}` }, memberships: [a.companyId] });
      principals.push({ name: `${role} personal token`, headers: { authorization: `Bearer ${await personalToken(s.url, p, a.companyId, role)}` }, memberships: [a.companyId], tokenOrg: a.companyId });
    }
    principals.push(
      { name: 'member of A and viewer of B, cookie', headers: { cookie: both.cookie }, memberships: [b.companyId, a.companyId] },
      { name: "B's member's token for B", headers: { authorization: `Bearer ${await personalToken(s.url, both, b.companyId, 'viewer')}` }, memberships: [b.companyId, a.companyId], tokenOrg: b.companyId },
      { name: 'vendor-only admin, bearer', headers: { authorization: `Bearer ${vendor.session}` }, memberships: [vendorOrg] },
      { name: 'admin of B, cookie', headers: { cookie: outsider.cookie }, memberships: [b.companyId] },
      { name: 'operator user, bearer', headers: { authorization: `Bearer ${operator.session}` }, memberships: [] },
    );
    const routes: Array<{ path: string; ok: (org: string) => boolean }> = [
      { path: '/vault/v1/messages', ok: (org) => org === a.companyId || org === b.companyId },
      { path: '/vault/v1/export', ok: (org) => org === a.companyId || org === b.companyId },
      { path: '/vault/v1/audit', ok: (org) => org === a.companyId || org === b.companyId },
      { path: `/vault/v1/messages/${aMsgs[0]}`, ok: (org) => org === a.companyId },
      { path: `/vault/v1/messages/${bMsg}`, ok: (org) => org === b.companyId },
      { path: '/vault/v1/shared', ok: () => true },
      { path: '/vault/v1/feed', ok: () => true },
      { path: `/vault/v1/shared/${a.companyId}/messages`, ok: () => false }, // no grants here
    ];
    let unexpected = 0;
    let allowed = 0;
    const wrong: string[] = [];
    for (const p of principals) {
      for (const header of [undefined, a.companyId, b.companyId, vendorOrg, unknown]) {
        // The rule: the header's organisation (a token's own when absent), else the one membership; a member of it.
        const org = header ?? p.tokenOrg ?? (p.memberships.length === 1 ? p.memberships[0] : undefined);
        const member = org !== undefined && p.memberships.includes(org) && (p.tokenOrg === undefined || p.tokenOrg === org);
        for (const r of routes) {
          const want = member && r.ok(org!);
          const res = await get(`${s.url}${r.path}`, { ...p.headers, ...(header ? { 'vaultgate-organisation': header } : {}) });
          if (res.status === 200 && !want) unexpected++;
          if (want) allowed++;
          if ((res.status === 200) !== want) wrong.push(`${p.name} / ${header ?? '-'} / ${r.path}: ${res.status} ${res.code ?? ''}`);
          if (res.status !== 200 && !['ACCOUNT_FORBIDDEN', 'ORGANISATION_REQUIRED', 'GRANT_REQUIRED', 'NOT_FOUND'].includes(res.code!)) wrong.push(`${p.name} / ${header ?? '-'} / ${r.path}: ${res.code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(unexpected).toBe(0);
    expect(allowed).toBeGreaterThan(100);
  }, 120_000);

  it('the organisation header: several memberships need it; a foreign, unknown or malformed one answers alike; a personal token implies its own', async () => {
    // Two memberships (viewer of B, member of A): which vault is read is the header's choice.
    for (const w of ways(both)) {
      const none = await get(`${s.url}/vault/v1/messages`, w.headers);
      expect(none.status).toBe(400);
      expect(none.json()).toMatchObject({ code: 'ORGANISATION_REQUIRED', remedy: expect.stringContaining('Vaultgate-Organisation') });
    }
    for (const w of ways(both, a.companyId)) expect((await get(`${s.url}/vault/v1/messages`, w.headers)).json().items.map((m: any) => m.messageId)).toEqual(aMsgs);
    for (const w of ways(both, b.companyId)) expect((await get(`${s.url}/vault/v1/messages`, w.headers)).json().items.map((m: any) => m.messageId)).toEqual([bMsg]);
    // Not a member: another tenant, one that does not exist, a malformed id — the same code and status, nothing read.
    const foreign = [b.companyId, `co_test_${'0'.repeat(26)}`, 'not-an-id', a.companyId.replace('_test_', '_live_')];
    for (const org of foreign) {
      for (const w of ways(people.viewer, org)) {
        for (const target of own()) {
          const r = await get(`${s.url}${target}`, w.headers);
          expect([r.status, r.code], `${org} ${w.name} ${target}`).toEqual([403, 'ACCOUNT_FORBIDDEN']);
          expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(r.text).not.toContain(aMsgs[0]);
          expect(r.text).not.toContain(bMsg);
        }
      }
    }
    // A personal API token acts for its one organisation: the header may name it, not another.
    const token = await personalToken(s.url, both, a.companyId, 'viewer');
    expect((await get(`${s.url}/vault/v1/messages`, { authorization: `Bearer ${token}` })).json().items).toHaveLength(aMsgs.length);
    expect((await get(`${s.url}/vault/v1/messages`, { authorization: `Bearer ${token}`, 'vaultgate-organisation': a.companyId })).status).toBe(200);
    const other = await get(`${s.url}/vault/v1/messages`, { authorization: `Bearer ${token}`, 'vaultgate-organisation': b.companyId });
    expect(other.json()).toMatchObject({ code: 'ACCOUNT_FORBIDDEN', detail: expect.stringContaining('organisation it was made for') });
  });

  it('refused: a vendor-only organisation on its own vault, an operator user without membership, the admin token, ended sessions and unknown tokens', async () => {
    for (const w of [...ways(vendor), ...ways(vendor, vendorOrg)]) {
      for (const target of own()) {
        const r = await get(`${s.url}${target}`, w.headers);
        expect([r.status, r.code], `${w.name} ${target}`).toEqual([403, 'ACCOUNT_FORBIDDEN']);
      }
      // Its shared and feed reads are its grants' (none yet): allowed, empty.
      expect((await get(`${s.url}/vault/v1/shared`, w.headers)).json()).toEqual({ owners: [] });
      expect((await get(`${s.url}/vault/v1/feed`, w.headers)).json()).toMatchObject({ items: [], hasMore: false });
    }
    // A platform operator's role gives no vault access by itself, with or without the header.
    for (const w of [...ways(operator), ...ways(operator, a.companyId)]) {
      for (const target of [...own(), '/vault/v1/shared', '/vault/v1/feed', `/vault/v1/shared/${a.companyId}/messages`]) {
        const r = await get(`${s.url}${target}`, w.headers);
        expect([r.status, r.code], `operator ${w.name} ${target}`).toEqual([403, 'ACCOUNT_FORBIDDEN']);
      }
    }
    expect((await get(`${s.url}/vault/v1/feed`, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(401); // not a session's shape: the OAuth path
    // Signed out, or never signed in: 401, as on /api/v1.
    const gone = await personIn(s.url, ADMIN_TOKEN, a.companyId, 'gone@a.example', 'viewer');
    expect((await apiCall(s.url, 'DELETE', '/session', gone.session)).status).toBe(204);
    expect((await get(`${s.url}/vault/v1/messages`, { authorization: `Bearer ${gone.session}` })).code).toBe('SESSION_REQUIRED');
    expect((await get(`${s.url}/vault/v1/messages`, { cookie: `__Host-vaultgate-session=${'x'.repeat(43)}` })).code).toBe('SESSION_REQUIRED');
    expect((await get(`${s.url}/vault/v1/messages`, { authorization: `Bearer vgp_${'x'.repeat(43)}` })).code).toBe('API_TOKEN_INVALID');
    // A MAC credential and an OAuth token are unchanged by a session cookie sent along.
    const token = await companyToken(s, a.companyId, ['vault.read']);
    const r = await get(`${s.url}/vault/v1/messages`, { authorization: `Bearer ${token}`, cookie: outsider.cookie });
    expect(r.json().items).toHaveLength(aMsgs.length);
  });

  it('a person held to TOTP enrolment (their organisation requires it) reads nothing until they enrol, as on /api/v1', async () => {
    const require = (required: boolean) => apiCall(s.url, 'PUT', `/organisations/${vendorOrg}/require-totp`, ADMIN_TOKEN, { required });
    expect((await require(true)).status).toBe(200);
    try {
      for (const w of ways(vendor)) {
        for (const target of ['/vault/v1/shared', '/vault/v1/feed']) {
          const r = await get(`${s.url}${target}`, w.headers);
          expect([r.status, r.code], `${w.name} ${target}`).toEqual([401, 'TOTP_REQUIRED']);
        }
      }
    } finally {
      expect((await require(false)).status).toBe(200);
    }
    expect((await get(`${s.url}/vault/v1/shared`, ways(vendor)[0]!.headers)).status).toBe(200);
  });

  it('an organisation the operator suspends is refused to its people from the next request, and read again once reinstated', async () => {
    const p = people.member;
    const token = await personalToken(s.url, p, a.companyId, 'member');
    const all = [...ways(p), { name: 'token', headers: { authorization: `Bearer ${token}` } }];
    expect((await apiCall(s.url, 'POST', `/admin/organisations/${a.companyId}/suspend`, ADMIN_TOKEN)).status).toBe(200);
    try {
      for (const w of all) {
        for (const target of [...own(), '/vault/v1/shared', '/vault/v1/feed']) {
          const r = await get(`${s.url}${target}`, w.headers);
          expect([r.status, r.code], `${w.name} ${target}`).toEqual([403, 'ORGANISATION_SUSPENDED']);
        }
      }
      // The person's other organisation is not suspended.
      expect((await get(`${s.url}/vault/v1/messages`, ways(both, b.companyId)[0]!.headers)).status).toBe(200);
    } finally {
      expect((await apiCall(s.url, 'POST', `/admin/organisations/${a.companyId}/reinstate`, ADMIN_TOKEN)).status).toBe(200);
    }
    for (const w of all) expect((await get(`${s.url}/vault/v1/messages`, w.headers)).status).toBe(200);
  });

  it("reads are audited with the actor {kind:'user'}; a refused person is a vault.access event of the organisation named", async () => {
    const since = new Date().toISOString();
    const viewer = ways(people.viewer)[0]!.headers;
    await get(`${s.url}/vault/v1/messages?limit=2`, viewer);
    await get(`${s.url}/vault/v1/messages/${aMsgs[2]}`, viewer);
    await get(`${s.url}/vault/v1/messages`, ways(outsider, a.companyId)[0]!.headers);
    const trail = (await get(`${s.url}/vault/v1/audit?from=${encodeURIComponent(since)}&limit=100`, ways(people.admin)[1]!.headers)).json().items as any[];
    const actor = { kind: 'user', id: people.viewer.userId };
    expect(trail.find((e) => e.action === 'vault.list')).toMatchObject({ actor, outcome: 'success', tenants: [a.companyId], details: { count: 2 } });
    expect(trail.find((e) => e.action === 'vault.get')).toMatchObject({ actor, outcome: 'success', subject: aMsgs[2] });
    expect(trail.find((e) => e.action === 'vault.access')).toMatchObject({
      actor: { kind: 'user', id: outsider.userId }, outcome: 'refused', details: { code: 'ACCOUNT_FORBIDDEN', method: 'GET' },
    });
  });

  it('export and the feed (with wait) by a browser session cookie; the feed reads as the consumer: what grants cover, not the own vault', async () => {
    const cookie = ways(people.viewer)[0]!.headers;
    const exp = await fetch(`${s.url}/vault/v1/export`, { headers: cookie });
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(exp.headers.get('cache-control')).toBe('no-store');
    const lines = (await exp.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => l.messageId)).toEqual(aMsgs);
    expect(lines.at(-1)).toEqual({ complete: true, count: aMsgs.length });

    // The feed reads as the consumer, exactly as a shared.read client: what grants cover, not the company's own vault.
    const own = await get(`${s.url}/vault/v1/feed?limit=1000`, cookie);
    expect(own.status, own.text).toBe(200);
    expect(own.json().items.filter((i: any) => i.type === 'message.received')).toEqual([]);
    const bCookie = ways(both, b.companyId)[0]!.headers;
    const before = (await get(`${s.url}/vault/v1/feed?limit=1000`, bCookie)).json();
    expect(before.items.filter((i: any) => i.type === 'message.received')).toEqual([]);
    const g = await putGrant(s.store, a, b.companyId, 'active', {});
    try {
      const first = (await get(`${s.url}/vault/v1/feed?limit=1000`, bCookie)).json();
      const shared = first.items.filter((i: any) => i.type === 'message.received');
      expect(shared.map((i: any) => [i.companyId, i.grantId, i.message.messageId])).toEqual(aMsgs.map((id) => [a.companyId, g.id, id]));
      // A long poll by cookie ends when a covered message arrives.
      const waiting = get(`${s.url}/vault/v1/feed?wait=20&cursor=${encodeURIComponent(first.nextCursor)}`, bCookie);
      await sleep(300);
      const fresh = await ingest(a, 3);
      aMsgs.push(fresh);
      const woke = await waiting;
      expect(woke.status).toBe(200);
      expect(woke.json().items.map((i: any) => i.message?.messageId)).toEqual([fresh]);
    } finally {
      await revokeGrant(s.store, g);
    }
    // The feed's read is audited for the reader and the owner, with the person as actor.
    for (const reader of [ways(people.admin)[1]!.headers, ways(outsider)[1]!.headers]) {
      const trail = (await get(`${s.url}/vault/v1/audit?action=feed.read&limit=100`, reader)).json().items as any[];
      expect(trail.some((e) => e.actor.kind === 'user' && e.actor.id === both.userId)).toBe(true);
    }
  });

  it("GET /metrics: an operator user's session (bearer or cookie) reads it; a member's session or a personal API token does not; always no-store", async () => {
    for (const headers of [{ authorization: `Bearer ${operator.session}` }, { cookie: operator.cookie }, { authorization: `Bearer ${ADMIN_TOKEN}` }] as Record<string, string>[]) {
      const r = await fetch(`${s.url}/metrics`, { headers });
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(await r.text()).toContain('vaultgate_requests_total');
    }
    const token = await personalToken(s.url, people.admin, a.companyId, 'admin');
    for (const headers of [{ authorization: `Bearer ${people.admin.session}` }, { cookie: people.admin.cookie }, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const r = await get(`${s.url}/metrics`, headers);
      expect([r.status, r.code]).toEqual([403, 'ACCOUNT_FORBIDDEN']);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.text).not.toContain('vaultgate_requests_total');
    }
    expect((await get(`${s.url}/metrics`, {})).code).toBe('ADMIN_UNAUTHORIZED');
  });

  it('an operator who is also a member reads as that member: the membership gives access, never the platform role', async () => {
    expect((await get(`${s.url}/vault/v1/messages`, ways(operator, a.companyId)[1]!.headers)).code).toBe('ACCOUNT_FORBIDDEN');
    await joinAlso(s.url, ADMIN_TOKEN, operator, a.companyId, 'viewer');
    for (const w of ways(operator)) expect((await get(`${s.url}/vault/v1/messages`, w.headers)).json().items.map((m: any) => m.messageId)).toEqual(aMsgs);
    expect((await get(`${s.url}/vault/v1/messages`, ways(operator, b.companyId)[0]!.headers)).code).toBe('ACCOUNT_FORBIDDEN');
  });
});
