import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finnishCheckDigit } from '../../src/protocol/index.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import type { MacCredentials } from './mac-request.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'dist/cli/main.js');

export function tempDir(prefix = 'vg-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestServer extends RunningServer {
  dataDir: string;
  adminToken: string;
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * Test servers do not throttle failed authentication, nor limit ingestion, unless a test asks for it (test/e2e/auth-throttle.test.ts):
 * the suites send many refusals from one address on purpose, faster than any default limit allows.
 */
export const NO_THROTTLE = {
  VAULTGATE_AUTH_THROTTLE_CREDENTIAL_FAILURES: '0', VAULTGATE_AUTH_THROTTLE_ADDRESS_FAILURES: '0',
  // Nor do they limit ingestion (issue 17 §3) unless a test asks for it (test/e2e/rate-limits*.test.ts).
  VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '0', VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: '0',
};

/** The real server in this process, on a free port, in a fresh data directory. */
export async function startTestServer(env: Record<string, string> = {}, dataDir = tempDir()): Promise<TestServer> {
  const running = await startServer({
    env: { VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_LOG_LEVEL: 'silent', ...NO_THROTTLE, ...env },
  });
  const adminToken = env.VAULTGATE_ADMIN_TOKEN ?? readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    ...running,
    dataDir,
    adminToken,
    admin: (method, path, body) => adminCall(running.url, adminToken, method, path, body),
    stop: async () => {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An admin API call; `headers` are added (e.g. X-Forwarded-Proto: https as a TLS-terminating proxy sends it). */
export async function adminCall(
  baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface Tenant {
  companyId: string;
  businessId: string;
  partyId: string;
  channelId: string;
  channelUrl: string;
  /** Sender credentials: the party's partner key + the company's ingest customer credential. */
  sender: MacCredentials;
  /** Reader credentials: the same partner + a vault.read customer credential. */
  reader: MacCredentials;
}

/** Registers a company, a party, their credentials and a channel, through the admin API. */
export async function createTenant(
  call: (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: any }>,
  o: { businessId?: string; messageTypes?: { name: string; mediaTypes: string[] }[] } = {},
): Promise<Tenant> {
  const businessId = o.businessId ?? '1967543-8';
  const company = await call('POST', '/companies', { name: `Company ${businessId}`, businessId });
  if (company.status !== 201) throw new Error(`company: ${JSON.stringify(company.body)}`);
  const party = await call('POST', '/parties', { name: 'Vendor Oy' });
  const partner = await call('POST', `/parties/${party.body.id}/partner-credentials`);
  const ingest = await call('POST', `/companies/${company.body.id}/customer-credentials`, { name: 'integration', scopes: ['ingest'] });
  const read = await call('POST', `/companies/${company.body.id}/customer-credentials`, { name: 'reader', scopes: ['vault.read'] });
  const channel = await call('POST', '/channels', {
    companyId: company.body.id,
    partyId: party.body.id,
    messageTypes: o.messageTypes ?? [{ name: 'TransportOrder', mediaTypes: ['application/json', 'application/xml'] }],
  });
  if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
  const base = { partnerId: partner.body.partnerId, partnerKey: partner.body.partnerKey, organisationId: businessId };
  return {
    companyId: company.body.id,
    businessId,
    partyId: party.body.id,
    channelId: channel.body.id,
    channelUrl: channel.body.url,
    sender: { ...base, customerId: ingest.body.customerId, customerKey: ingest.body.customerKey },
    reader: { ...base, customerId: read.body.customerId, customerKey: read.body.customerKey },
  };
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  logs: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `vaultgate serve` as a child process (the built CLI); resolves once it listens. */
export function spawnServer(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { PATH: process.env.PATH ?? '', VAULTGATE_PORT: '0', ...NO_THROTTLE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 60_000); // 60 s: under CI load (2 cores, browser tests beside) a PostgreSQL gateway took over 20 s to listen
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /"code":"LISTENING","url":"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, logs: () => out, stderr: () => err, exited });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
}

/** The CLI's environment for MAC credentials (VAULTGATE_PARTNER_ID … VAULTGATE_ORGANISATION_ID). */
export function macCredentialEnv(c: MacCredentials): Record<string, string> {
  return {
    VAULTGATE_PARTNER_ID: c.partnerId, VAULTGATE_PARTNER_KEY: c.partnerKey,
    VAULTGATE_CUSTOMER_ID: c.customerId, VAULTGATE_CUSTOMER_KEY: c.customerKey, VAULTGATE_ORGANISATION_ID: c.organisationId,
  };
}

/** `count` valid Finnish business ids from `start` on (distinct per call site when the ranges differ). */
export function businessIds(start: number, count: number): string[] {
  const out: string[] = [];
  for (let i = start; out.length < count; i++) {
    const seven = String(i).padStart(7, '0');
    const c = finnishCheckDigit(seven);
    if (c !== undefined) out.push(`${seven}-${c}`);
  }
  return out;
}
