import { formatEnvelopeTimestamp } from './timestamp.js';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an XML element or attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
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
