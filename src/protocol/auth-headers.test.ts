import { describe, expect, it } from 'vitest';
import {
  buildMacHeaders,
  type HeaderBag,
  MAC_HEADERS,
  parseMacHeaders,
  requestLanguage,
  usesBearerScheme,
  usesMacScheme,
  wantsHttpStatusCodes,
} from './auth-headers.js';
import { computeMac, type MacInput } from './mac.js';

/** A complete, well-formed header set as Node presents it (lowercase names). */
function valid(): Record<string, string> {
  return {
    'x-netvisor-authentication-sender': 'Acme Integration',
    'x-netvisor-authentication-customerid': 'AB_12345_6789',
    'x-netvisor-authentication-partnerid': 'tp_test_partner',
    'x-netvisor-authentication-timestamp': '2024-03-15 08:30:45.123',
    'x-netvisor-authentication-timestampunix': '1710491445',
    'x-netvisor-authentication-transactionid': 'd3b07384d113edec49eaa6238ad5ff00',
    'x-netvisor-interface-language': 'EN',
    'x-netvisor-organisation-id': '2729069-3',
    'x-netvisor-authentication-mac': 'aada3ce186c4fe4a9fbc534dcc2f3b3bd64d8c11181258cbcd13405b70185c1b',
    'x-netvisor-authentication-machashcalculationalgorithm': 'SHA256',
  };
}

function problemsOf(headers: HeaderBag): string[] {
  const r = parseMacHeaders(headers);
  if (r.ok) throw new Error('expected the headers to be refused');
  return r.problems;
}

