import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

/*
 * The PostgreSQL the tests use: 127.0.0.1:5432 (PGPORT overrides the port), database `test`, trust authentication,
 * user PGUSER or postgres.
 * Each test run works in schemas of its own (a random prefix) and drops them afterwards. When no PostgreSQL
 * answers, the tests that need it are reported as skipped with the reason, except under CI=true, where that is a
 * failure.
 */
export const PG_USER = process.env.PGUSER || 'postgres';
export const PG_URL = `postgres://${encodeURIComponent(PG_USER)}@127.0.0.1:${process.env.PGPORT || '5432'}/test`;
const REQUIRED = process.env.CI === 'true';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${PG_URL} did not answer: ${(err as Error).message || String(err)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const pgUnavailable: string | undefined = await probe();

/** A schema name no other run uses: `vgt_<prefix>_<random>`. */
export function uniqueSchema(prefix: string): string {
  return `vgt_${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Drops the schemas (and everything in them); unknown names are ignored. */
export async function dropSchemas(names: string[]): Promise<void> {
  if (names.length === 0 || pgUnavailable) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Runs SQL on the test database (inspection from outside the adapter); several statements without parameters
 * run in one session, and the rows of the last one are returned.
 */
export async function pgQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const r = (await client.query<R>(sql, params)) as pg.QueryResult<R> | pg.QueryResult<R>[];
    return Array.isArray(r) ? r[r.length - 1]!.rows : r.rows;
  } finally {
    await client.end();
  }
}

/**
 * `describe` for tests that need PostgreSQL: runs `body` when it answers; otherwise one skipped test that says why
 * (or, under CI=true, one failing test).
 */
export function describePostgres(name: string, body: () => void): void {
  if (!pgUnavailable) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    if (REQUIRED) {
      it('needs PostgreSQL (CI=true)', () => {
        throw new Error(`${pgUnavailable}; PostgreSQL is required under CI=true`);
      });
    } else {
      process.stderr.write(`[skip] ${name}: ${pgUnavailable}\n`);
      it.skip(`skipped: ${pgUnavailable}`, () => undefined);
    }
  });
}
