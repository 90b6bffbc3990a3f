import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describeProblem } from './output.js';
import { readProfile } from './profiles.js';

/** A coded error answered by the server (problem+json). */
export class ApiError extends Error {
  /**
   * `problem` is the problem+json body (RFC 9457; `remedy` is the catalogue's advice); `retryAfterS` the
   * Retry-After header in seconds (RFC 9110 §10.2.3), when the answer had one (e.g. 429 SIGN_IN_THROTTLED).
   */
  constructor(readonly status: number, readonly problem: Record<string, unknown>, readonly retryAfterS?: number, private readonly fieldFlags: FieldFlags = {}) {
    super(withFlagNames(`${String(problem.code ?? status)}: ${String(problem.title ?? 'request failed')}${problem.detail ? ` (${String(problem.detail)})` : ''}`, fieldFlags));
    this.name = 'ApiError';
  }

  /**
   * What the terminal shows: the message, then the remedy and the wait, each on its own line; the API's field names
   * in them replaced by the command's flags (the JSON output keeps the problem as the server sent it).
   */
  describe(): string {
    const remedy = typeof this.problem.remedy === 'string' ? withFlagNames(this.problem.remedy, this.fieldFlags) : this.problem.remedy;
    return describeProblem(this.message, { ...this.problem, remedy }, this.retryAfterS);
  }
}

/** A command's API body and query fields and the flags that give them: `{ overlapHours: '--overlap-hours' }`. */
export type FieldFlags = Readonly<Record<string, string>>;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with the API's names of a command's fields replaced by its flags: the validation form (`body/overlapHours`,
 * `querystring/limit`) always, a bare camelCase name (`businessId`) as a whole word; plain English words (`email`,
 * `name`) only in the validation form, so that prose keeps its meaning. A word inside a URL, path or query string
 * (`GET /admin/v1/companies?businessId=…`) is the API's own name and stays.
 */
export function withFlagNames(text: string, flags: FieldFlags): string {
  let out = text;
  for (const [field, flag] of Object.entries(flags)) {
    out = out.replace(new RegExp(`\\b(?:body|querystring|params)/${escape(field)}\\b`, 'g'), flag);
  }
  const words = Object.entries(flags).filter(([field]) => /[A-Z]/.test(field));
  if (words.length === 0) return out;
  // Whitespace-separated tokens; one with a '/', '?', '=' or '&' is a URL, path or query: left as it is.
  return out.replace(/\S+/g, (token) => {
    if (/[/?=&]/.test(token)) return token;
    let t = token;
    for (const [field, flag] of words) t = t.replace(new RegExp(`(?<![-\\w])${escape(field)}\\b`, 'g'), flag);
    return t;
  });
}

/** Retry-After in seconds (the delta-seconds form), or undefined. */
export function retryAfterOf(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
}

/**
 * The URL and operator token of `vaultgate admin …`, from its options (`admin.opts()`), flags before the environment:
 * `--token`; else, with `--profile <name>`, that profile's session token (an operator user signed in with
 * `vaultgate account signin --profile <name>`), and its URL unless `--url`/VAULTGATE_URL says otherwise; else
 * VAULTGATE_ADMIN_TOKEN; else the admin-token file in `--data-dir`. VAULTGATE_PROFILE is not read here: the client
 * commands' default profile must not quietly replace the operator token of a script.
 */
export function adminSettings(admin: Command): AdminClientOptions & { url: string } {
  const g = admin.opts<{ url: string; token?: string; dataDir?: string; profile?: string }>();
  const tokenFlag = g.token !== undefined && admin.getOptionValueSource('token') !== 'env';
  if (tokenFlag || g.profile === undefined) return { url: g.url, token: g.token, dataDir: g.dataDir };
  const p = readProfile(process.env, g.profile, true)!;
  if (!p.sessionToken) throw new Error(`profile "${g.profile}" holds no session: sign in as an operator first (vaultgate account signin --profile ${g.profile} --email …), or pass --token`);
  const url = admin.getOptionValueSource('url') === 'default' && p.url ? p.url : g.url;
  return { url, token: p.sessionToken, dataDir: g.dataDir };
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
