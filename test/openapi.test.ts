import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config/load-config.js';
import { Keyring } from '../src/server/crypto/keyring.js';
import { VaultCrypto } from '../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type Store } from '../src/store/index.js';
import { systemClock } from '../src/protocol/index.js';
import { tempDir } from './helpers/servers.js';

describe('GET /openapi.json', () => {
  let built: BuiltApp;
  let store: Store;
  let doc: any;
  const dir = tempDir();
  beforeAll(async () => {
    store = openSqliteStore({ file: join(dir, 'db.sqlite') });
    built = await buildApp({
      config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir } }), store,
      crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 1) }, [], undefined), systemClock, 'test'),
      adminToken: 't'.repeat(40),
    });
    await built.app.ready();
    const res = await built.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await built.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Path parameters as OpenAPI writes them; a wildcard (the portal's /portal/*) as @fastify/swagger does: {*}.
  const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{*}');

  it('documents every registered route', () => {
    expect(built.routes.length).toBeGreaterThan(20);
    const missing = built.routes.filter((r) => !doc.paths?.[toOpenApiPath(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    for (const p of ['/ingestion/{channelId}', '/vault/v1/messages', '/vault/v1/messages/{messageId}', '/vault/v1/feed', '/admin/v1/companies', '/admin/v1/channels', '/admin/v1/parties/{partyId}/partner-credentials', '/admin/v1/companies/{companyId}/customer-credentials', '/healthz', '/readyz']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });

  it('documents the problem body on every error response, and the MAC headers', () => {
    expect(doc.components.schemas.Problem.properties.code.enum).toContain('REQUEST_NOT_UNIQUE');
    for (const r of built.routes) {
      if (r.url === '/healthz' || r.url === '/openapi.json') continue;
      if (r.url === '/readyz') {
        // Readiness has no client error: 200 or 503 STORE_NOT_READY (a problem body).
        expect(JSON.stringify(doc.paths['/readyz'].get.responses['503'])).toContain('Problem');
        continue;
      }
      const op = doc.paths[toOpenApiPath(r.url)][r.method.toLowerCase()];
      const statuses = Object.keys(op.responses);
      expect(statuses, `${r.method} ${r.url}`).toContain('500');
      expect(statuses.some((s) => s.startsWith('4')), `${r.method} ${r.url}`).toBe(true);
      const err = op.responses['500'].content['application/json'].schema;
      expect(JSON.stringify(err), `${r.method} ${r.url}`).toContain('Problem');
    }
    const ingest = doc.paths['/ingestion/{channelId}'].post;
    const headerNames = ingest.parameters.filter((p: any) => p.in === 'header').map((p: any) => p.name.toLowerCase());
    expect(headerNames).toEqual(expect.arrayContaining(['x-netvisor-authentication-mac', 'x-netvisor-authentication-transactionid', 'x-message-type']));
    expect(ingest.requestBody.content['*/*']).toBeDefined();
    expect(ingest.responses['200'].headers.location).toBeDefined();
    expect(ingest.responses['200'].content['application/json'].schema.properties.messageId).toBeDefined();
    const read = doc.paths['/vault/v1/messages/{messageId}'].get;
    expect(read.responses['200'].headers['repr-digest']).toBeDefined();
  });

  it('documents ?messageType= on ingestion, and its conflict with X-Message-Type', () => {
    const params = doc.paths['/ingestion/{channelId}'].post.parameters as { in: string; name: string; description?: string }[];
    expect(params.find((x) => x.in === 'query' && x.name === 'messageType')?.description).toMatch(/MESSAGE_TYPE_CONFLICT/);
  });
});
