import { api, ApiError, type Page } from '../../api/client.js';
import { envelopeCode, envelopeMessage } from './envelope-code.js';
import { orgPath, type Refusal } from './types.js';

/*
 * Reading the ingestion endpoint's answer for the "send test message" form: the problem+json of the bearer path, or
 * the Netvisor XML envelope of the MAC path (docs/mac-auth.md, "Responses": the second <Status> ends in `(CODE)`),
 * whose remedy the envelope does not carry: it is read from the vendor's recorded refusals
 * (GET …/ingestion/refusals, the same request by its transaction id), in the portal's language.
 */

/** What the server answered, for display. */
export interface SentAnswer { status: number; headers: [string, string][]; body: string; refusal?: ApiError }

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
