import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerRequest, tokenRequest } from '../helpers/oauth.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

/*
 * Issue 11 §1: Entra-configured clients ask for the App ID URI's .default scope (oauth.md): `api://<client_id>/.default`
 * or `<public base URL>/.default`. Both mean every role granted to the client, as `<client_id>/.default` does.
 */
describe('POST /oauth2/token: the .default scope in its App ID URI forms', () => {
  let s: TestServer;
  let t: Tenant;
  let sender: { clientId: string; clientSecret: string };
  let reader: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    s = await startTestServer();
    t = await createTenant(s.admin);
    sender = (await s.admin('POST', `/parties/${t.partyId}/clients`, { name: 'entra-erp' })).body;
    reader = (await s.admin('POST', `/companies/${t.companyId}/clients`, { name: 'entra-bi' })).body;
  });
  afterAll(() => s.stop());

  const ask = (c: { clientId: string; clientSecret: string }, scope: string) =>
    tokenRequest(s.url, { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope });

  it.each([
    ['api://<client_id>/.default', (id: string) => `api://${id}/.default`],
    ['<public base URL>/.default', () => `${s.publicUrl}/.default`],
    ['<client_id>/.default', (id: string) => `${id}/.default`],
  ])('%s gives every granted role, and the token works', async (_label, scopeOf) => {
    const r = await ask(sender, scopeOf(sender.clientId));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', scope: 'ingest' });
    expect(decodeJwt(r.body.access_token)).toMatchObject({ roles: ['ingest'], azp: sender.clientId });
    const sent = await bearerRequest(`${s.url}/ingestion/${t.channelId}`, r.body.access_token, { body: '{"entra":1}', headers: { 'content-type': 'application/json' } });
    expect(sent.status, sent.text).toBe(200);

    const read = await ask(reader, scopeOf(reader.clientId));
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.scope).toBe('vault.read');
  });

  it('refuses another client\'s App ID URI, another host, and a .default mixed with other scopes (invalid_scope)', async () => {
    for (const scope of [
      `api://${reader.clientId}/.default`,
      'api://vaultgate/.default',
      'https://other.example.com/.default',
      `${s.publicUrl}/x/.default`,
      `api://${sender.clientId}/.default ingest`,
      `API://${sender.clientId}/.default`,
    ]) {
      const r = await ask(sender, scope);
      expect(r.status, scope).toBe(400);
      expect(r.body, scope).toMatchObject({ error: 'invalid_scope', code: 'OAUTH_INVALID_SCOPE' });
      expect(r.body.error_description, scope).toMatch(/granted: ingest/);
    }
  });
});
