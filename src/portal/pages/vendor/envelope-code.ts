/*
 * Pure helpers of the "send test message" form (no browser globals, so unit tests import them): the code and message
 * of a Netvisor failure envelope (docs/mac-auth.md, "Responses": the second <Status> is `FAMILY :: message (CODE)
 * details`), and a sample body per media type.
 */

/**
 * The catalogue code of a FAILED envelope (`<Status>FAMILY :: message (CODE) details</Status>`), or undefined: the
 * first parenthesised word with an underscore (every code has one; a message may hold `(URL)` or `(100)`).
 */
export function envelopeCode(xml: string): string | undefined {
  if (!/<Status>\s*FAILED\s*<\/Status>/.test(xml)) return undefined;
  const m = /<Status>[A-Z_]+ :: [^<]*?\(([A-Z0-9]+(?:_[A-Z0-9]+)+)\)/.exec(xml);
  return m?.[1];
}

/** The message of a FAILED envelope's second <Status> (after `FAMILY ::`), without the code. */
export function envelopeMessage(xml: string): string | undefined {
  const m = /<Status>[A-Z_]+ :: ([^<]*?)\s*\([A-Z0-9]+(?:_[A-Z0-9]+)+\)/.exec(xml);
  return m?.[1];
}

/** A sample body per media type, so a first test message needs no typing. */
export function sampleBody(mediaType: string): string {
  const m = mediaType.toLowerCase();
  if (m.includes('json')) return `${JSON.stringify({ orderId: 'A-1001', amount: 12.5, currency: 'EUR' }, null, 2)}\n`;
  if (m.includes('xml')) return '<?xml version="1.0" encoding="UTF-8"?>\n<Invoice>\n  <Number>1001</Number>\n  <Amount>12.50</Amount>\n</Invoice>\n';
  if (m.includes('csv')) return 'number,amount\n1001,12.50\n';
  return 'Test message from the Vaultgate portal\n';
}
