import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/protocol/index.js';
import { apiCall, registerOrganisation, type TestOrganisation } from '../helpers/organisations.js';
import { startTestServer, type TestServer } from '../helpers/servers.js';

/*
 * PATCH /api/v1/me (issue 16: the web portal's profile): a signed-in user changes their own display name and language,
 * audited as user.profile-update; bad input is a coded 400; a personal API token may not change the account.
 */

describe('PATCH /api/v1/me', () => {
  let s: TestServer;
  let org: TestOrganisation;
  let session: string;
  beforeAll(async () => {
    s = await startTestServer();
    org = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email: 'profiili@yritys.test', businessId: '1967543-8' });
    session = (await apiCall(s.url, 'POST', '/session', undefined, { email: org.email, password: org.password, tokenInBody: true })).body.sessionToken;
  });
  afterAll(async () => s.stop());

  it('changes the name and the language; /me shows them; the change is audited without other fields', async () => {
    const r = await apiCall(s.url, 'PATCH', '/me', session, { displayName: '  Aino Virtanen ', language: 'fi' });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ email: org.email, displayName: 'Aino Virtanen', language: 'fi' });
    expect((await apiCall(s.url, 'GET', '/me', session)).body.user).toMatchObject({ displayName: 'Aino Virtanen', language: 'fi' });
    expect((await apiCall(s.url, 'PATCH', '/me', session, { language: 'sv' })).body).toMatchObject({ displayName: 'Aino Virtanen', language: 'sv' });
    const audit = (await s.admin('GET', '/audit?limit=1000')).body.items as AuditRecord[];
    const updates = audit.filter((e) => e.action === 'user.profile-update');
    expect(updates.map((e) => e.details)).toEqual([{ changed: ['displayName', 'language'] }, { changed: ['language'] }]);
    expect(updates[0]).toMatchObject({ actor: { kind: 'user', id: org.userId }, subject: org.userId, outcome: 'success' });
  });

  it('refuses bad input (INVALID_REQUEST), an API token (API_TOKEN_NOT_FOR_ACCOUNT) and no session (SESSION_REQUIRED)', async () => {
    for (const body of [{}, { language: 'de' }, { displayName: '' }, { displayName: '   ' }, { email: 'other@x.test' }]) {
      const r = await apiCall(s.url, 'PATCH', '/me', session, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('INVALID_REQUEST');
    }
    expect((await apiCall(s.url, 'PATCH', '/me', org.admin, { language: 'en' })).body.code).toBe('API_TOKEN_NOT_FOR_ACCOUNT');
    expect((await apiCall(s.url, 'PATCH', '/me', undefined, { language: 'en' })).body.code).toBe('SESSION_REQUIRED');
    expect((await apiCall(s.url, 'GET', '/me', session)).body.user.language).toBe('sv');
  });
});
