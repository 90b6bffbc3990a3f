import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finnishCheckDigit, type GrantScope } from '../src/protocol/index.js';
import type { GrantRecord, GrantTerms } from '../src/store/index.js';
import { macRequest, type MacCredentials, type RawResponse } from './helpers/mac-request.js';
import { ADMIN_TOKEN, companyToken, createTenant, putGrant as storeGrant, revokeGrant as storeRevoke, startSharingServer, type SharingServer } from './helpers/sharing.js';
import type { Tenant } from './helpers/servers.js';
import { joinAlso, operatorUser, personalToken, personIn } from './helpers/people.js';

/*
 * The consumer-reads matrix (issue 15): owners × consumers × grant states × scopes × routes × credential kinds, on a
 * real server over a socket. Every request outside what an active grant covers must be refused (0 successes), and
 * every message a grant covers must be readable by the grantee, through each route and each credential that may read.
 */

const bid = (seven: string) => `${seven}-${finnishCheckDigit(seven)}`;
const TYPES = [{ name: 'TransportOrder', mediaTypes: ['application/json'] }, { name: 'Invoice', mediaTypes: ['application/json'] }];

/** A MAC credential, an OAuth token, or a person (issue 16): a bearer session or personal API token, or a browser's cookie, with Vaultgate-Organisation. */
type Cred = { name: string; consumer: 'C1' | 'C2'; refusal?: string; org?: string } & ({ mac: MacCredentials } | { token: string } | { cookie: string });
interface Answer { status: number; code: string | undefined; body: Buffer; text: string; header(name: string): string | undefined }

