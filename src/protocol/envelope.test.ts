import { describe, expect, it } from 'vitest';
import { escapeXml, failedEnvelope, okEnvelope } from './envelope.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>';

/** The texts of every `<name>…</name>` element, in order. */
function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!);
}

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
  });

  it('replaces every character XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) with U+FFFD', () => {
    expect(escapeXml('a\u0001b\u0000c\u001fd\u007f')).toBe('a\uFFFDb\uFFFDc\uFFFDd\u007f');
    expect(escapeXml('tab\tlf\ncr\r')).toBe('tab\tlf\ncr\r');
    expect(escapeXml('lone \uD800 and \uDC00, pair \uD83D\uDE00')).toBe('lone \uFFFD and \uFFFD, pair \uD83D\uDE00');
    expect(escapeXml('\uFFFE\uFFFF\uFFFD')).toBe('\uFFFD\uFFFD\uFFFD');
    expect(escapeXml('\u0001<&>')).toBe('\uFFFD&lt;&amp;&gt;');
  });

  it('escapes & first-time only (no double escaping of its own output)', () => {
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
    expect(escapeXml('plain ÄÖå')).toBe('plain ÄÖå');
  });
});

describe('okEnvelope', () => {
  it('is the documented envelope, byte for byte', () => {
    expect(okEnvelope(NOW, { InsertedDataIdentifier: 'msg_test_01abc' })).toBe(
      `${DECLARATION}\n` +
        '<Root>\n' +
        '  <ResponseStatus>\n' +
        '    <Status>OK</Status>\n' +
        '    <TimeStamp>22.11.2026 14:00:00</TimeStamp>\n' +
        '  </ResponseStatus>\n' +
        '  <Replies><InsertedDataIdentifier>msg_test_01abc</InsertedDataIdentifier></Replies>\n' +
        '</Root>\n',
    );
  });

  it('starts with exactly the XML declaration line', () => {
    expect(okEnvelope(NOW).split('\n')[0]).toBe(DECLARATION);
  });

  it('has one Status, OK, and no Replies when there are none', () => {
    const xml = okEnvelope(NOW);
    expect(elements(xml, 'Status')).toEqual(['OK']);
    expect(xml).not.toContain('Replies');
    expect(elements(xml, 'TimeStamp')).toEqual(['22.11.2026 14:00:00']);
  });

  it('escapes reply values', () => {
    const xml = okEnvelope(NOW, { Note: 'a<b & c>d' });
    expect(xml).toContain('<Note>a&lt;b &amp; c&gt;d</Note>');
    expect(xml).not.toContain('a<b');
  });

  it('keeps several replies in order', () => {
    expect(elements(okEnvelope(NOW, { A: '1', B: '2' }), '[AB]')).toEqual(['1', '2']);
  });
});

describe('failedEnvelope', () => {
  it('carries two Status elements: FAILED, then CODE :: message', () => {
    const xml = failedEnvelope(NOW, 'REQUEST_NOT_UNIQUE', 'Tapahtumatunnistetta on käytetty aiemmin.');
    expect(elements(xml, 'Status')).toEqual(['FAILED', 'REQUEST_NOT_UNIQUE :: Tapahtumatunnistetta on käytetty aiemmin.']);
    expect(elements(xml, 'TimeStamp')).toEqual(['22.11.2026 14:00:00']);
    expect(xml).not.toContain('Replies');
    expect(xml).not.toContain('<Status>OK</Status>');
  });

  it('is the documented envelope, byte for byte', () => {
    expect(failedEnvelope(NOW, 'AUTHENTICATION_FAILED', 'Bad MAC.')).toBe(
      `${DECLARATION}\n` +
        '<Root>\n' +
        '  <ResponseStatus>\n' +
        '    <Status>FAILED</Status>\n' +
        '    <Status>AUTHENTICATION_FAILED :: Bad MAC.</Status>\n' +
        '    <TimeStamp>22.11.2026 14:00:00</TimeStamp>\n' +
        '  </ResponseStatus>\n' +
        '</Root>\n',
    );
  });

  it('escapes <, & and > in the message', () => {
    const xml = failedEnvelope(NOW, 'INVALID_DATA', 'expected <Order> & got </x>');
    expect(elements(xml, 'Status')[1]).toBe('INVALID_DATA :: expected &lt;Order&gt; &amp; got &lt;/x&gt;');
    expect(xml).not.toContain('<Order>');
    // Element structure is unchanged by the message.
    expect(xml.match(/<Status>/g)).toHaveLength(2);
  });

  it('starts with exactly the XML declaration line', () => {
    expect(failedEnvelope(NOW, 'TECHNICAL_ERROR', 'x').split('\n')[0]).toBe(DECLARATION);
  });
});
