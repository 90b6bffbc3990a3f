// The PostgreSQL store case's database: 127.0.0.1:5432 (PGPORT overrides the port), database `test`, user PGUSER or
// postgres, as the tests use it. The case runs in a fresh schema (and one for the key store) dropped afterwards.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import pg from 'pg';
import { cpuMicros } from './lib.mjs';

export const PG_URL = `postgres://${encodeURIComponent(process.env.PGUSER || 'postgres')}@127.0.0.1:${process.env.PGPORT || '5432'}/test`;

async function withClient(fn) {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why the PostgreSQL case cannot run, or undefined when it can. */
export async function pgUnavailable() {
  try {
    await withClient((c) => c.query('SELECT 1'));
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${PG_URL} did not answer: ${err?.message || String(err)}`;
  }
}

export const benchSchema = () => `vgbench_${randomBytes(5).toString('hex')}`;

export async function dropSchemas(names) {
  await withClient(async (c) => {
    for (const name of names) await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  });
}

/** Local TCP ports of the sockets a process holds (from /proc: its fds' socket inodes, matched in /proc/net/tcp*). */
function localPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set();
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/**
 * The PostgreSQL backend processes serving one gateway process (its pool's connections, found by their client
 * ports), so their CPU time can be counted with the gateway's. Undefined when they cannot be read (PostgreSQL on
 * another host or in a container).
 */
export async function backendsOf(gatewayPid) {
  const ports = localPorts(gatewayPid);
  const rows = await withClient((c) => c.query("SELECT pid, client_port FROM pg_stat_activity WHERE client_addr IS NOT NULL AND client_port > 0"));
  const pids = rows.rows.filter((r) => ports.has(r.client_port)).map((r) => r.pid);
  try {
    for (const p of pids) cpuMicros(p);
  } catch {
    return undefined;
  }
  return pids;
}

/** CPU time (µs) each given backend used so far; one that has ended is left out. */
export function backendsCpu(pids) {
  const out = new Map();
  for (const p of pids) {
    try {
      out.set(p, cpuMicros(p));
    } catch {
      // ended
    }
  }
  return out;
}

/** CPU time (µs) the backends used between two readings of backendsCpu (backends present in both). */
export function backendsCpuDelta(start, end) {
  let sum = 0;
  for (const [p, v] of end) if (start.has(p)) sum += v - start.get(p);
  return sum;
}
