/**
 * Helpers for tests that run `vaultgate serve` as real child processes: bookkeeping for cleanup, signed headers
 * for hand-written requests, a request that reports its status the instant the response head arrives, the CLI
 * run to completion, and small waiting/socket utilities.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { buildMacHeaders, computeMac, formatMacTimestamp } from '../../src/protocol/index.js';
import type { MacCredentials } from './mac-request.js';
import { adminCall, CLI, spawnServer, tempDir, type ServerProcess } from './servers.js';

export type AdminFn = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** Tracks the temp dirs and server processes a test file creates; `cleanup()` kills and removes all of them. */
export class ProcessPool {
  private readonly dirs: string[] = [];
  private readonly procs: ServerProcess[] = [];

  dir(prefix = 'vg-'): string {
    const d = tempDir(prefix);
    this.dirs.push(d);
    return d;
  }

  async spawn(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
    const p = await spawnServer(env, args);
    this.procs.push(p);
    return p;
  }

  async cleanup(): Promise<void> {
    for (const p of this.procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => p.exited));
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The admin API of a spawned server, authenticated with the token it generated into `<dataDir>/admin-token`. */
export function adminOf(url: string, dataDir: string): AdminFn {
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return (method, path, body) => adminCall(url, token, method, path, body);
}

/** The X-Netvisor-Authentication-* headers a conforming client sends for `baseUrl + target` (plus JSON accept). */
export function signedHeaders(o: {
  baseUrl: string;
  target: string;
  creds: MacCredentials;
  transactionId?: string;
  timestampMs?: number;
}): Record<string, string> {
  const now = o.timestampMs ?? Date.now();
  const input = {
    url: o.baseUrl + decodeURIComponent(o.target), sender: 'Vaultgate tests', customerId: o.creds.customerId,
    timestamp: formatMacTimestamp(now), language: 'EN', organisationId: o.creds.organisationId,
    transactionId: o.transactionId ?? randomUUID(), timestampUnix: String(Math.floor(now / 1000)),
    customerKey: o.creds.customerKey, partnerKey: o.creds.partnerKey,
  };
  return {
    ...buildMacHeaders(input, { partnerId: o.creds.partnerId, algorithm: 'SHA256', mac: computeMac(input, 'SHA256'), useHttpStatusCodes: true }),
    accept: 'application/json',
  };
}

/** Runs the built CLI to completion with exactly `env` (plus PATH), `input` on stdin; never throws on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 15_000, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null | undefined) ?? null : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the exit code, or 'timeout' if the process is still running after `ms`. */
export function exitWithin(p: ServerProcess, ms: number): Promise<number | null | 'timeout'> {
  return Promise.race([p.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

/** Whether a new TCP connection to the URL's host and port is refused (or otherwise fails). */
export function connectionRefused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const c = connect(Number(u.port), u.hostname);
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', () => resolve(true));
  });
}

/** The JSON-lines log of a spawned server, every line parsed (throws, naming the line, if one is not JSON). */
export function logLines(p: ServerProcess): Record<string, any>[] {
  return p.logs().split('\n').filter((l) => l.length > 0).map((l) => {
    try {
      return JSON.parse(l) as Record<string, any>;
    } catch {
      throw new Error(`log line is not JSON: ${l}`);
    }
  });
}
