import { language } from '../i18n/index.js';

/*
 * The portal's only way to the server: same-origin fetch to /api/v1 and /vault/v1 with the session cookie
 * (`__Host-vaultgate-session`, set by POST /api/v1/session). Unsafe methods carry `X-CSRF-Token`, fetched once from
 * GET /api/v1/session/csrf (or taken from the sign-in answer) and refetched once when the server refuses it.
 * Every request sends the chosen language as Accept-Language, so problem titles arrive translated.
 */

/** A problem+json answer (RFC 9457) of the server: code is the catalogue's (docs/errors.md). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly remedy: string | undefined,
    readonly instance: string | undefined,
    readonly body: Record<string, unknown> = {},
  ) {
    super(`${code}: ${title}`);
    this.name = 'ApiError';
  }
}

/** The network failed (no answer at all); shown with common.networkError. */
export const NETWORK_ERROR = 'NETWORK_ERROR';

export interface ApiOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

let csrf: string | undefined;

/** Remember the CSRF token of a sign-in answer (POST /api/v1/session); forget it on sign-out (undefined). */
export function setCsrfToken(token: string | undefined): void {
  csrf = token;
}

/** The session's CSRF token, or undefined when nobody is signed in (sign-in, registration and links need none). */
async function csrfToken(signal?: AbortSignal): Promise<string | undefined> {
  if (csrf) return csrf;
  try {
    const r = await api<{ csrfToken: string }>('GET', '/api/v1/session/csrf', signal ? { signal } : {});
    csrf = r.csrfToken;
    return csrf;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    throw e;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function urlOf(path: string, query?: ApiOptions['query']): string {
  const u = new URL(path, location.origin);
  if (u.origin !== location.origin) throw new Error('The portal talks only to its own server.');
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  return u.pathname + u.search;
}

/** Throws ApiError for a non-2xx answer (problem+json when the server sent one). */
async function problemOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try { body = await res.json() as Record<string, unknown>; } catch { /* not JSON */ }
  const s = (k: string) => (typeof body[k] === 'string' ? body[k] as string : undefined);
  return new ApiError(res.status, s('code') ?? `HTTP_${res.status}`, s('title') ?? res.statusText, s('detail'), s('remedy'), s('instance'), body);
}

/**
 * A request answered by anything (downloads, NDJSON streams): the Response, or ApiError for a non-2xx answer.
 * Unsafe methods send X-CSRF-Token; a JSON body is sent when `body` is given.
 */
export async function apiRaw(method: string, path: string, o: ApiOptions = {}): Promise<Response> {
  const send = async (): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language(), ...o.headers };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const token = UNSAFE.has(method) ? await csrfToken(o.signal) : undefined;
    if (token) headers['x-csrf-token'] = token;
    try {
      return await fetch(urlOf(path, o.query), {
        method, headers, credentials: 'same-origin', ...(o.signal ? { signal: o.signal } : {}),
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(0, NETWORK_ERROR, 'The server could not be reached.', undefined, undefined, undefined);
    }
  };
  let res = await send();
  if (res.status === 403 && UNSAFE.has(method)) {
    const err = await problemOf(res.clone());
    if (err.code === 'CSRF_TOKEN_INVALID') {
      csrf = undefined;
      res = await send();
    }
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

/** A JSON request to the server (`/api/v1/…` or `/vault/v1/…`); resolves the parsed body (undefined for 204). */
export async function api<T>(method: string, path: string, o: ApiOptions = {}): Promise<T> {
  const res = await apiRaw(method, path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A cursor page of the API (`?cursor=&limit=`): its items and the cursor of the next page, null at the end. */
export interface Page<T> { items: T[]; nextCursor: string | null }
