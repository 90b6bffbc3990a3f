import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { apiCall, registerOrganisation, type Answer, type TestOrganisation } from '../helpers/organisations.js';
import { businessIds, startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * The directory (issue 16) on a real socket: an organisation is not listed until its admin lists it (privacy by
 * default); a person of any organisation finds listed ones by a part of the name, an unlisted company never by name but
 * always by its exact business id, a suspended organisation never; entries show name, business id, description and
 * kinds only.
 */
describe('directory of organisations', () => {
  let s: TestServer;
  let searcher: TestOrganisation;
  let listed: TestOrganisation;
  let unlisted: TestOrganisation;
  let vendor: TestOrganisation;
  let suspended: TestOrganisation;
  const ids = businessIds(4710000, 4);
  const api = (method: string, path: string, bearer?: string, body?: unknown): Promise<Answer> => apiCall(s.url, method, path, bearer, body);
  const search = async (q: string, bearer = searcher.viewer, extra = ''): Promise<any> => {
    const r = await api('GET', `/directory?q=${encodeURIComponent(q)}${extra}`, bearer);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const names = async (q: string): Promise<string[]> => (await search(q)).items.map((i: any) => i.name);

  beforeAll(async () => {
    s = await startTestServer();
    searcher = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'etsija@directory.test', businessId: ids[0]!, name: 'Etsijä Oy' });
    listed = await registerOrganisation(s.url, s.adminToken, { kind: 'both', email: 'admin@rahti.test', businessId: ids[1]!, name: 'Pohjolan Rahti Oy' });
    unlisted = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'admin@salainen.test', businessId: ids[2]!, name: 'Salainen Rahti Ab' });
    vendor = await registerOrganisation(s.url, s.adminToken, { kind: 'party', email: 'admin@ohjelmisto.test', name: 'RAHTIOHJELMISTO Oy' });
    suspended = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'admin@keskeytetty.test', businessId: ids[3]!, name: 'Keskeytetty Rahti Oy' });
  });
  afterAll(() => s?.stop());

  it('is private by default; an admin lists the organisation with a description (audited), members read the listing', async () => {
    expect(await names('rahti')).toEqual([]);
    const before = await api('GET', `/organisations/${listed.orgId}/directory-listing`, listed.viewer);
    expect(before.body).toEqual({ organisationId: listed.orgId, listed: false, description: '', updatedAt: null });
    const set = await api('PUT', `/organisations/${listed.orgId}/directory-listing`, listed.admin, { listed: true, description: 'Rahtia Pohjolaan, EDI-sanomat.' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ organisationId: listed.orgId, listed: true, description: 'Rahtia Pohjolaan, EDI-sanomat.' });
    expect(set.headers.get('cache-control')).toBe('no-store');
    for (const o of [vendor, suspended]) expect((await api('PUT', `/organisations/${o.orgId}/directory-listing`, o.admin, { listed: true })).status).toBe(200);
    // Unlisted, with words it does not want shown.
    expect((await api('PUT', `/organisations/${unlisted.orgId}/directory-listing`, unlisted.admin, { listed: false, description: 'ei julkinen' })).status).toBe(200);
    expect((await api('GET', `/organisations/${listed.orgId}/directory-listing`, listed.viewer)).body).toMatchObject({ listed: true, description: 'Rahtia Pohjolaan, EDI-sanomat.' });
    // A member may not change it; the description keeps to 280 characters.
    expect((await api('PUT', `/organisations/${listed.orgId}/directory-listing`, listed.member, { listed: false })).body.code).toBe('ACCOUNT_FORBIDDEN');
    const long = await api('PUT', `/organisations/${listed.orgId}/directory-listing`, listed.admin, { listed: true, description: 'x'.repeat(281) });
    expect(long.status).toBe(400);
    expect(long.body.code).toBe('INVALID_REQUEST');
    const audit = await api('GET', `/organisations/${listed.orgId}/audit?limit=1000`, listed.admin);
    expect((audit.body.items as AuditRecord[]).filter((e) => e.action === 'organisation.directory-listing').map((e) => e.details)).toEqual([{ listed: true, description: 'Rahtia Pohjolaan, EDI-sanomat.' }]);
  });

  it('finds listed organisations by a part of the name in any case, an unlisted company only by its exact business id, a suspended one never', async () => {
    const found = await search('RAHTI');
    expect(found.items).toEqual([
      { organisationId: listed.orgId, name: 'Pohjolan Rahti Oy', businessId: ids[1], description: 'Rahtia Pohjolaan, EDI-sanomat.', kinds: ['company', 'vendor'] },
      { organisationId: vendor.orgId, name: 'RAHTIOHJELMISTO Oy', businessId: null, description: '', kinds: ['vendor'] },
      { organisationId: suspended.orgId, name: 'Keskeytetty Rahti Oy', businessId: ids[3], description: '', kinds: ['company'] },
    ]);
    expect(found.nextCursor).toBeNull();
    // Unlisted: never by name (nor by its private words) …
    expect(await names('salainen')).toEqual([]);
    expect(await names('ei julkinen')).toEqual([]);
    // … always by its business id, without its description.
    expect((await search(ids[2]!)).items).toEqual([{ organisationId: unlisted.orgId, name: 'Salainen Rahti Ab', businessId: ids[2], description: '', kinds: ['company'] }]);
    expect((await search(` ${ids[1]!} `)).items.map((i: any) => i.organisationId)).toEqual([listed.orgId]);

    const suspend = await api('POST', `/admin/organisations/${suspended.orgId}/suspend`, s.adminToken);
    expect(suspend.status, JSON.stringify(suspend.body)).toBe(200);
    expect(await names('rahti')).toEqual(['Pohjolan Rahti Oy', 'RAHTIOHJELMISTO Oy']);
    expect((await search(ids[3]!)).items).toEqual([]);
  });

  it('pages like the other lists, refuses a bad cursor, and answers only signed-in people', async () => {
    const first = await search('', searcher.member, '&limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await search('', searcher.member, `&limit=1&cursor=${first.nextCursor}`);
    expect(second.items[0].organisationId).not.toBe(first.items[0].organisationId);
    const bad = await api('GET', '/directory?cursor=bm90LWEtY3Vyc29y', searcher.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('CURSOR_INVALID');
    const anonymous = await api('GET', '/directory?q=rahti');
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain('Rahti');
    // Entries carry nothing but these fields (no members, no ids of people).
    for (const item of (await search('')).items) expect(Object.keys(item).sort()).toEqual(['businessId', 'description', 'kinds', 'name', 'organisationId']);
  });
});