describe('consumer reads: the matrix', () => {
  let s: SharingServer;
  let o1: Tenant, o2: Tenant, c1: Tenant, c2: Tenant;
  let o1ch2: string;
  const msgs = new Map<string, Array<{ messageId: string; channelId: string; messageType: string; receivedAt: string; body: string }>>();
  const creds: Cred[] = [];

  const ingest = async (t: Tenant, channelId: string, messageType: string, i: number) => {
    const body = JSON.stringify({ owner: t.companyId, i, text: 'Äyräpää' });
    const res = await macRequest({ baseUrl: s.url, target: `/ingestion/${channelId}`, creds: t.sender, body, headers: { 'content-type': 'application/json', 'x-message-type': messageType } });
    if (res.status !== 200) throw new Error(res.text);
    await sleep(2);
    msgs.get(t.companyId)!.push({ messageId: res.json().messageId, channelId, messageType, receivedAt: res.json().receivedAt, body });
  };

  const call = async (c: Cred, target: string): Promise<Answer> => {
    if ('mac' in c) {
      const r: RawResponse = await macRequest({ baseUrl: s.url, target, creds: c.mac, useHttpStatusCodes: true, json: true });
      const h = (n: string) => { const v = r.headers[n]; return Array.isArray(v) ? v[0] : v; };
      return { status: r.status, code: r.status >= 400 ? r.json().code : undefined, body: r.body, text: r.text, header: h };
    }
    const headers: Record<string, string> = 'token' in c ? { authorization: `Bearer ${c.token}` } : { cookie: c.cookie };
    if (c.org) headers['vaultgate-organisation'] = c.org;
    const res = await fetch(`${s.url}${target}`, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    const text = body.toString('utf8');
    return { status: res.status, code: res.status >= 400 ? JSON.parse(text).code : undefined, body, text, header: (n) => res.headers.get(n) ?? undefined };
  };

  beforeAll(async () => {
    s = await startSharingServer();
    o1 = await createTenant(s.admin, { businessId: bid('1967543'), messageTypes: TYPES });
    o2 = await createTenant(s.admin, { businessId: bid('2729069'), messageTypes: TYPES });
    c1 = await createTenant(s.admin, { businessId: bid('0112038') });
    c2 = await createTenant(s.admin, { businessId: bid('1572860') });
    o1ch2 = (await s.admin('POST', '/channels', { companyId: o1.companyId, partyId: o1.partyId, messageTypes: TYPES })).body.id;
    for (const t of [o1, o2]) msgs.set(t.companyId, []);
    let i = 0;
    for (const round of [0, 1]) {
      for (const [t, ch] of [[o1, o1.channelId], [o1, o1ch2], [o2, o2.channelId]] as const) {
        for (const type of ['TransportOrder', 'Invoice']) await ingest(t, ch, type, i++ + round);
      }
    }
    creds.push(
      { name: 'MAC vault.read of the consumer', consumer: 'C1', mac: c1.reader },
      { name: 'bearer shared.read of the consumer', consumer: 'C1', token: await companyToken(s, c1.companyId, ['shared.read']) },
      { name: 'bearer vault.read of the consumer', consumer: 'C1', token: await companyToken(s, c1.companyId, ['vault.read']), refusal: 'SCOPE_MISSING' },
      { name: 'MAC of the consumer naming the owner as Organisation-ID', consumer: 'C1', mac: { ...c1.reader, organisationId: o1.businessId }, refusal: 'SERVICE_ACCESS_ERROR' },
      { name: 'MAC of another organisation', consumer: 'C2', mac: c2.reader },
      { name: 'bearer shared.read of another organisation', consumer: 'C2', token: await companyToken(s, c2.companyId, ['shared.read']) },
    );
    // People (issue 16): any role of the consumer organisation reads what its grants cover, as its shared.read client.
    const viewer = await personIn(s.url, ADMIN_TOKEN, c1.companyId, 'viewer@c1.example', 'viewer');
    await joinAlso(s.url, ADMIN_TOKEN, viewer, o1.companyId, 'admin'); // two memberships: the header picks the consumer
    const member = await personIn(s.url, ADMIN_TOKEN, c1.companyId, 'member@c1.example', 'member');
    const admin = await personIn(s.url, ADMIN_TOKEN, c1.companyId, 'admin@c1.example', 'admin');
    const outsider = await personIn(s.url, ADMIN_TOKEN, c2.companyId, 'viewer@c2.example', 'viewer');
    const operator = await operatorUser(s.url, ADMIN_TOKEN, 'ops@vaultgate.example');
    creds.push(
      { name: 'person: viewer of the consumer (and admin of O1), cookie + header', consumer: 'C1', cookie: viewer.cookie, org: c1.companyId },
      { name: 'person: member of the consumer, bearer session, organisation implied', consumer: 'C1', token: member.session },
      { name: 'person: personal API token (admin) of the consumer', consumer: 'C1', token: await personalToken(s.url, admin, c1.companyId, 'admin') },
      { name: 'person: viewer of another organisation, cookie', consumer: 'C2', cookie: outsider.cookie, org: c2.companyId },
      { name: 'person of another organisation naming the consumer', consumer: 'C2', cookie: outsider.cookie, org: c1.companyId, refusal: 'ACCOUNT_FORBIDDEN' },
      { name: 'person: personal API token naming another organisation', consumer: 'C1', token: await personalToken(s.url, member, c1.companyId, 'viewer'), org: c2.companyId, refusal: 'ACCOUNT_FORBIDDEN' },
      { name: 'operator user (no membership) naming the consumer', consumer: 'C1', token: operator.session, org: c1.companyId, refusal: 'ACCOUNT_FORBIDDEN' },
    );
  });
  afterAll(() => s.close());
  // Grants still active when a test ends (it failed half-way) are revoked, so that they leak into no other test.
  const active = new Set<GrantRecord>();
  const putGrant = async (...a: Parameters<typeof storeGrant>) => {
    const g = await storeGrant(...a);
    if (g.state === 'active') active.add(g);
    return g;
  };
  const revokeGrant = async (store: SharingServer['store'], g: GrantRecord) => {
    active.delete(g);
    await storeRevoke(store, g);
  };
  afterEach(async () => {
    for (const g of active) await revokeGrant(s.store, g);
  });

  const hour = 3_600_000;
  const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
  /** Grant states, as stored; the last two are active grants outside their validity. */
  const STATES: Array<{ name: string; state: GrantRecord['state']; validity?: Partial<GrantTerms>; gives: boolean }> = [
    { name: 'requested', state: 'requested', gives: false },
    { name: 'offered', state: 'offered', gives: false },
    { name: 'active', state: 'active', gives: true },
    { name: 'declined', state: 'declined', gives: false },
    { name: 'revoked', state: 'revoked', gives: false },
    { name: 'withdrawn', state: 'withdrawn', gives: false },
    { name: 'expired', state: 'expired', gives: false },
    { name: 'active, validity over', state: 'active', validity: { notBefore: iso(-2 * hour), notOnOrAfter: iso(-1) }, gives: false },
    { name: 'active, not yet valid', state: 'active', validity: { notBefore: iso(hour), notOnOrAfter: iso(2 * hour) }, gives: false },
  ];
  const SCOPES = (owner: Tenant): Array<{ name: string; scope: Partial<GrantScope> }> => {
    const m = msgs.get(owner.companyId)!;
    return [
      { name: 'channel-only', scope: { channelIds: [owner.channelId] } },
      { name: 'type-only', scope: { messageTypes: ['Invoice'] } },
      { name: 'channel and type', scope: { channelIds: [owner.channelId], messageTypes: ['TransportOrder'] } },
      { name: 'received-at window', scope: { channelIds: [owner.channelId, o1ch2], receivedFrom: m[1]!.receivedAt, receivedBefore: m[m.length - 2]!.receivedAt } },
    ];
  };
  const covered = (scope: Partial<GrantScope>, m: { channelId: string; messageType: string; receivedAt: string }) =>
    (!scope.channelIds || scope.channelIds.includes(m.channelId)) && (!scope.messageTypes || scope.messageTypes.includes(m.messageType))
    && (!scope.receivedFrom || m.receivedAt >= scope.receivedFrom) && (!scope.receivedBefore || m.receivedAt < scope.receivedBefore);

  it('0 successes outside an active grant; every covered message readable through list, get and export by each credential that may read', async () => {
    let outside = 0;
    let inScopeReads = 0;
    let expectedInScope = 0;
    const failures: string[] = [];
    for (const grantOwner of [o1, o2]) {
      for (const st of STATES) {
        for (const sc of SCOPES(grantOwner)) {
          const g = await putGrant(s.store, grantOwner, c1.companyId, st.state, { ...sc.scope, ...st.validity });
          for (const cred of creds) {
            // The index: the grant (and only it) listed for the grantee while it gives a scope; refused credentials refused.
            const index = await call(cred, '/vault/v1/shared');
            if (cred.refusal) {
              if (index.code !== cred.refusal) failures.push(`${st.name} / ${sc.name} / ${cred.name}: index ${index.status} ${index.code}`);
            } else {
              const owners = index.status === 200 ? JSON.parse(index.text).owners : undefined;
              const want = st.gives && cred.consumer === 'C1' ? [{ companyId: grantOwner.companyId, grantIds: [g.id] }] : [];
              const got = owners?.map((o: any) => ({ companyId: o.companyId, grantIds: o.grants.map((x: any) => x.grantId) }));
              if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${st.name} / ${sc.name} / ${cred.name}: index ${index.text}`);
              if (got && want.length === 0) outside += got.length;
            }
            for (const reading of [o1, o2]) {
              const all = msgs.get(reading.companyId)!;
              const gives = st.gives && cred.consumer === 'C1' && !cred.refusal && reading === grantOwner;
              const expected = gives ? all.filter((m) => covered(sc.scope, m)) : [];
              const refusal = cred.refusal ?? 'GRANT_REQUIRED';
              const where = `${st.name} / ${sc.name} / ${cred.name} / grant of ${grantOwner === o1 ? 'O1' : 'O2'} / reading ${reading === o1 ? 'O1' : 'O2'}`;
              const base = `/vault/v1/shared/${reading.companyId}`;
              expectedInScope += expected.length * 3;

              // list, in pages of 2
              const listed: string[] = [];
              let cursor: string | null = null;
              for (let page = 0; page < 20; page++) {
                const r = await call(cred, `${base}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
                if (r.status !== 200) {
                  if (gives || r.code !== refusal) failures.push(`${where}: list ${r.status} ${r.code}`);
                  break;
                }
                if (!gives) outside++;
                const body = JSON.parse(r.text);
                listed.push(...body.items.map((m: any) => m.messageId));
                cursor = body.nextCursor;
                if (!cursor) break;
              }
              for (const id of listed) if (!expected.some((m) => m.messageId === id)) outside++;
              if (gives) {
                inScopeReads += listed.filter((id) => expected.some((m) => m.messageId === id)).length;
                if (JSON.stringify(listed) !== JSON.stringify(expected.map((m) => m.messageId))) failures.push(`${where}: listed ${listed.length}, expected ${expected.length}`);
              }

              // get every message of both owners through this owner's path (refused readers: one of each owner's)
              const both = [...msgs.get(o1.companyId)!, ...msgs.get(o2.companyId)!];
              for (const m of gives ? both : [msgs.get(o1.companyId)![0]!, msgs.get(o2.companyId)![3]!]) {
                const inScope = expected.some((e) => e.messageId === m.messageId);
                const r = await call(cred, `${base}/messages/${m.messageId}`);
                if (r.status === 200) {
                  if (!inScope) outside++;
                  else if (r.text !== m.body || r.header('x-grant-id') !== g.id) failures.push(`${where}: get ${m.messageId} bytes or grant`);
                  else inScopeReads++;
                } else {
                  const want = gives ? 'NOT_FOUND' : refusal;
                  if (inScope || r.code !== want) failures.push(`${where}: get ${m.messageId} ${r.status} ${r.code} (want ${inScope ? 200 : want})`);
                }
              }

              // export
              const r = await call(cred, `${base}/export`);
              if (r.status === 200) {
                const lines = r.text.trim().split('\n').map((l) => JSON.parse(l));
                const ids = lines.slice(0, -1).map((l) => l.messageId as string);
                for (const id of ids) if (!expected.some((m) => m.messageId === id)) outside++;
                if (!gives) outside++;
                else {
                  inScopeReads += ids.filter((id) => expected.some((m) => m.messageId === id)).length;
                  if (JSON.stringify(ids) !== JSON.stringify(expected.map((m) => m.messageId)) || !lines.at(-1).complete) failures.push(`${where}: export`);
                }
              } else if (gives || r.code !== refusal) failures.push(`${where}: export ${r.status} ${r.code}`);
            }
          }
          if (g.state === 'active') await revokeGrant(s.store, g);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(outside).toBe(0);
    expect(inScopeReads).toBe(expectedInScope);
    expect(expectedInScope).toBeGreaterThan(0);
  }, 300_000);

  const ids = (xs: Array<{ messageId: string }>) => xs.map((m) => m.messageId);
  const listAll = async (cred: Cred, owner: Tenant, limit: number, query = ''): Promise<string[]> => {
    const out: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const r = await call(cred, `/vault/v1/shared/${owner.companyId}/messages?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status, r.text).toBe(200);
      const body = JSON.parse(r.text);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      out.push(...ids(body.items));
      cursor = body.nextCursor;
      if (!cursor) return out;
    }
  };

  it('several grants of one owner combine: each covered message once, in position order, on every page size; filters narrow within them', async () => {
    const all = msgs.get(o1.companyId)!;
    const g1 = await putGrant(s.store, o1, c1.companyId, 'active', { channelIds: [o1ch2] });
    const g2 = await putGrant(s.store, o1, c1.companyId, 'active', { messageTypes: ['Invoice'] });
    const g3 = await putGrant(s.store, o1, c1.companyId, 'active', { channelIds: [o1.channelId], receivedFrom: all[1]!.receivedAt, receivedBefore: all[5]!.receivedAt });
    const scopes = [g1, g2, g3].map((g) => g.terms);
    const expected = all.filter((m) => scopes.some((sc) => covered(sc, m)));
    expect(expected.length).toBeGreaterThan(4);
    expect(expected.length).toBeLessThan(all.length);
    for (const cred of creds.slice(0, 2)) {
      for (const limit of [1, 2, 3, 5, 100]) expect(await listAll(cred, o1, limit)).toEqual(ids(expected));
      expect(await listAll(cred, o1, 2, '&messageType=TransportOrder')).toEqual(ids(expected.filter((m) => m.messageType === 'TransportOrder')));
      expect(await listAll(cred, o1, 2, `&channelId=${o1.channelId}`)).toEqual(ids(expected.filter((m) => m.channelId === o1.channelId)));
      expect(await listAll(cred, o1, 1, `&from=${encodeURIComponent(all[2]!.receivedAt)}`)).toEqual(ids(expected.filter((m) => m.receivedAt >= all[2]!.receivedAt)));
      const exp = await call(cred, `/vault/v1/shared/${o1.companyId}/export`);
      const lines = exp.text.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.slice(0, -1).map((l) => l.messageId)).toEqual(ids(expected));
      expect(lines.at(-1)).toEqual({ complete: true, count: expected.length });
      // A message two grants cover names the older one.
      const both = expected.find((m) => covered(g2.terms, m) && covered(g3.terms, m))!;
      expect((await call(cred, `/vault/v1/shared/${o1.companyId}/messages/${both.messageId}`)).header('x-grant-id')).toBe(g2.id);
    }
    const listed = await call(creds[0]!, '/vault/v1/shared');
    expect(JSON.parse(listed.text)).toEqual({
      owners: [{ companyId: o1.companyId, name: `Company ${o1.businessId}`, businessId: o1.businessId, grants: [g1, g2, g3].map((g) => ({
        grantId: g.id, channelIds: g.terms.channelIds, messageTypes: g.terms.messageTypes, receivedFrom: g.terms.receivedFrom, receivedBefore: g.terms.receivedBefore,
      })) }],
    });
    for (const g of [g1, g2, g3]) await revokeGrant(s.store, g);
    // Revocation takes effect at the next request.
    expect((await call(creds[0]!, `/vault/v1/shared/${o1.companyId}/messages`)).code).toBe('GRANT_REQUIRED');
    expect(JSON.parse((await call(creds[1]!, '/vault/v1/shared')).text)).toEqual({ owners: [] });
  });

  it('a message outside every grant answers exactly as one that does not exist (no existence oracle); GRANT_REQUIRED has a remedy', async () => {
    const g = await putGrant(s.store, o1, c1.companyId, 'active', { channelIds: [o1.channelId] });
    const outside = msgs.get(o1.companyId)!.find((m) => m.channelId === o1ch2)!.messageId;
    const foreign = msgs.get(o2.companyId)![0]!.messageId;
    const none = `msg_test_${'0'.repeat(26)}`;
    for (const cred of creds.slice(0, 2)) {
      const answers = await Promise.all([outside, foreign, none].map(async (id) => {
        const r = await call(cred, `/vault/v1/shared/${o1.companyId}/messages/${id}`);
        const { requestId: _r, ...rest } = JSON.parse(r.text);
        return { status: r.status, ...rest, detail: String(rest.detail).replace(id, '<id>') };
      }));
      expect(answers[0]).toMatchObject({ code: 'NOT_FOUND' }); // 404 by bearer; a MAC answer's status follows its Netvisor family
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    }
    // A cursor the list did not give out: the code and remedy of the owner's own list (CURSOR_INVALID), on list and export.
    for (const path of ['messages?cursor=garbage', 'export?cursor=djEuMA']) {
      const bad = await call(creds[1]!, `/vault/v1/shared/${o1.companyId}/${path}`);
      expect(bad.status, path).toBe(400);
      expect(JSON.parse(bad.text)).toMatchObject({ code: 'CURSOR_INVALID', remedy: expect.stringContaining('nextCursor') });
    }
    // docs/sharing.md: a MAC consumer read takes any active party's partner key; the customer credential decides.
    const otherPartner: Cred = { name: 'C1 customer with O2 partner key', consumer: 'C1', mac: { ...c1.reader, partnerId: o2.reader.partnerId, partnerKey: o2.reader.partnerKey } };
    expect((await call(otherPartner, `/vault/v1/shared/${o1.companyId}/messages`)).status).toBe(200);
    // A bearer token without shared.read is told which role it lacks and how its admin makes a client that has it.
    const missing = JSON.parse((await call(creds[2]!, `/vault/v1/shared/${o1.companyId}/messages`)).text);
    expect(missing).toMatchObject({ code: 'SCOPE_MISSING', remedy: expect.stringContaining('vaultgate org credentials create --kind client --roles vault.read,shared.read') });
    expect(missing.remedy).toContain('scope=ingest, vault.read or shared.read');
    await revokeGrant(s.store, g);
    const refused = JSON.parse((await call(creds[1]!, `/vault/v1/shared/${o1.companyId}/messages`)).text);
    expect(refused).toMatchObject({ status: 403, code: 'GRANT_REQUIRED', remedy: expect.stringContaining('Request a grant') });
    // A shared read never falls back to the reader's own vault: the owner naming itself holds no grant.
    const own: Cred[] = [
      { name: 'MAC vault.read of the owner', consumer: 'C1', mac: o1.reader },
      { name: 'bearer shared.read+vault.read of the owner', consumer: 'C1', token: await companyToken(s, o1.companyId, ['vault.read', 'shared.read']) },
    ];
    for (const cred of own) {
      for (const path of ['messages', `messages/${msgs.get(o1.companyId)![0]!.messageId}`, 'export']) {
        expect((await call(cred, `/vault/v1/shared/${o1.companyId}/${path}`)).code, `${cred.name} ${path}`).toBe('GRANT_REQUIRED');
      }
      expect(JSON.parse((await call(cred, '/vault/v1/shared')).text)).toEqual({ owners: [] });
    }
    // An owner that does not exist, or a malformed id, answers the same: nothing tells which companies exist.
    for (const owner of [`co_test_${'0'.repeat(26)}`, 'not-an-id']) {
      expect((await call(creds[1]!, `/vault/v1/shared/${owner}/messages`)).code).toBe('GRANT_REQUIRED');
    }
  });

  it("the owner sees every consumer read and refusal in its audit trail (/vault/v1/audit), with the grant, counts and message ids; so does the consumer", async () => {
    const g = await putGrant(s.store, o1, c1.companyId, 'active', { messageTypes: ['TransportOrder'] });
    const covers = msgs.get(o1.companyId)!.filter((m) => m.messageType === 'TransportOrder');
    const outside = msgs.get(o1.companyId)!.find((m) => m.messageType === 'Invoice')!;
    const since = new Date().toISOString();
    await call(creds[1]!, `/vault/v1/shared/${o1.companyId}/messages`);
    await call(creds[0]!, `/vault/v1/shared/${o1.companyId}/messages/${covers[0]!.messageId}`);
    await call(creds[0]!, `/vault/v1/shared/${o1.companyId}/messages/${outside.messageId}`);
    await call(creds[1]!, `/vault/v1/shared/${o1.companyId}/export`);
    await call(creds[2]!, `/vault/v1/shared/${o1.companyId}/messages`); // vault.read only: SCOPE_MISSING
    await call(creds[4]!, `/vault/v1/shared/${o1.companyId}/messages`); // another organisation: GRANT_REQUIRED
    await sleep(50); // the export's end is recorded after its last line
    const trail = async (t: Tenant) => {
      const r = await macRequest({ baseUrl: s.url, target: `/vault/v1/audit?action=shared.&from=${encodeURIComponent(since)}&limit=100`, creds: t.reader, useHttpStatusCodes: true, json: true });
      expect(r.status, r.text).toBe(200);
      return r.json().items as any[];
    };
    const events = await trail(o1);
    const by = (action: string, outcome: string) => events.filter((e) => e.action === action && e.outcome === outcome);
    expect(by('shared.list', 'success')[0]).toMatchObject({
      subject: o1.companyId, tenants: expect.arrayContaining([o1.companyId, c1.companyId]),
      details: { grantIds: [g.id], count: covers.length, messageIds: ids(covers) },
    });
    expect(by('shared.get', 'success')[0]).toMatchObject({ subject: covers[0]!.messageId, details: { grantIds: [g.id], messageIds: [covers[0]!.messageId] } });
    expect(by('shared.get', 'refused')[0]).toMatchObject({ subject: outside.messageId, details: { code: 'NOT_FOUND', grantIds: [g.id] } });
    expect(by('shared.export', 'success')[0]).toMatchObject({ details: { grantIds: [g.id] } });
    expect(by('shared.export.end', 'success')[0]).toMatchObject({ details: { complete: true, count: covers.length, lastMessageId: covers.at(-1)!.messageId } });
    expect(by('shared.access', 'refused')[0]).toMatchObject({ details: { code: 'SCOPE_MISSING' }, tenants: expect.arrayContaining([o1.companyId, c1.companyId]) });
    expect(by('shared.list', 'refused')[0]).toMatchObject({ details: { code: 'GRANT_REQUIRED' }, tenants: expect.arrayContaining([o1.companyId, c2.companyId]) });
    const mine = await trail(c1);
    expect(mine.filter((e) => e.outcome === 'success').map((e) => e.action).sort()).toEqual(['shared.export', 'shared.export.end', 'shared.get', 'shared.list']);
    // Another owner's trail has none of it.
    expect(await trail(o2)).toEqual([]);
    await revokeGrant(s.store, g);
  });

  it('a vendor-only organisation reads what is shared with it through a party client with shared.read', async () => {
    const reg = await fetch(`${s.url}/api/v1/registrations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'party', organisationName: 'Huolinta Oy', email: 'huolinta@example.com', displayName: 'H', password: 'pitkä salasana huolinnalle' }),
    }).then((r) => r.json() as Promise<any>);
    const approved = await fetch(`${s.url}/api/v1/admin/registrations/${reg.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${'s'.repeat(40)}` } }).then((r) => r.json() as Promise<any>);
    const partyId = approved.organisationId as string;
    expect(partyId).toMatch(/^tp_test_/);
    const client = await s.admin('POST', `/parties/${partyId}/clients`, { name: 'reader', roles: ['shared.read'] });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    const token = (await import('./helpers/oauth.js')).fetchToken(s.url, client.body.clientId, client.body.clientSecret);
    const vendor: Cred = { name: 'vendor', consumer: 'C2', token: await token };
    expect((await call(vendor, `/vault/v1/shared/${o2.companyId}/messages`)).code).toBe('GRANT_REQUIRED');
    const g = await putGrant(s.store, o2, partyId, 'active', { messageTypes: ['Invoice'] });
    expect(await listAll(vendor, o2, 10)).toEqual(ids(msgs.get(o2.companyId)!.filter((m) => m.messageType === 'Invoice')));
    await revokeGrant(s.store, g);
    expect((await call(vendor, `/vault/v1/shared/${o2.companyId}/messages`)).code).toBe('GRANT_REQUIRED');
  });

  it("people's reads and refusals are in both trails with the actor {kind:'user'}; several grants combine for them as for clients", async () => {
    const viewer = creds.find((c) => c.name.startsWith('person: viewer of the consumer'))!;
    const pat = creds.find((c) => c.name.startsWith('person: personal API token (admin)'))!;
    const outsider = creds.find((c) => c.name === 'person of another organisation naming the consumer')!;
    const g1 = await putGrant(s.store, o1, c1.companyId, 'active', { channelIds: [o1ch2] });
    const g2 = await putGrant(s.store, o1, c1.companyId, 'active', { messageTypes: ['Invoice'] });
    const expected = msgs.get(o1.companyId)!.filter((m) => [g1, g2].some((g) => covered(g.terms, m)));
    for (const cred of [viewer, pat]) for (const limit of [1, 3, 100]) expect(await listAll(cred, o1, limit)).toEqual(ids(expected));
    const since = new Date().toISOString();
    expect((await call(viewer, `/vault/v1/shared/${o1.companyId}/messages/${expected[0]!.messageId}`)).status).toBe(200);
    expect((await call(outsider, `/vault/v1/shared/${o1.companyId}/messages`)).code).toBe('ACCOUNT_FORBIDDEN');
    const trail = async (t: Tenant) => {
      const r = await macRequest({ baseUrl: s.url, target: `/vault/v1/audit?action=shared.&from=${encodeURIComponent(since)}&limit=100`, creds: t.reader, useHttpStatusCodes: true, json: true });
      expect(r.status, r.text).toBe(200);
      return r.json().items as any[];
    };
    for (const t of [o1, c1]) {
      const events = await trail(t);
      expect(events.find((e) => e.action === 'shared.get' && e.outcome === 'success')).toMatchObject({ actor: { kind: 'user', id: expect.stringMatching(/^usr_test_/) }, details: { messageIds: [expected[0]!.messageId] } });
      expect(events.find((e) => e.action === 'shared.access' && e.outcome === 'refused')).toMatchObject({
        actor: { kind: 'user' }, tenants: expect.arrayContaining([c1.companyId, o1.companyId]), details: { code: 'ACCOUNT_FORBIDDEN', method: 'GET' },
      });
    }
    for (const g of [g1, g2]) await revokeGrant(s.store, g);
    expect((await call(pat, `/vault/v1/shared/${o1.companyId}/messages`)).code).toBe('GRANT_REQUIRED');
  });
});
