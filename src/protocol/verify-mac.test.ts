import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ParsedMacHeaders } from './auth-headers.js';
import { VaultgateError } from './errors.js';
import { computeMac, type MacInput } from './mac.js';
import { formatMacTimestamp } from './timestamp.js';
import { requestUrls } from './canonical-url.js';
import { macString, maskedMacString } from './mac.js';
import { checkMacTimestamp, MAX_MAC_CANDIDATES, macForm, resolveMacAlgorithm, utf8Redecode, verifyMac } from './verify-mac.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VaultgateError);
    return (e as VaultgateError).code;
  }
  return undefined;
}

describe('resolveMacAlgorithm', () => {
  it('accepts SHA256 and HMACSHA256 in any case, with or without MD5 allowed', () => {
    for (const allowMd5 of [false, true]) {
      expect(resolveMacAlgorithm('SHA256', allowMd5)).toBe('SHA256');
      expect(resolveMacAlgorithm('sha256', allowMd5)).toBe('SHA256');
      expect(resolveMacAlgorithm('Sha256', allowMd5)).toBe('SHA256');
      expect(resolveMacAlgorithm('HMACSHA256', allowMd5)).toBe('HMACSHA256');
      expect(resolveMacAlgorithm('hmacsha256', allowMd5)).toBe('HMACSHA256');
      expect(resolveMacAlgorithm(' HmacSha256 ', allowMd5)).toBe('HMACSHA256');
    }
  });

  it('accepts MD5 only when allowed', () => {
    expect(resolveMacAlgorithm('MD5', true)).toBe('MD5');
    expect(resolveMacAlgorithm('md5', true)).toBe('MD5');
    expect(codeOf(() => resolveMacAlgorithm('MD5', false))).toBe('MAC_ALGORITHM_NOT_SUPPORTED');
    expect(codeOf(() => resolveMacAlgorithm('md5', false))).toBe('MAC_ALGORITHM_NOT_SUPPORTED');
  });

  it('treats a missing header as MD5 when allowed, else refuses it', () => {
    expect(resolveMacAlgorithm(undefined, true)).toBe('MD5');
    let err: unknown;
    try {
      resolveMacAlgorithm(undefined, false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VaultgateError);
    const e = err as VaultgateError;
    expect(e.code).toBe('MAC_ALGORITHM_NOT_SUPPORTED');
    expect(e.status).toBe(401);
    expect(e.family).toBe('AUTHENTICATION_FAILED');
    expect(e.detail).toMatch(/No algorithm header/);
    // The message names the supported algorithms.
    expect(e.message).toContain('SHA256');
    expect(e.message).toContain('HMACSHA256');
  });

  it('refuses unknown algorithms either way', () => {
    for (const allowMd5 of [false, true]) {
      for (const a of ['SHA1', 'SHA-256', 'HMAC-SHA256', 'SHA512', '']) {
        expect(codeOf(() => resolveMacAlgorithm(a, allowMd5)), a).toBe('MAC_ALGORITHM_NOT_SUPPORTED');
      }
    }
  });
});

const NOW = Date.UTC(2024, 2, 15, 8, 30, 45, 123);

function headers(over: Partial<ParsedMacHeaders> = {}): ParsedMacHeaders {
  return {
    sender: 'Acme Integration',
    customerId: 'AB_12345_6789',
    partnerId: 'tp_test_partner',
    timestamp: '2024-03-15 08:30:45.123',
    timestampUnix: undefined,
    transactionId: 'tx-1',
    language: 'EN',
    organisationId: '2729069-3',
    mac: '00'.repeat(32),
    algorithm: 'SHA256',
    ...over,
  };
}

describe('checkMacTimestamp', () => {
  it('accepts a timestamp inside the window, both sides, and at its edges', () => {
    expect(() => checkMacTimestamp(headers(), NOW, 300)).not.toThrow();
    expect(() => checkMacTimestamp(headers(), NOW + 299_000, 300)).not.toThrow();
    expect(() => checkMacTimestamp(headers(), NOW - 299_000, 300)).not.toThrow();
    expect(() => checkMacTimestamp(headers(), NOW + 300_000, 300)).not.toThrow();
    expect(() => checkMacTimestamp(headers(), NOW - 300_000, 300)).not.toThrow();
  });

  it('refuses a timestamp outside the window in either direction', () => {
    // Client's clock behind the server (old request) and ahead of it (from the future).
    expect(codeOf(() => checkMacTimestamp(headers(), NOW + 300_001, 300))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(codeOf(() => checkMacTimestamp(headers(), NOW - 300_001, 300))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(codeOf(() => checkMacTimestamp(headers(), NOW + 3_600_000, 300))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(codeOf(() => checkMacTimestamp(headers(), NOW - 86_400_000, 300))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(codeOf(() => checkMacTimestamp(headers(), NOW + 61_000, 60))).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('compares ISO timestamps with an offset as the instant they name', () => {
    expect(() => checkMacTimestamp(headers({ timestamp: '2024-03-15T10:30:45.123+02:00' }), NOW, 1)).not.toThrow();
    expect(codeOf(() => checkMacTimestamp(headers({ timestamp: '2024-03-15T08:30:45.123+02:00' }), NOW, 300))).toBe(
      'TIMESTAMP_OUT_OF_WINDOW',
    );
  });

  it('does not check the window when it is 0 (legacy clients in local time)', () => {
    expect(() => checkMacTimestamp(headers(), NOW + 10 * 365 * 86_400_000, 0)).not.toThrow();
    expect(() => checkMacTimestamp(headers(), NOW - 3 * 3_600_000, 0)).not.toThrow();
  });

  it('requires TimestampUnix, when sent, to be the second of Timestamp or at most 1 s away (the clock read twice)', () => {
    expect(checkMacTimestamp(headers({ timestampUnix: '1710491445' }), NOW, 300)).toEqual([]);
    expect(checkMacTimestamp(headers(), NOW, 300)).toEqual([]);
    expect(checkMacTimestamp(headers({ timestampUnix: '1710491446' }), NOW, 300)).toEqual(['timestamp_unix_skew']);
    expect(checkMacTimestamp(headers({ timestampUnix: '1710491444' }), NOW, 300)).toEqual(['timestamp_unix_skew']);
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1710491447' }), NOW, 300))).toBe('TIMESTAMP_MISMATCH');
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1710491443' }), NOW, 300))).toBe('TIMESTAMP_MISMATCH');
    // Milliseconds instead of seconds is a mismatch too.
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1710491445123' }), NOW, 300))).toBe('TIMESTAMP_MISMATCH');
    // Even with the window off.
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1' }), NOW, 0))).toBe('TIMESTAMP_MISMATCH');
  });

  it('tells in the mismatch how far apart the two are, and that TimestampUnix is seconds', () => {
    try {
      checkMacTimestamp(headers({ timestampUnix: '1710491447' }), NOW, 300);
      expect.unreachable();
    } catch (e) {
      expect((e as VaultgateError).detail).toMatch(/whole seconds since the epoch; 1710491447 is 2 s away from Timestamp \(at most 1 s/);
    }
  });

  it('accepts the second after a Timestamp read at .999 (the clock read twice across a second)', () => {
    const h = headers({ timestamp: '2024-12-31 23:59:59.999', timestampUnix: '1735689600' });
    expect(checkMacTimestamp(h, Date.UTC(2024, 11, 31, 23, 59, 59, 999), 300)).toEqual(['timestamp_unix_skew']);
  });

  it('truncates the fraction when comparing to TimestampUnix', () => {
    const h = headers({ timestamp: '2024-12-31 23:59:59.999', timestampUnix: '1735689599' });
    expect(() => checkMacTimestamp(h, Date.UTC(2024, 11, 31, 23, 59, 59, 999), 300)).not.toThrow();
  });

  it('refuses an unparseable timestamp as invalid headers', () => {
    expect(codeOf(() => checkMacTimestamp(headers({ timestamp: '2024-03-15T08:30:45' }), NOW, 300))).toBe('AUTH_HEADERS_INVALID');
    expect(codeOf(() => checkMacTimestamp(headers({ timestamp: 'garbage' }), NOW, 0))).toBe('AUTH_HEADERS_INVALID');
  });
});

describe('verifyMac', () => {
  const keys = { customerKey: 'C0FFEE0123456789ABCDEF0123456789', partnerKey: '0123456789ABCDEF0123456789ABCDEF' };
  const url = 'https://vault.example.com/ingestion/ch_test_abc';

  function signed(algorithm: 'SHA256' | 'HMACSHA256' | 'MD5', over: Partial<ParsedMacHeaders> = {}): ParsedMacHeaders {
    const h = headers({ timestamp: formatMacTimestamp(NOW), timestampUnix: String(Math.floor(NOW / 1000)), ...over });
    const input: MacInput = { ...h, url, ...keys };
    return { ...h, mac: computeMac(input, algorithm), algorithm };
  }

  it('accepts a correctly signed request for each algorithm', () => {
    for (const a of ['SHA256', 'HMACSHA256', 'MD5'] as const) {
      expect(verifyMac(signed(a), a, [url], keys)).toMatchObject({ ok: true, url });
    }
  });

  it('is not ok for HMACSHA256 without TimestampUnix, and does not throw', () => {
    const h = { ...signed('HMACSHA256'), timestampUnix: undefined };
    const r = verifyMac(h, 'HMACSHA256', [url], keys);
    expect(r.ok).toBe(false);
    expect(r.url).toBeUndefined();
    expect(r.maskedInput).toContain('<TimestampUnix>');
    expect(r.maskedInput).not.toContain(keys.customerKey);
    expect(r.maskedInput).not.toContain(keys.partnerKey);
  });

  it('gives a masked hint over the canonical URL, with the keys masked', () => {
    const h = signed('SHA256');
    const r = verifyMac({ ...h, mac: 'ab'.repeat(32) }, 'SHA256', [url, `${url}-raw`], keys);
    expect(r.ok).toBe(false);
    expect(r.maskedInput).toBe(
      `${url}&Acme Integration&AB_12345_6789&${h.timestamp}&EN&2729069-3&tx-1&<CustomerKey>&<PartnerKey>`,
    );
  });

  it('includes TimestampUnix in the HMACSHA256 hint', () => {
    const h = signed('HMACSHA256');
    const r = verifyMac(h, 'HMACSHA256', [url], keys);
    expect(r.maskedInput).toBe(
      `${url}&Acme Integration&AB_12345_6789&${h.timestamp}&EN&2729069-3&tx-1&${h.timestampUnix}&<CustomerKey>&<PartnerKey>`,
    );
  });

  it('refuses a MAC when a signed header was changed after signing', () => {
    const h = signed('SHA256');
    for (const over of [{ sender: 'Other' }, { transactionId: 'tx-2' }, { organisationId: '1967543-8' }, { language: 'FI' }, { timestamp: formatMacTimestamp(NOW + 1) }]) {
      expect(verifyMac({ ...h, ...over }, 'SHA256', [url], keys).ok).toBe(false);
    }
    // TimestampUnix is signed under HMACSHA256 only.
    const hm = signed('HMACSHA256');
    expect(verifyMac({ ...hm, timestampUnix: '1' }, 'HMACSHA256', [url], keys).ok).toBe(false);
    expect(verifyMac({ ...h, timestampUnix: '1' }, 'SHA256', [url], keys).ok).toBe(true);
  });

  it('skips URL forms that are not ISO-8859-1 instead of throwing', () => {
    const euro = 'https://vault.example.com/ingestion/ch_test_abc?x=€';
    const h = signed('SHA256');
    expect(verifyMac(h, 'SHA256', [euro, url], keys)).toMatchObject({ ok: true, url });
    expect(verifyMac(h, 'SHA256', [euro], keys).ok).toBe(false);
  });

  it('reports the first form that matched', () => {
    const h = signed('SHA256');
    expect(verifyMac(h, 'SHA256', [url, url], keys)).toMatchObject({ ok: true, url });
    expect(verifyMac(h, 'SHA256', [`${url}?a=b`, url], keys)).toMatchObject({ ok: true, url });
  });

  it('is not ok when there is no URL to check', () => {
    const r = verifyMac(signed('SHA256'), 'SHA256', [], keys);
    expect(r.ok).toBe(false);
  });
});

describe('utf8Redecode (header bytes that travelled as UTF-8)', () => {
  it('re-reads UTF-8 bytes whose characters are all in ISO-8859-1', () => {
    // What the server reads (one character per byte) when a client writes "Demokäyttäjä" as UTF-8.
    const received = Buffer.from('Demokäyttäjä', 'utf8').toString('latin1');
    expect(received).toBe('DemokÃ¤yttÃ¤jÃ¤');
    expect(utf8Redecode(received)).toBe('Demokäyttäjä');
    expect(utf8Redecode(Buffer.from('Åke Ñúñez ÿ', 'utf8').toString('latin1'))).toBe('Åke Ñúñez ÿ');
  });

  it('leaves alone ASCII, ISO-8859-1 bytes that are not UTF-8, and UTF-8 beyond U+00FF', () => {
    expect(utf8Redecode('Acme Integration')).toBeUndefined();
    expect(utf8Redecode('Demokäyttäjä')).toBeUndefined(); // 0xE4 alone is not UTF-8
    expect(utf8Redecode('\u00c3')).toBeUndefined(); // a lead byte without its continuation
    expect(utf8Redecode(Buffer.from('€', 'utf8').toString('latin1'))).toBeUndefined(); // U+20AC cannot be ISO-8859-1
    expect(utf8Redecode(Buffer.from('Mäkelä €', 'utf8').toString('latin1'))).toBeUndefined();
    expect(utf8Redecode('€')).toBeUndefined(); // not a string of bytes at all
  });
});

describe('macForm', () => {
  it('is canonical without fallbacks, else the fallbacks in a fixed order joined by +', () => {
    expect(macForm([])).toBe('canonical');
    expect(macForm(['utf8_string'])).toBe('utf8_string');
    expect(macForm(['timestamp_unix_skew', 'utf8_string', 'utf8_headers', 'wire_url', 'absolute_form'])).toBe(
      'absolute_form+wire_url+utf8_headers+utf8_string+timestamp_unix_skew',
    );
  });
});

describe('verifyMac: the fallbacks of mac-auth.md, "What real clients get wrong"', () => {
  const keys = { customerKey: 'C0FFEE0123456789ABCDEF0123456789', partnerKey: '0123456789ABCDEF0123456789ABCDEF' };
  const BASE = 'https://vault.example.com';
  const sender = 'Demokäyttäjä';
  const asUtf8OnTheWire = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  const clientHeaders = (over: Partial<ParsedMacHeaders> = {}): ParsedMacHeaders =>
    headers({ sender, timestamp: formatMacTimestamp(NOW), timestampUnix: String(Math.floor(NOW / 1000)), ...over });
  /** The MAC a client computes over `h` and `url`, the joined string encoded as `encoding`. */
  const mac = (h: ParsedMacHeaders, url: string, algorithm: 'SHA256' | 'HMACSHA256' | 'MD5', encoding: 'latin1' | 'utf8'): string => {
    const bytes = Buffer.from(macString({ ...h, url, ...keys }, algorithm), encoding);
    if (algorithm === 'HMACSHA256') return createHmac('sha256', Buffer.from(`${keys.customerKey}&${keys.partnerKey}`, encoding)).update(bytes).digest('hex');
    return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(bytes).digest('hex');
  };
  const url = `${BASE}/ingestion/ch_test_abc`;
  const plain = requestUrls(BASE, '/ingestion/ch_test_abc');

  it('tries the canonical form first and alone when it matches', () => {
    const h = clientHeaders();
    const r = verifyMac({ ...h, mac: mac(h, url, 'SHA256', 'latin1') }, 'SHA256', plain, keys);
    expect(r).toMatchObject({ ok: true, url, fallbacks: [], computed: 1 });
    expect(r.headers).toEqual({ ...h, mac: mac(h, url, 'SHA256', 'latin1') });
  });

  it('(a) accepts header values that travelled as UTF-8 bytes, signed over ISO-8859-1, and gives back the decoded values', () => {
    for (const algorithm of ['SHA256', 'HMACSHA256', 'MD5'] as const) {
      const signedAs = clientHeaders({ transactionId: 'tx-ä' });
      const received = { ...signedAs, sender: asUtf8OnTheWire(sender), transactionId: asUtf8OnTheWire('tx-ä'), mac: mac(signedAs, url, algorithm, 'latin1') };
      const r = verifyMac(received, algorithm, plain, keys);
      expect(r, algorithm).toMatchObject({ ok: true, fallbacks: ['utf8_headers'] });
      expect(r.headers).toMatchObject({ sender, transactionId: 'tx-ä' });
    }
  });

  it('(b) accepts the joined string hashed as UTF-8, for every algorithm', () => {
    for (const algorithm of ['SHA256', 'HMACSHA256', 'MD5'] as const) {
      const h = clientHeaders();
      const r = verifyMac({ ...h, mac: mac(h, url, algorithm, 'utf8') }, algorithm, plain, keys);
      expect(r, algorithm).toMatchObject({ ok: true, fallbacks: ['utf8_string'], computed: 2 });
      expect(r.headers!.sender).toBe(sender);
    }
  });

  it('a client that writes and hashes UTF-8 alike matches the canonical form byte for byte; with a non-ASCII URL it needs (a)+(b)', () => {
    const h = clientHeaders();
    const same = verifyMac({ ...h, sender: asUtf8OnTheWire(sender), mac: mac(h, url, 'SHA256', 'utf8') }, 'SHA256', plain, keys);
    expect(same).toMatchObject({ ok: true, fallbacks: [], computed: 1 });
    // The decoded URL's ä is one byte (0xE4) in the canonical form, two in the client's UTF-8 string.
    const withQuery = requestUrls(BASE, '/ingestion/ch_test_abc?ref=M%C3%A4kel%C3%A4');
    const r = verifyMac({ ...h, sender: asUtf8OnTheWire(sender), mac: mac(h, `${url}?ref=Mäkelä`, 'SHA256', 'utf8') }, 'SHA256', withQuery, keys);
    expect(r).toMatchObject({ ok: true, url: `${url}?ref=Mäkelä`, fallbacks: ['utf8_headers', 'utf8_string'] });
    expect(r.headers!.sender).toBe(sender);
  });

  it('(b) also covers a decoded URL that ISO-8859-1 cannot encode (€), which the canonical form skips', () => {
    const urls = requestUrls(BASE, '/ingestion/ch_test_abc?currency=%E2%82%AC');
    const h = clientHeaders({ sender: 'Acme' });
    const r = verifyMac({ ...h, mac: mac(h, `${url}?currency=€`, 'SHA256', 'utf8') }, 'SHA256', urls, keys);
    expect(r).toMatchObject({ ok: true, url: `${url}?currency=€`, fallbacks: ['utf8_string'] });
  });

  it('(d) labels a match over an absolute-form target, built from its path and query', () => {
    const abs = requestUrls(BASE, 'http://vault.example.com:8080/ingestion/ch_test_abc');
    expect(abs).toEqual({ urls: [url], absoluteForm: true });
    const h = clientHeaders();
    expect(verifyMac({ ...h, mac: mac(h, url, 'SHA256', 'latin1') }, 'SHA256', abs, keys)).toMatchObject({ ok: true, url, fallbacks: ['absolute_form'] });
    // Combined with the wire form of its query.
    const absQ = requestUrls(BASE, 'http://vault.example.com/ingestion/ch_test_abc?ref=M%C3%A4kel%C3%A4');
    const wire = `${url}?ref=M%C3%A4kel%C3%A4`;
    expect(verifyMac({ ...h, mac: mac(h, wire, 'SHA256', 'latin1') }, 'SHA256', absQ, keys)).toMatchObject({ ok: true, url: wire, fallbacks: ['absolute_form', 'wire_url'] });
  });

  it('refuses a wrong MAC after at most MAX_MAC_CANDIDATES digests, and shows the canonical string to hash', () => {
    expect(MAX_MAC_CANDIDATES).toBe(8);
    // Every fallback applies: two URL forms, a UTF-8 re-decodable header, a non-ASCII string.
    const urls = requestUrls(BASE, 'http://vault.example.com/ingestion/ch_test_abc?ref=M%C3%A4kel%C3%A4');
    const received = clientHeaders({ sender: asUtf8OnTheWire(sender), mac: 'ab'.repeat(32) });
    const r = verifyMac(received, 'HMACSHA256', urls, keys);
    expect(r).toMatchObject({ ok: false, fallbacks: [], computed: MAX_MAC_CANDIDATES });
    expect(r.headers).toBeUndefined();
    expect(r.maskedInput).toBe(maskedMacString({ ...received, url: `${url}?ref=Mäkelä`, ...keys }, 'HMACSHA256'));
    // An ASCII request to a plain URL has no fallback to try: one digest.
    expect(verifyMac(clientHeaders({ sender: 'Acme', mac: 'ab'.repeat(32) }), 'SHA256', plain, keys).computed).toBe(1);
  });

  it('does not re-decode a value beyond U+00FF, and accepts no MAC of other keys in any form', () => {
    const h = clientHeaders({ sender: 'Acme', mac: 'ab'.repeat(32) });
    // The UTF-8 bytes of "€" are no candidate for (a): only the received reading is tried (ISO-8859-1 and UTF-8).
    expect(verifyMac({ ...h, sender: asUtf8OnTheWire('Euro €') }, 'SHA256', plain, keys)).toMatchObject({ ok: false, computed: 2 });
    // With one that is, both readings are.
    expect(verifyMac({ ...h, sender: asUtf8OnTheWire(sender) }, 'SHA256', plain, keys)).toMatchObject({ ok: false, computed: 4 });
    const other = { customerKey: 'x', partnerKey: 'y' };
    const c = clientHeaders();
    for (const encoding of ['latin1', 'utf8'] as const) {
      expect(verifyMac({ ...c, mac: mac(c, url, 'SHA256', encoding) }, 'SHA256', plain, other).ok).toBe(false);
      expect(verifyMac({ ...c, sender: asUtf8OnTheWire(sender), mac: mac(c, url, 'SHA256', encoding) }, 'SHA256', plain, other).ok).toBe(false);
    }
  });
});

describe('verifyMac: the bound on URL forms', () => {
  it('refuses, as a programming error, more than the two URL forms the bound counts', () => {
    const h = headers({ timestampUnix: '1710491445' });
    const keys = { customerKey: 'k', partnerKey: 'p' };
    expect(() => verifyMac(h, 'SHA256', ['https://h/a', 'https://h/b', 'https://h/c'], keys)).toThrow(/at most 2 URL forms/);
    expect(verifyMac(h, 'SHA256', ['https://h/a', 'https://h/b'], keys).computed).toBe(2);
  });
});