const lower = (h: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('parseMacHeaders', () => {
  it('accepts a complete header set and returns the values verbatim', () => {
    expect(parseMacHeaders(valid())).toEqual({
      ok: true,
      value: {
        sender: 'Acme Integration',
        customerId: 'AB_12345_6789',
        partnerId: 'tp_test_partner',
        timestamp: '2024-03-15 08:30:45.123',
        timestampUnix: '1710491445',
        transactionId: 'd3b07384d113edec49eaa6238ad5ff00',
        language: 'EN',
        organisationId: '2729069-3',
        mac: 'aada3ce186c4fe4a9fbc534dcc2f3b3bd64d8c11181258cbcd13405b70185c1b',
        algorithm: 'SHA256',
      },
    });
  });

  it('treats TimestampUnix and the algorithm as optional', () => {
    const h = valid();
    delete h[MAC_HEADERS.timestampUnix];
    delete h[MAC_HEADERS.algorithm];
    const r = parseMacHeaders(h);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.timestampUnix).toBeUndefined();
      expect(r.value.algorithm).toBeUndefined();
    }
  });

  it('keeps Latin-1 letters in the sender as they are', () => {
    const r = parseMacHeaders({ ...valid(), [MAC_HEADERS.sender]: 'Mäkelä Oy' });
    expect(r.ok && r.value.sender).toBe('Mäkelä Oy');
  });

  it('takes the first value of a repeated header', () => {
    const r = parseMacHeaders({ ...valid(), [MAC_HEADERS.transactionId]: ['first', 'second'] });
    expect(r.ok && r.value.transactionId).toBe('first');
  });

  const required: [keyof typeof MAC_HEADERS, string][] = [
    ['sender', 'X-Netvisor-Authentication-Sender'],
    ['customerId', 'X-Netvisor-Authentication-CustomerId'],
    ['partnerId', 'X-Netvisor-Authentication-PartnerId'],
    ['timestamp', 'X-Netvisor-Authentication-Timestamp'],
    ['transactionId', 'X-Netvisor-Authentication-TransactionId'],
    ['language', 'X-Netvisor-Interface-Language'],
    ['organisationId', 'X-Netvisor-Organisation-ID'],
    ['mac', 'X-Netvisor-Authentication-MAC'],
  ];

  it.each(required)('lists %s as missing when absent or empty', (key, display) => {
    const h = valid();
    delete h[MAC_HEADERS[key]];
    expect(problemsOf(h)).toEqual([`missing ${display}`]);
    expect(problemsOf({ ...valid(), [MAC_HEADERS[key]]: '' })).toEqual([`missing ${display}`]);
  });

  it('lists every missing header at once', () => {
    const problems = problemsOf({});
    expect(problems).toEqual(required.map(([, display]) => `missing ${display}`));
  });

  it('refuses a language other than FI, EN, SE (any case)', () => {
    for (const l of ['FI', 'fi', 'En', 'SE', 'se']) expect(parseMacHeaders({ ...valid(), [MAC_HEADERS.language]: l }).ok).toBe(true);
    for (const l of ['SV', 'DE', 'FIN', 'english']) {
      expect(problemsOf({ ...valid(), [MAC_HEADERS.language]: l })).toEqual(['X-Netvisor-Interface-Language must be FI, EN or SE']);
    }
  });

  it('refuses a MAC that is not a hex digest', () => {
    for (const mac of ['z'.repeat(64), 'abc', 'a'.repeat(31), 'a'.repeat(129), `${'a'.repeat(63)} `, `0x${'a'.repeat(62)}`]) {
      expect(problemsOf({ ...valid(), [MAC_HEADERS.mac]: mac }), mac).toEqual(['X-Netvisor-Authentication-MAC must be a hex digest']);
    }
    // An uppercase digest and an MD5-length one are well-formed.
    expect(parseMacHeaders({ ...valid(), [MAC_HEADERS.mac]: 'AADA3CE186C4FE4A9FBC534DCC2F3B3BD64D8C11181258CBCD13405B70185C1B' }).ok).toBe(true);
    expect(parseMacHeaders({ ...valid(), [MAC_HEADERS.mac]: '17e406e2f2421c281e74b4966e55079a' }).ok).toBe(true);
  });

  it('refuses a transaction id over 255 characters or with control characters', () => {
    const problem = 'X-Netvisor-Authentication-TransactionId must be 1-255 characters without control characters';
    expect(parseMacHeaders({ ...valid(), [MAC_HEADERS.transactionId]: 'x'.repeat(255) }).ok).toBe(true);
    expect(problemsOf({ ...valid(), [MAC_HEADERS.transactionId]: 'x'.repeat(256) })).toEqual([problem]);
    for (const c of ['\u0000', '\t', '\n', '\u001f', '\u007f']) {
      expect(problemsOf({ ...valid(), [MAC_HEADERS.transactionId]: `abc${c}def` })).toEqual([problem]);
    }
    // Spaces and Latin-1 letters are not control characters.
    expect(parseMacHeaders({ ...valid(), [MAC_HEADERS.transactionId]: 'tx 1 ä' }).ok).toBe(true);
  });

  it('refuses a timestamp that does not parse', () => {
    for (const t of ['2024-03-15T08:30:45', '2024-02-31 00:00:00', 'yesterday']) {
      const problems = problemsOf({ ...valid(), [MAC_HEADERS.timestamp]: t });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^X-Netvisor-Authentication-Timestamp must be/);
    }
    expect(parseMacHeaders({ ...valid(), [MAC_HEADERS.timestamp]: '2024-03-15T10:30:45+02:00' }).ok).toBe(true);
  });

  it('refuses a TimestampUnix that is not whole seconds', () => {
    for (const t of ['1710491445.5', '-1', 'abc', '1'.repeat(13)]) {
      expect(problemsOf({ ...valid(), [MAC_HEADERS.timestampUnix]: t })).toEqual([
        'X-Netvisor-Authentication-TimestampUnix must be whole seconds since the epoch',
      ]);
    }
  });

  it('reports several problems together', () => {
    const h = { ...valid(), [MAC_HEADERS.language]: 'DE', [MAC_HEADERS.mac]: 'nope' };
    delete (h as Record<string, string>)[MAC_HEADERS.sender];
    expect(problemsOf(h)).toHaveLength(3);
  });
});

