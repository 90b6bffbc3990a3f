import { api, ApiError, type Page } from '../../api/client.js';
import { orgPath, type Refusal } from './types.js';

/*
 * Reading the ingestion endpoint's answer for the "send test message" form: the problem+json of the bearer path, or
 * the Netvisor XML envelope of the MAC path (docs/mac-auth.md, "Responses": the second <Status> ends in `(CODE)`),
 * whose remedy the envelope does not carry: it is read from the vendor's recorded refusals
 * (GET …/ingestion/refusals, the same request by its transaction id), in the portal's language.
 */

/** What the server answered, for display. */
export interface SentAnswer { status: number; headers: [string, string][]; body: string; refusal?: ApiError }

/** The catalogue code of a FAILED envelope (`<Status>FAMILY :: message (CODE)</Status>`), or undefined. */
export function envelopeCode(xml: string): string | undefined {
  if (!/<Status>\s*FAILED\s*<\/Status>/.test(xml)) return undefined;
  const m = /<Status>[^<]*\(([A-Z0-9_]+)\)[^<]*<\/Status>/.exec(xml);
  return m?.[1];
}

/** The message of a FAILED envelope's second <Status> (after `FAMILY ::`), without the code. */
function envelopeMessage(xml: string): string | undefined {
  const m = /<Status>[A-Z_]+ :: ([^<]*?)\s*\([A-Z0-9_]+\)[^<]*<\/Status>/.exec(xml);
  return m?.[1];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The recorded refusal of the request sent with `transactionId` on `channelId` with `code` (the server writes
 * refusals in batches, a fraction of a second later: a few tries), or undefined.
 */
export async function findRefusal(orgId: string, channelId: string, code: string, transactionId: string, tries = 8): Promise<Refusal | undefined> {
  for (let i = 0; i < tries; i++) {
    const page = await api<Page<Refusal>>('GET', orgPath(orgId, '/ingestion/refusals'), { query: { channelId, code, limit: 20 } });
    const hit = page.items.find((r) => r.transactionId === transactionId.slice(0, 100));
    if (hit) return hit;
    await sleep(250 * (i + 1));
  }
  return undefined;
}

/** Reads a Response of POST /ingestion/{channelId} into a SentAnswer; a refusal becomes an ApiError (code, title, remedy). */
export async function readAnswer(res: Response, o: { orgId: string; channelId: string; transactionId: string; scheme: 'mac' | 'bearer' }): Promise<SentAnswer> {
  const body = await res.text();
  const headers = [...res.headers.entries()];
  const answer: SentAnswer = { status: res.status, headers, body };
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json') && !res.ok) {
    let p: Record<string, unknown> = {};
    try { p = JSON.parse(body) as Record<string, unknown>; } catch { /* not JSON */ }
    const s = (k: string) => (typeof p[k] === 'string' ? p[k] as string : undefined);
    answer.refusal = new ApiError(res.status, s('code') ?? `HTTP_${res.status}`, s('title') ?? res.statusText, s('detail'), s('remedy'), s('instance'), p);
    return answer;
  }
  const code = o.scheme === 'mac' ? envelopeCode(body) : undefined;
  if (code) {
    const recorded = await findRefusal(o.orgId, o.channelId, code, o.transactionId).catch(() => undefined);
    answer.refusal = new ApiError(res.status, code, recorded?.title ?? envelopeMessage(body) ?? code, undefined, recorded?.remedy, undefined);
  }
  return answer;
}

/** A sample body per media type, so a first test message needs no typing. */
export function sampleBody(mediaType: string): string {
  const m = mediaType.toLowerCase();
  if (m.includes('json')) return `${JSON.stringify({ orderId: 'A-1001', amount: 12.5, currency: 'EUR' }, null, 2)}\n`;
  if (m.includes('xml')) return '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice>\n  <Number>1001</Number>\n  <Amount>12.50</Amount>\n</Invoice>\n';
  if (m.includes('csv')) return 'number,amount\n1001,12.50\n';
  return 'Test message from the Vaultgate portal\n';
}
