import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A coded error answered by the server (problem+json). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Record<string, unknown>) {
    super(`${String(problem.code ?? status)}: ${String(problem.title ?? 'request failed')}${problem.detail ? ` (${String(problem.detail)})` : ''}`);
    this.name = 'ApiError';
  }
}

export interface AdminClientOptions {
  url: string;
  token?: string | undefined;
  dataDir?: string | undefined;
  /** Sent as Accept-Language (e.g. `fi`): the language of the error messages (problem+json `title`). */
  acceptLanguage?: string | undefined;
}

/** Finds the operator token: flag/environment first, else the admin-token file the server generated. */
export function resolveToken(o: AdminClientOptions): string {
  if (o.token) return o.token;
  const file = join(o.dataDir ?? './data', 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(`No admin token: set VAULTGATE_ADMIN_TOKEN, pass --token, or run where ${file} exists (--data-dir).`);
}

/** The admin API over HTTP, as the CLI uses it. */
export class AdminClient {
  private readonly base: string;
  private readonly token: string;
  private readonly acceptLanguage: string | undefined;

  constructor(o: AdminClientOptions) {
    this.base = o.url.replace(/\/+$/, '');
    this.token = resolveToken(o);
    this.acceptLanguage = o.acceptLanguage;
  }

  async request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.acceptLanguage) headers['accept-language'] = this.acceptLanguage;
    let res: Response;
    try {
      res = await fetch(`${this.base}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new Error(`Cannot reach ${this.base}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { title: text.slice(0, 200) };
    }
    if (!res.ok) throw new ApiError(res.status, parsed as Record<string, unknown>);
    return parsed;
  }
}