describe('requestLanguage', () => {
  it('follows the scheme language header, case-insensitively; SE means Swedish', () => {
    expect(requestLanguage({ [MAC_HEADERS.language]: 'FI' })).toBe('fi');
    expect(requestLanguage({ [MAC_HEADERS.language]: 'EN' })).toBe('en');
    expect(requestLanguage({ [MAC_HEADERS.language]: 'SE' })).toBe('sv');
    expect(requestLanguage({ [MAC_HEADERS.language]: 'se' })).toBe('sv');
    expect(requestLanguage({ [MAC_HEADERS.language]: ' fi ' })).toBe('fi');
  });

  it('prefers the scheme header over Accept-Language', () => {
    expect(requestLanguage({ [MAC_HEADERS.language]: 'EN', 'accept-language': 'fi-FI' })).toBe('en');
    expect(requestLanguage({ [MAC_HEADERS.language]: 'SE', 'accept-language': 'fi' })).toBe('sv');
  });

  it('falls back to Accept-Language when the scheme header is absent or unknown', () => {
    expect(requestLanguage({ 'accept-language': 'fi-FI' })).toBe('fi');
    expect(requestLanguage({ 'accept-language': 'sv' })).toBe('sv');
    expect(requestLanguage({ 'accept-language': 'sv-FI,fi;q=0.8' })).toBe('sv');
    expect(requestLanguage({ 'accept-language': 'de-DE, fi;q=0.5' })).toBe('fi');
    expect(requestLanguage({ 'accept-language': 'FI' })).toBe('fi');
    expect(requestLanguage({ [MAC_HEADERS.language]: 'DE', 'accept-language': 'fi' })).toBe('fi');
  });

  it('honours q-values in Accept-Language and skips q=0', () => {
    expect(requestLanguage({ 'accept-language': 'en;q=0.3, fi;q=0.9' })).toBe('fi');
    expect(requestLanguage({ 'accept-language': 'fi;q=0, sv' })).toBe('sv');
    expect(requestLanguage({ 'accept-language': 'sv;q=0.5, fi;q=0.5' })).toBe('sv');
  });

  it('matches the primary subtag, not a prefix', () => {
    expect(requestLanguage({ 'accept-language': 'fil, fi;q=0.1' })).toBe('fi');
    expect(requestLanguage({ 'accept-language': 'fil' })).toBe('en');
    expect(requestLanguage({ 'accept-language': 'constructor' })).toBe('en');
    expect(requestLanguage({ 'accept-language': '__proto__' })).toBe('en');
  });

  it('defaults to English', () => {
    expect(requestLanguage({})).toBe('en');
    expect(requestLanguage({ 'accept-language': 'de, *' })).toBe('en');
    expect(requestLanguage({ 'accept-language': '' })).toBe('en');
  });
});

describe('wantsHttpStatusCodes', () => {
  it('is true only for 1', () => {
    expect(wantsHttpStatusCodes({ [MAC_HEADERS.useHttpStatusCodes]: '1' })).toBe(true);
    expect(wantsHttpStatusCodes({ [MAC_HEADERS.useHttpStatusCodes]: ' 1 ' })).toBe(true);
    for (const v of ['0', 'true', 'yes', '', '11']) expect(wantsHttpStatusCodes({ [MAC_HEADERS.useHttpStatusCodes]: v })).toBe(false);
    expect(wantsHttpStatusCodes({})).toBe(false);
  });
});

describe('usesBearerScheme', () => {
  it('is true for Authorization: Bearer in any case, and for nothing else', () => {
    expect(usesBearerScheme({ authorization: 'Bearer eyJ.a.b' })).toBe(true);
    expect(usesBearerScheme({ authorization: 'bearer eyJ.a.b', 'x-netvisor-authentication-sender': 'x' })).toBe(true);
    expect(usesBearerScheme({ authorization: 'Bearer' })).toBe(true);
    expect(usesBearerScheme({ authorization: 'Basic dXNlcjpwdw==' })).toBe(false);
    expect(usesBearerScheme({ authorization: 'Bearertoken' })).toBe(false);
    expect(usesBearerScheme({})).toBe(false);
  });
});

