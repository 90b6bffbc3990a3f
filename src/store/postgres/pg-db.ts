import pg from 'pg';

/** How to reach one PostgreSQL schema: the adapter's tables live in `schema` (created by the migrations). */
export interface PgConnectionOptions {
  /** postgres://user:password@host:port/database (libpq URL; `sslmode` and the like in the query). */
  url: string;
  /** Schema holding the tables; a plain lower-case identifier. */
  schema: string;
  /** Largest number of connections this process opens. */
  poolSize: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Errors of idle connections (the server went away); without a handler they would crash the process. */
  onError?: (err: Error) => void;
}

export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** SQLSTATEs a transaction may simply be run again after: deadlock detected, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

export function sqlState(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError ? err.code : undefined;
}

/** A unique constraint (by name) was violated. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  return err instanceof pg.DatabaseError && err.code === '23505' && err.constraint === constraint;
}

type Queryable = pg.Pool | pg.PoolClient;
type Params = Record<string, unknown>;

const compiled = new Map<string, { text: string; names: string[] }>();

/**
 * Runs SQL written with `@name` parameters (as the SQLite adapter writes it) by rewriting them to `$n` once per
 * statement text. Every named parameter must be present in `params` (undefined is sent as NULL).
 */
export async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  params: Params = {},
): Promise<pg.QueryResult<R>> {
  let c = compiled.get(sql);
  if (!c) {
    const names: string[] = [];
    const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
      let i = names.indexOf(name);
      if (i === -1) i = names.push(name) - 1;
      return `$${i + 1}`;
    });
    c = { text, names };
    compiled.set(sql, c);
  }
  return db.query<R>(c.text, c.names.map((n) => params[n] ?? null));
}

/**
 * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. A
 * deadlock or serialization failure runs it again (at most `retries` times); `fn` must therefore only touch the
 * database, not the world.
 */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, retries = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (attempt < retries && RETRYABLE.has(sqlState(err) ?? '')) continue;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/*
 * int8 (bigint: seq, counts) arrives as a string by default; every value the port handles fits a safe integer, so
 * parse it, refusing anything that would lose precision rather than rounding it.
 */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} is beyond a safe integer`);
  return n;
});

/**
 * A connection pool whose sessions see only `schema` (search_path) and commit synchronously (a server or role
 * default of synchronous_commit=off would acknowledge commits that a crash can lose).
 */
export function createPool(o: PgConnectionOptions): pg.Pool {
  if (!SCHEMA_NAME.test(o.schema)) throw new Error(`schema name ${JSON.stringify(o.schema)} is not a plain lower-case identifier`);
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize,
    options: `-c search_path=${o.schema} -c synchronous_commit=on`,
    application_name: o.applicationName ?? 'vaultgate',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    types,
  });
  pool.on('error', (err) => o.onError?.(err));
  return pool;
}

/** `host:port/database` of a postgres URL: names the server in messages without the user or password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1))}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Opens a pool and brings or checks its schema; a failure (server unreachable, authentication, schema version)
 * closes the pool and says which server and what was being opened, never the password.
 */
export async function openSchema<T>(o: PgConnectionOptions, what: string, prepare: (pool: pg.Pool) => Promise<T>): Promise<{ pool: pg.Pool; prepared: T }> {
  const pool = createPool(o);
  try {
    return { pool, prepared: await prepare(pool) };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the ${what} (PostgreSQL ${describeTarget(o.url)}, schema ${o.schema}): ${(err as Error).message}`, { cause: err });
  }
}

/** Ends a pool once; later calls resolve at once (the port's close is idempotent). */
export function closer(pool: pg.Pool): () => Promise<void> {
  let ended: Promise<void> | undefined;
  return () => (ended ??= pool.end());
}
