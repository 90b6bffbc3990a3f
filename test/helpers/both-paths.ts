import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type Store } from '../../src/store/index.js';
import type { RawResponse } from './mac-request.js';
import { tempDir } from './servers.js';

/**
 * The app listening on a socket (where POST /ingestion/{channelId} takes the lean node:http path) and reachable by
 * fastify.inject() (which always takes the Fastify route), over one store: for tests that both paths answer alike.
 */
export interface BothPaths {
  built: BuiltApp;
  /** The socket's base URL (also the public base URL clients sign). */
  url: string;
  adminToken: string;
  /** The admin API through inject, in createTenant's shape. */
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A request through inject (the Fastify route), answered in RawResponse's shape. */
  inject(o: { method?: 'GET' | 'POST'; url: string; headers: Record<string, string>; body?: string }): Promise<RawResponse>;
  close(): Promise<void>;
}

/** `env`: further configuration (e.g. VAULTGATE_RATE_LIMIT_*). */
export async function startBothPaths(env: Record<string, string> = {}): Promise<BothPaths> {
  const dir = tempDir();
  const adminToken = 'a'.repeat(40);
  const store: Store = openSqliteStore({ file: join(dir, 'db.sqlite') });
  let url = '';
  const built = await buildApp({
    config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir, VAULTGATE_PORT: '0', ...env } }), store, adminToken, publicBaseUrl: () => url,
    crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 1) }, [], undefined), systemClock, 'test'),
  });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const address = built.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    built, url, adminToken,
    admin: async (method, path, body) => {
      const res = await built.app.inject({ method, url: `/admin/v1${path}`, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    },
    inject: async (o) => {
      const res = await built.app.inject({ method: o.method ?? 'POST', url: o.url, headers: o.headers, ...(o.body === undefined ? {} : { payload: o.body }) });
      return { status: res.statusCode, headers: res.headers as RawResponse['headers'], body: res.rawPayload, text: res.body, json: () => res.json() };
    },
    close: async () => {
      await built.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
