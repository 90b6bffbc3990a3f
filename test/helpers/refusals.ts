import { expect } from 'vitest';
import { ERROR_CATALOGUE, errorMessage, FAMILY_STATUS, type ErrorCode, type Language } from '../../src/protocol/index.js';
import { macRequest, type MacCredentials, type RawResponse } from './mac-request.js';

/** How a MAC-scheme client asks to be answered: real HTTP status codes or not, JSON or the XML envelope. */
export interface StatusMode {
  label: string;
  useHttpStatusCodes: boolean;
  json: boolean;
}

/** Every combination a MAC client can ask for. */
export const STATUS_MODES: readonly StatusMode[] = [
  { label: 'UseHTTPResponseStatusCodes: 1, JSON', useHttpStatusCodes: true, json: true },
  { label: 'always 200, JSON', useHttpStatusCodes: false, json: true },
  { label: 'always 200, XML envelope', useHttpStatusCodes: false, json: false },
  { label: 'UseHTTPResponseStatusCodes: 1, XML envelope', useHttpStatusCodes: true, json: false },
];

export interface Refusal {
  mode: StatusMode;
  res: RawResponse;
  /** The problem body (JSON modes). */
  problem?: any;
  /** The second `<Status>` text of the XML envelope, XML entities decoded (XML modes). */
  failure?: string;
}

const unescapeXml = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/**
 * Asserts that a MAC-scheme response is the refusal `code` rendered in `mode`: the HTTP status by the scheme's rules
 * (family status with UseHTTPResponseStatusCodes: 1, else 200), and either the problem body (its `status` is that
 * HTTP status) or the FAILED envelope whose second Status is `FAMILY :: <message> (CODE)…`.
 */
export function expectRefusal(res: RawResponse, code: ErrorCode, mode: StatusMode, language: Language = 'en'): Refusal {
  const def = ERROR_CATALOGUE[code];
  const message = errorMessage(code, language);
  const where = `${code} in mode "${mode.label}": ${res.status} ${res.text}`;
  expect(res.status, where).toBe(mode.useHttpStatusCodes ? FAMILY_STATUS[def.family] : 200);
  if (mode.json) {
    expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem, where).toMatchObject({
      type: `urn:vaultgate:error:${code}`,
      code,
      family: def.family,
      // RFC 9457 §3.1.2: the problem's status is the HTTP status of the answer (by the scheme's rules above).
      status: res.status,
      title: message,
      // The remedy in the same language as the title (issue 16).
      remedy: def.remedy[language],
      requestId: res.headers['x-request-id'],
    });
    return { mode, res, problem };
  }
  expect(res.headers['content-type'], where).toMatch(/^text\/xml/);
  expect(res.text, where).not.toMatch(/<Status>OK<\/Status>/);
  const m = /<Status>FAILED<\/Status>\s*<Status>([^<]*)<\/Status>/.exec(res.text);
  expect(m, where).not.toBeNull();
  const failure = unescapeXml(m![1]!);
  expect(failure.startsWith(`${def.family} :: ${message} (${code})`), `${where}\n${failure}`).toBe(true);
  return { mode, res, failure };
}

/** Sends the same failing request once per status mode (a fresh request each time) and checks each refusal. */
export async function refusedInEveryMode(
  send: (mode: StatusMode) => Promise<RawResponse>,
  code: ErrorCode,
  language: Language = 'en',
): Promise<Refusal[]> {
  const out: Refusal[] = [];
  for (const mode of STATUS_MODES) out.push(expectRefusal(await send(mode), code, mode, language));
  return out;
}

/** Every message of a vault (all pages), read through the vault API with a vault.read credential. */
export async function listVault(baseUrl: string, reader: MacCredentials, query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const q: string = [query, 'limit=1000', cursor ? `cursor=${cursor}` : ''].filter(Boolean).join('&');
    const res = await macRequest({ baseUrl, target: `/vault/v1/messages?${q}`, creds: reader });
    if (res.status !== 200) throw new Error(`vault list: ${res.status} ${res.text}`);
    const page = res.json();
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
