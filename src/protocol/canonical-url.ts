/**
 * Rebuilding the URL a client signed (mac-auth.md, "The URL"): the configured public base URL plus the
 * request-target as received, percent-decoded as UTF-8 (`+` left as is). The server also accepts a MAC over the
 * undecoded target, for clients that hash the wire form.
 */

/** Normalises a public base URL: lowercase scheme and host, default port dropped, no trailing slash. */
export function normalizeBaseUrl(base: string): string {
  const u = new URL(base);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`base URL must be http or https: ${base}`);
  if (u.search || u.hash) throw new Error(`base URL must not have a query or fragment: ${base}`);
  // URL already drops the scheme's default port and lowercases scheme and host.
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.protocol}//${u.host}${path}`;
}

/** Percent-decodes a request-target as UTF-8, leaving `+` alone; undefined when it is not valid UTF-8 escapes. */
export function decodeTarget(target: string): string | undefined {
  try {
    return decodeURIComponent(target);
  } catch {
    return undefined;
  }
}

/**
 * The URL forms a request's MAC may be computed over, the canonical decoded form first.
 *
 * @example
 * canonicalUrls('https://api.example.com', '/customerlist.nv?keyword=M%C3%A4kel%C3%A4');
 * // ['https://api.example.com/customerlist.nv?keyword=Mäkelä',
 * //  'https://api.example.com/customerlist.nv?keyword=M%C3%A4kel%C3%A4']
 */
export function canonicalUrls(normalizedBase: string, rawTarget: string): string[] {
  const raw = normalizedBase + rawTarget;
  const decoded = decodeTarget(rawTarget);
  if (decoded === undefined || decoded === rawTarget) return [raw];
  return [normalizedBase + decoded, raw];
}

// RFC 9112 §3.2.2 absolute-form: scheme "://" authority, then the path and query. Only http and https name us.
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/**
 * The origin-form (path and `?query`) of a request-target. An absolute-form target (`http://host:port/path?q`, RFC
 * 9112 §3.2.2, sent by clients that talk as if to a proxy) gives its path and query (an empty path is `/`);
 * an origin-form target is returned as it is.
 *
 * @example
 * originForm('http://127.0.0.1:8080/ingestion/ch_test_x?messageType=Order');
 * // { target: '/ingestion/ch_test_x?messageType=Order', absoluteForm: true }
 */
export function originForm(target: string): { target: string; absoluteForm: boolean } {
  if (target.charCodeAt(0) === 47 /* '/' */) return { target, absoluteForm: false };
  const m = ABSOLUTE_FORM.exec(target);
  if (!m) return { target, absoluteForm: false };
  const rest = target.slice(m[0].length);
  return { target: rest.startsWith('/') ? rest : `/${rest}`, absoluteForm: true };
}

/** The URL forms a request's MAC may be computed over, and whether its target came in absolute-form. */
export interface RequestUrls {
  /** Canonical (decoded) form first, then the undecoded wire form when it differs (canonicalUrls). */
  urls: string[];
  /** The request-target was in absolute-form: the URLs are built from its path and query. */
  absoluteForm: boolean;
}

/**
 * The URLs a request's MAC may be computed over (mac-auth.md, "The URL"): the base URL plus the request-target in
 * origin-form, decoded first, then undecoded. An absolute-form target contributes its path and query only, never
 * the whole target appended to the base URL.
 *
 * @example
 * requestUrls('https://api.example.com', 'http://api.example.com/ingestion/ch_test_x');
 * // { urls: ['https://api.example.com/ingestion/ch_test_x'], absoluteForm: true }
 */
export function requestUrls(normalizedBase: string, rawTarget: string): RequestUrls {
  const o = originForm(rawTarget);
  return { urls: canonicalUrls(normalizedBase, o.target), absoluteForm: o.absoluteForm };
}
