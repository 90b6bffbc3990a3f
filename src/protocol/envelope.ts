import { formatEnvelopeTimestamp } from './timestamp.js';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Everything outside XML 1.0's Char production (W3C XML 1.0 §2.2): C0 controls but tab, LF and CR; lone
// surrogates; U+FFFE and U+FFFF. No escape can carry these (`&#1;` is not well-formed either).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes any text for an XML 1.0 element or attribute value so that the document stays well-formed: the five
 * special characters become entities, and every character XML 1.0 forbids (§2.2 Char: C0 controls but tab/LF/CR,
 * lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD, the replacement character.
 *
 * @example
 * escapeXml('No route POST /ingestion/\u0001 & <x>'); // 'No route POST /ingestion/\uFFFD &amp; &lt;x&gt;'
 */
export function escapeXml(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

const HEAD = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n';

/**
 * The Netvisor response envelope for a success; `replies` are child elements of `<Replies>`.
 *
 * @example
 * okEnvelope(Date.now(), { InsertedDataIdentifier: 'msg_test_…' });
 */
export function okEnvelope(nowMs: number, replies: Record<string, string> = {}): string {
  const r = Object.entries(replies)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return (
    `${HEAD}<Root>\n  <ResponseStatus>\n    <Status>OK</Status>\n    <TimeStamp>${formatEnvelopeTimestamp(nowMs)}</TimeStamp>\n` +
    `  </ResponseStatus>\n` +
    (r ? `  <Replies>${r}</Replies>\n` : '') +
    `</Root>\n`
  );
}

/**
 * The envelope for a failure: two `Status` elements, the second `CODE :: message`.
 *
 * @example
 * failedEnvelope(Date.now(), 'REQUEST_NOT_UNIQUE', 'Tapahtumatunnistetta on käytetty aiemmin.');
 */
export function failedEnvelope(nowMs: number, family: string, message: string): string {
  return (
    `${HEAD}<Root>\n  <ResponseStatus>\n    <Status>FAILED</Status>\n    <Status>${escapeXml(`${family} :: ${message}`)}</Status>\n` +
    `    <TimeStamp>${formatEnvelopeTimestamp(nowMs)}</TimeStamp>\n  </ResponseStatus>\n</Root>\n`
  );
}
