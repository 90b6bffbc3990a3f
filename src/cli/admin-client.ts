import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeProblem } from './output.js';

/** A coded error answered by the server (problem+json). */
export class ApiError extends Error {
  /**
   * `problem` is the problem+json body (RFC 9457; `remedy` is the catalogue's advice); `retryAfterS` the
   * Retry-After header in seconds (RFC 9110 §10.2.3), when the answer had one (e.g. 429 SIGN_IN_THROTTLED).
   */
  constructor(readonly status: number, readonly problem: Record<string, unknown>, readonly retryAfterS?: number) {
    super(`${String(problem.code ?? status)}: ${String(problem.title ?? 'request failed')}${problem.detail ? ` (${String(problem.detail)})` : ''}`);
    this.name = 'ApiError';
  }

  /** What the terminal shows: the message, then the remedy and the wait, each on its own line. */
  describe(): string {
    return describeProblem(this.message, this.problem, this.retryAfterS);
  }
}

/** Retry-After in seconds (the delta-seconds form), or undefined. */
export function retryAfterOf(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
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
    if (!res.ok) throw new ApiError(res.status, parsed as Record<string, unknown>, retryAfterOf(res));
    return parsed;
  }
}
