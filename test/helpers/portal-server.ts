import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'otpauth';
import { systemClock } from '../../src/protocol/index.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/load-config.js';
import { Keyring } from '../../src/server/crypto/keyring.js';
import { VaultCrypto } from '../../src/server/crypto/vault-crypto.js';
import { openSqliteKeyStore, openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { apiCall } from './organisations.js';
import { NO_THROTTLE, tempDir } from './servers.js';

/*
 * The server the portal's browser tests talk to: the real app on SQLite, listening on 127.0.0.1, addressed (and
 * configured: OpenID redirect URIs, links) as http://localhost:<port> — the session cookie is `__Host-` and Secure,
 * which a browser keeps over plain HTTP only for localhost. Serves the built portal (dist/portal: run npm run build).
 */

export const PORTAL_ADMIN_TOKEN = 'p'.repeat(40);

export interface PortalServer { built: BuiltApp; store: SqliteStore; url: string; origin: string; close(): Promise<void> }

/**
 * `publicHost`: the host name of the server's public URL (the channels' `url`, the MAC's signed URL) when it should
 * differ from the `localhost` the browser opens (e.g. `127.0.0.1`, as a default start derives it).
 */
export async function startPortalServer(env: Record<string, string> = {}, o: { publicHost?: string } = {}): Promise<PortalServer> {
  const dir = tempDir('vg-portal-');
  const store = openSqliteStore({ file: join(dir, 'db.sqlite') });
  let url = '';
  const built = await buildApp({
    config: loadConfig({ env: { VAULTGATE_DATA_DIR: dir, VAULTGATE_REGISTRATION_AUTO_APPROVE: 'false', ...NO_THROTTLE, ...env } }), store,
    publicBaseUrl: () => (o.publicHost ? url.replace('//localhost:', `//${o.publicHost}:`) : url),
    crypto: new VaultCrypto(openSqliteKeyStore({ file: ':memory:' }), new Keyring({ id: 'kek_test', key: Buffer.alloc(32, 9) }, [], undefined), systemClock, 'test'),
    adminToken: PORTAL_ADMIN_TOKEN,
  });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://localhost:${(built.app.server.address() as { port: number }).port}`;
  return {
    built, store, url, origin: url,
    close: async () => {
      await built.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TOTP code of an otpauth:// URI (what an authenticator app shows), `stepsAhead` 30-second steps from now: the
 * server accepts one step either side and each step once, so a second sign-in soon after enrolment uses the next.
 */
export const totpCode = (otpauthUri: string, stepsAhead = 0): string => URI.parse(otpauthUri).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

/**
 * Enrols TOTP for a user through the API (a session of its own, then POST /me/totp and /me/totp/confirm); returns
 * the otpauth URI so the test can make codes.
 */
export async function enrolTotp(baseUrl: string, email: string, password: string): Promise<string> {
  const session = (await apiCall(baseUrl, 'POST', '/session', undefined, { email, password, tokenInBody: true })).body.sessionToken as string;
  const started = await apiCall(baseUrl, 'POST', '/me/totp', session, {});
  if (started.status !== 201) throw new Error(`totp: ${JSON.stringify(started.body)}`);
  const confirmed = await apiCall(baseUrl, 'POST', '/me/totp/confirm', session, { code: totpCode(started.body.otpauthUri) });
  if (confirmed.status !== 200) throw new Error(`totp confirm: ${JSON.stringify(confirmed.body)}`);
  await apiCall(baseUrl, 'DELETE', '/session', session);
  return started.body.otpauthUri as string;
}