describe('usesMacScheme', () => {
  it('is true when any X-Netvisor-* header is present', () => {
    expect(usesMacScheme(valid())).toBe(true);
    expect(usesMacScheme({ 'x-netvisor-interface-language': 'FI' })).toBe(true);
    expect(usesMacScheme({ [MAC_HEADERS.useHttpStatusCodes]: '1', 'content-type': 'application/json' })).toBe(true);
  });

  it('is false for bearer-token requests', () => {
    expect(usesMacScheme({})).toBe(false);
    expect(usesMacScheme({ authorization: 'Bearer x', 'x-message-type': 'Order', 'content-type': 'text/csv' })).toBe(false);
  });
});

describe('buildMacHeaders', () => {
  const input: MacInput = {
    url: 'https://isvapi.netvisor.fi/customerlist.nv?keyword=Mäkelä',
    sender: 'Acme Integration',
    customerId: 'AB_12345_6789',
    timestamp: '2024-03-15 08:30:47.500',
    language: 'FI',
    organisationId: '2729069-3',
    transactionId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
    timestampUnix: '1710491447',
    customerKey: 'C0FFEE0123456789ABCDEF0123456789',
    partnerKey: '0123456789ABCDEF0123456789ABCDEF',
  };

  it('round-trips through parseMacHeaders (names as Node lowercases them)', () => {
    const mac = computeMac(input, 'HMACSHA256');
    const built = buildMacHeaders(input, { partnerId: 'tp_test_partner', algorithm: 'HMACSHA256', mac, useHttpStatusCodes: true });
    const r = parseMacHeaders(lower(built));
    expect(r).toEqual({
      ok: true,
      value: {
        sender: input.sender,
        customerId: input.customerId,
        partnerId: 'tp_test_partner',
        timestamp: input.timestamp,
        timestampUnix: input.timestampUnix,
        transactionId: input.transactionId,
        language: input.language,
        organisationId: input.organisationId,
        mac,
        algorithm: 'HMACSHA256',
      },
    });
    expect(wantsHttpStatusCodes(lower(built))).toBe(true);
    expect(usesMacScheme(lower(built))).toBe(true);
  });

  it('sends neither key, nor the URL', () => {
    const built = buildMacHeaders(input, { partnerId: 'tp_test_partner', algorithm: 'SHA256', mac: computeMac(input, 'SHA256') });
    const all = JSON.stringify(built);
    expect(all).not.toContain(input.customerKey);
    expect(all).not.toContain(input.partnerKey);
    expect(all).not.toContain('customerlist.nv');
  });

  it('omits TimestampUnix and UseHTTPResponseStatusCodes when not asked for', () => {
    const { timestampUnix: _unused, ...noUnix } = input;
    const built = buildMacHeaders(noUnix, { partnerId: 'p', algorithm: 'SHA256', mac: computeMac(noUnix, 'SHA256') });
    expect(Object.keys(built)).not.toContain('X-Netvisor-Authentication-TimestampUnix');
    expect(Object.keys(built)).not.toContain('X-Netvisor-Authentication-UseHTTPResponseStatusCodes');
    expect(wantsHttpStatusCodes(lower(built))).toBe(false);
    expect(parseMacHeaders(lower(built)).ok).toBe(true);
  });

  it('uses the header names of MAC_HEADERS', () => {
    const built = buildMacHeaders(input, { partnerId: 'p', algorithm: 'SHA256', mac: 'ab'.repeat(32), useHttpStatusCodes: true });
    expect(Object.keys(lower(built)).sort()).toEqual(Object.values(MAC_HEADERS).sort());
  });
});
