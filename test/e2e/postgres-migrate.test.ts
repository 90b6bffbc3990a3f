import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describePostgres, dropSchemas, PG_URL, pgQuery, uniqueSchema } from '../helpers/postgres.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { PG_STORE_MIGRATIONS } from '../../src/store/postgres/migrations.js';

const PG_VERSIONS = PG_STORE_MIGRATIONS.map((m) => m.version);
const PG_LATEST = PG_VERSIONS.at(-1)!;
import { CLI, spawnServer, tempDir } from '../helpers/servers.js';

const schema = uniqueSchema('mig');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropSchemas([schema, `${schema}_keys`]);
});

const dir = (): string => {
  const d = tempDir('vg-mig-');
  dirs.push(d);
  return d;
};

const pgEnv = (): Record<string, string> => ({
  VAULTGATE_DATABASE_URL: PG_URL, VAULTGATE_DATABASE_SCHEMA: schema, VAULTGATE_KEYSTORE_URL: PG_URL, VAULTGATE_KEYSTORE_SCHEMA: `${schema}_keys`,
  VAULTGATE_MASTER_KEY: randomBytes(32).toString('base64'), VAULTGATE_ADMIN_TOKEN: randomBytes(24).toString('base64url'), VAULTGATE_DATA_DIR: dir(),
});

function migrate(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'migrate', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describePostgres('vaultgate migrate and VAULTGATE_DATABASE_MIGRATE', () => {
  it('refuses to serve an unmigrated database with migrate off, migrates once with `vaultgate migrate`, then serves', async () => {
    const env = { ...pgEnv(), VAULTGATE_DATABASE_MIGRATE: 'false' };
    await expect(spawnServer(env)).rejects.toThrow(new RegExp(`schema vgt_mig_\\w+ is at version 0, this build needs ${PG_LATEST}: run \`vaultgate migrate\``));
    expect(await pgQuery("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).toEqual([]);

    const first = migrate(env);
    expect(first, first.stderr).toMatchObject({ status: 0, stdout: `postgres database: applied ${PG_VERSIONS.join(', ')} (schema version ${PG_LATEST})\npostgres key store: applied 1 (schema version 1)\n` });
    const again = migrate(env, '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ store: 'postgres', database: { applied: [], version: PG_LATEST }, keyStore: { applied: [], version: 1 } });

    const srv = await spawnServer(env);
    const health = await fetch(`${srv.url}/healthz`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', store: 'postgres' });
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
  });

  it('migrates the embedded SQLite files too', () => {
    // The flags of serve work here too.
    const versions = MIGRATIONS.map((m) => m.version);
    expect(migrate({}, '--data-dir', dir()).stdout).toBe(`sqlite database: applied ${versions.join(', ')} (schema version ${versions.at(-1)})\n`);
  });
});

describe('an unreachable PostgreSQL', () => {
  it('stops startup with the server named and no password shown', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const env = { ...pgEnv(), VAULTGATE_DATABASE_URL: 'postgres://vg:hunter2-secret@127.0.0.1:1/vaultgate' };
    const err = await spawnServer(env).then(() => undefined, (e: Error) => e.message);
    expect(err).toMatch(/server exited with 1/);
    expect(err).toMatch(/cannot open the database \(PostgreSQL 127\.0\.0\.1:1\/vaultgate, schema vgt_mig_\w+\): .*ECONNREFUSED/);
    expect(err).not.toContain('hunter2-secret');
  });
});
