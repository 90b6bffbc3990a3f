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
