import { VaultgateError } from './errors.js';

/** The content codings a message may be sent in (RFC 9110 §8.4.1; `x-gzip` is gzip, `identity` is none). */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

const CODINGS: Readonly<Record<string, ContentCoding | 'identity'>> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
  identity: 'identity',
};

/** The codings accepted, as a 415 answer's Accept-Encoding lists them (RFC 9110 §12.5.3, §15.5.16). */
export const ACCEPTED_CONTENT_CODINGS = 'gzip, deflate, br';

/** At most this many codings applied on top of each other; each one decoded costs a decompressor's memory. */
export const MAX_CONTENT_CODINGS = 4;

/**
 * The codings of a `Content-Encoding` value in the order they were applied (RFC 9110 §8.4: "listed in the order in
 * which they were applied"), `identity` and empty list elements dropped, names compared case-insensitively. The
 * body is decoded in the reverse order. Throws CONTENT_ENCODING_UNSUPPORTED (415) for any other coding or more than
 * MAX_CONTENT_CODINGS.
 *
 * @example
 * parseContentEncoding('gzip');         // ['gzip']
 * parseContentEncoding('deflate, GZIP'); // ['deflate', 'gzip']: gunzip first, then inflate
 * parseContentEncoding(undefined);      // []
 * parseContentEncoding('compress');     // throws CONTENT_ENCODING_UNSUPPORTED
 */
export function parseContentEncoding(value: string | undefined): ContentCoding[] {
  if (value === undefined) return [];
  const out: ContentCoding[] = [];
  for (const element of value.split(',')) {
    const name = element.trim().toLowerCase();
    if (name === '') continue;
    const coding = Object.hasOwn(CODINGS, name) ? CODINGS[name]! : undefined;
    if (coding === undefined) {
      throw new VaultgateError('CONTENT_ENCODING_UNSUPPORTED', {
        detail: `Content-Encoding "${element.trim().slice(0, 40)}" is not accepted; accepted: ${ACCEPTED_CONTENT_CODINGS}, identity.`,
        headers: { 'accept-encoding': ACCEPTED_CONTENT_CODINGS },
      });
    }
    if (coding !== 'identity') out.push(coding);
  }
  if (out.length > MAX_CONTENT_CODINGS) {
    throw new VaultgateError('CONTENT_ENCODING_UNSUPPORTED', {
      detail: `At most ${MAX_CONTENT_CODINGS} content codings may be applied to one message; this one names ${out.length}.`,
      headers: { 'accept-encoding': ACCEPTED_CONTENT_CODINGS },
    });
  }
  return out;
}

/**
 * For a route that does not decode content codings: throws CONTENT_ENCODING_UNSUPPORTED (415, `Accept-Encoding:
 * identity`) when `value` names any coding other than identity, so that a compressed body is refused rather than
 * misread as JSON or a form (RFC 9110 §15.5.16).
 *
 * @example
 * refuseContentCodings('identity'); // returns
 * refuseContentCodings('gzip');     // throws CONTENT_ENCODING_UNSUPPORTED
 */
export function refuseContentCodings(value: string | undefined): void {
  if (value === undefined) return;
  let codings: ContentCoding[];
  try {
    codings = parseContentEncoding(value);
  } catch {
    codings = ['gzip']; // an unknown coding: refused here too, with this route's Accept-Encoding
  }
  if (codings.length === 0) return;
  throw new VaultgateError('CONTENT_ENCODING_UNSUPPORTED', {
    detail: 'This route takes only unencoded bodies: send it without Content-Encoding (only ingestion accepts gzip, deflate and br).',
    headers: { 'accept-encoding': 'identity' },
  });
}
