import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedMacHeaders } from './auth-headers.js';
import { canonicalUrls } from './canonical-url.js';
import {
  computeMac,
  isLatin1,
  Latin1Error,
  latin1Bytes,
  MAC_ALGORITHMS,
  macBytes,
  macBytesEqual,
  macEquals,
  macString,
  maskedMacString,
  type MacAlgorithm,
  type MacInput,
} from './mac.js';
import { digestMacBytes, digestMacString } from './mac-digest.js';
import { verifyMac } from './verify-mac.js';

interface Vector extends Required<MacInput> {
  sha256: string;
  hmacsha256: string;
  md5: string;
}
interface Negative {
  id: string;
  of: string;
  what: string;
  url?: string;
  partnerId?: string;
  sha256: string;
}
interface VectorFile {
  vectors: Record<string, Vector>;
  negative: Negative[];
}

const file = JSON.parse(
  readFileSync(new URL('../../test/vectors/mac.json', import.meta.url), 'utf8'),
) as VectorFile;
const vectors = Object.entries(file.vectors);

const EXPECTED_KEY: Record<MacAlgorithm, 'sha256' | 'hmacsha256' | 'md5'> = {
  SHA256: 'sha256',
  HMACSHA256: 'hmacsha256',
  MD5: 'md5',
};
const BASE = 'https://isvapi.netvisor.fi';

function vector(id: string): Vector {
  const v = file.vectors[id];
  if (!v) throw new Error(`vector ${id} missing from mac.json`);
  return v;
}

function negative(id: string): Negative {
  const n = file.negative.find((x) => x.id === id);
  if (!n) throw new Error(`negative vector ${id} missing from mac.json`);
  return n;
}

/** The headers a server would have parsed from a client that signed `v` with MAC `mac`. */
function headersOf(v: Vector, mac: string, algorithm: MacAlgorithm = 'SHA256'): ParsedMacHeaders {
  return {
    sender: v.sender,
    customerId: v.customerId,
    partnerId: 'tp_test_partner',
    timestamp: v.timestamp,
    timestampUnix: v.timestampUnix,
    transactionId: v.transactionId,
    language: v.language,
    organisationId: v.organisationId,
    mac,
    algorithm,
  };
}

const keysOf = (v: Vector) => ({ customerKey: v.customerKey, partnerKey: v.partnerKey });

/** The request-target (path and query) of a canonical vector URL. */
function targetOf(url: string): string {
  expect(url.startsWith(BASE)).toBe(true);
  return url.slice(BASE.length);
}

describe('the vector file', () => {
  it('holds the vectors and negative cases the spec names', () => {
    expect(Object.keys(file.vectors).sort()).toEqual(['V2', 'V3', 'V4', 'V6', 'V7']);
    expect(file.negative.map((n) => n.id)).toEqual(['N1', 'N2', 'N3', 'N4']);
  });
});

describe('computeMac: known-answer vectors', () => {
  for (const [id, v] of vectors) {
    for (const algorithm of MAC_ALGORITHMS) {
      it(`${id} ${algorithm}`, () => {
        const mac = computeMac(v, algorithm);
        expect(mac).toBe(v[EXPECTED_KEY[algorithm]]);
        expect(mac).toMatch(/^[0-9a-f]+$/);
        expect(mac).toHaveLength(algorithm === 'MD5' ? 32 : 64);
      });
    }
  }

  it('uses the vector values verbatim: changing any field changes the MAC', () => {
    const v = vector('V2');
    const fields = ['url', 'sender', 'customerId', 'timestamp', 'language', 'organisationId', 'transactionId', 'customerKey', 'partnerKey'] as const;
    for (const f of fields) {
      expect(computeMac({ ...v, [f]: `${v[f]}x` }, 'SHA256'), f).not.toBe(v.sha256);
    }
  });

  it('ignores timestampUnix for SHA256 and MD5, but not for HMACSHA256', () => {
    const v = vector('V3');
    const { timestampUnix: _unused, ...withoutUnix } = v;
    expect(computeMac(withoutUnix, 'SHA256')).toBe(v.sha256);
    expect(computeMac(withoutUnix, 'MD5')).toBe(v.md5);
    expect(computeMac({ ...v, timestampUnix: '1710491447' }, 'HMACSHA256')).not.toBe(v.hmacsha256);
    expect(() => computeMac(withoutUnix, 'HMACSHA256')).toThrow(/timestampUnix/);
  });
});

describe('macString and maskedMacString', () => {
  const input: MacInput = {
    url: 'https://h/x',
    sender: 'S',
    customerId: 'C',
    timestamp: 't',
    language: 'EN',
    organisationId: '1967543-8',
    transactionId: 'T',
    timestampUnix: '42',
    customerKey: 'ck',
    partnerKey: 'pk',
  };

  it('joins the nine fields with & in the specified order', () => {
    expect(macString(input, 'SHA256')).toBe('https://h/x&S&C&t&EN&1967543-8&T&ck&pk');
    expect(macString(input, 'MD5')).toBe('https://h/x&S&C&t&EN&1967543-8&T&ck&pk');
  });

  it('inserts TimestampUnix after TransactionId for HMACSHA256', () => {
    expect(macString(input, 'HMACSHA256')).toBe('https://h/x&S&C&t&EN&1967543-8&T&42&ck&pk');
  });

  it('does not escape & inside values', () => {
    expect(macString({ ...input, sender: 'A&B' }, 'SHA256')).toBe('https://h/x&A&B&C&t&EN&1967543-8&T&ck&pk');
  });

  for (const [id, v] of vectors) {
    for (const algorithm of MAC_ALGORITHMS) {
      it(`never contains the keys (${id} ${algorithm})`, () => {
        const masked = maskedMacString(v, algorithm);
        expect(masked).not.toContain(v.customerKey);
        expect(masked).not.toContain(v.partnerKey);
        expect(masked.endsWith('&<CustomerKey>&<PartnerKey>')).toBe(true);
        // Exactly the keys are masked: putting them back gives the string that is hashed.
        const unmasked = masked.replace('<CustomerKey>', v.customerKey).replace('<PartnerKey>', v.partnerKey);
        expect(unmasked).toBe(macString(v, algorithm));
      });
    }
  }
});

describe('ISO-8859-1', () => {
  it('encodes Latin-1 letters as single bytes', () => {
    expect([...latin1Bytes('Mäkelä')]).toEqual([0x4d, 0xe4, 0x6b, 0x65, 0x6c, 0xe4]);
    expect([...latin1Bytes('\u00ff')]).toEqual([0xff]);
  });

  it('isLatin1 draws the line at U+00FF', () => {
    expect(isLatin1('Åland ÿ \u0000')).toBe(true);
    expect(isLatin1('\u0100')).toBe(false);
    expect(isLatin1('€')).toBe(false);
    expect(isLatin1('😀')).toBe(false);
  });

  it('latin1Bytes refuses characters above U+00FF with a Latin1Error naming the field', () => {
    expect(() => latin1Bytes('Ω', 'sender')).toThrow(Latin1Error);
    try {
      latin1Bytes('price €', 'sender');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Latin1Error);
      expect((e as Latin1Error).field).toBe('sender');
      expect((e as Latin1Error).name).toBe('Latin1Error');
    }
  });

  for (const algorithm of MAC_ALGORITHMS) {
    it(`computeMac refuses a character above U+00FF in any field (${algorithm})`, () => {
      const v = vector('V2');
      for (const f of ['url', 'sender', 'customerId', 'transactionId', 'customerKey', 'partnerKey'] as const) {
        expect(() => computeMac({ ...v, [f]: `${v[f]}\u0100` }, algorithm), f).toThrow(Latin1Error);
      }
      // U+00FF itself is signable.
      expect(computeMac({ ...v, sender: 'ÿ' }, algorithm)).toMatch(/^[0-9a-f]+$/);
    });
  }
});

describe('macEquals', () => {
  const mac = vector('V2').sha256;

  it('accepts an equal MAC in either case', () => {
    expect(macEquals(mac, mac)).toBe(true);
    expect(macEquals(mac.toUpperCase(), mac)).toBe(true);
    expect(macEquals('ABCDEF', 'abcdef')).toBe(true);
    expect(macEquals('aBcDeF', 'abcdef')).toBe(true);
  });

  it('refuses a different MAC of the same length', () => {
    const flipped = (mac[0] === '0' ? '1' : '0') + mac.slice(1);
    expect(macEquals(flipped, mac)).toBe(false);
    const lastFlipped = mac.slice(0, -1) + (mac.endsWith('0') ? '1' : '0');
    expect(macEquals(lastFlipped, mac)).toBe(false);
  });

  it('macBytes decodes an even run of hex digits in either case, else undefined; macBytesEqual compares bytes', () => {
    expect(macBytes('ABcd')).toEqual(Buffer.from([0xab, 0xcd]));
    for (const bad of ['', 'abc', 'abcg', ' abcd', 'ab cd', 'abcd\n']) expect(macBytes(bad)).toBeUndefined();
    const digest = digestMacBytes('x&y', 'k&p', 'SHA256', 'latin1');
    expect(digest.toString('hex')).toBe(digestMacString('x&y', 'k&p', 'SHA256', 'latin1'));
    expect(digest.toString('hex')).toBe(createHash('sha256').update('x&y', 'latin1').digest('hex'));
    expect(macBytesEqual(macBytes(digest.toString('hex').toUpperCase())!, digest)).toBe(true);
    expect(macBytesEqual(digest.subarray(0, 16), digest)).toBe(false);
    expect(digestMacBytes('x', 'k&p', 'MD5', 'latin1').toString('hex')).toBe(createHash('md5').update('x').digest('hex'));
  });

  it('refuses different lengths, even a prefix', () => {
    expect(macEquals(mac.slice(0, 32), mac)).toBe(false);
    expect(macEquals(`${mac}00`, mac)).toBe(false);
    expect(macEquals(mac, mac.slice(0, 32))).toBe(false);
    expect(macEquals('', '')).toBe(false);
    expect(macEquals('', mac)).toBe(false);
  });

  it('refuses non-hex input of the right length', () => {
    expect(macEquals('z'.repeat(64), mac)).toBe(false);
    expect(macEquals(`${mac.slice(0, 63)}g`, mac)).toBe(false);
    expect(macEquals(`${mac.slice(0, 62)} 0`, mac)).toBe(false);
    // Buffer.from(…, 'hex') stops at the first bad pair; a hex prefix must not make a match.
    expect(macEquals(`${mac.slice(0, 62)}zz`, mac)).toBe(false);
  });

  it('refuses odd lengths', () => {
    expect(macEquals('abc', 'abc')).toBe(false);
  });
});

describe('verifyMac with the vectors', () => {
  for (const [id, v] of vectors) {
    for (const algorithm of MAC_ALGORITHMS) {
      const expected = () => v[EXPECTED_KEY[algorithm]];

      it(`${id} ${algorithm}: accepts the MAC, lower and upper case`, () => {
        for (const mac of [expected(), expected().toUpperCase()]) {
          const r = verifyMac(headersOf(v, mac, algorithm), algorithm, [v.url], keysOf(v));
          expect(r.ok).toBe(true);
          expect(r.url).toBe(v.url);
          expect(r.maskedInput).toBe(maskedMacString(v, algorithm));
        }
      });

      it(`${id} ${algorithm}: accepts it through canonicalUrls from the wire form`, () => {
        const wireTarget = new URL(v.url).pathname + new URL(v.url).search;
        const urls = canonicalUrls(BASE, wireTarget);
        expect(urls[0]).toBe(v.url);
        const r = verifyMac(headersOf(v, expected(), algorithm), algorithm, urls, keysOf(v));
        expect(r).toMatchObject({ ok: true, url: v.url });
      });

      it(`${id} ${algorithm}: refuses wrong keys, another algorithm's digest, a one-digit change`, () => {
        const h = headersOf(v, expected(), algorithm);
        expect(verifyMac(h, algorithm, [v.url], { ...keysOf(v), customerKey: v.partnerKey }).ok).toBe(false);
        expect(verifyMac(h, algorithm, [v.url], { ...keysOf(v), partnerKey: v.customerKey }).ok).toBe(false);
        const other = MAC_ALGORITHMS.find((a) => a !== algorithm && a !== 'MD5') ?? 'SHA256';
        expect(verifyMac(h, other, [v.url], keysOf(v)).ok).toBe(false);
        const tweaked = expected().slice(0, -1) + (expected().endsWith('a') ? 'b' : 'a');
        expect(verifyMac({ ...h, mac: tweaked }, algorithm, [v.url], keysOf(v)).ok).toBe(false);
        expect(verifyMac(h, algorithm, [`${v.url}/`], keysOf(v)).ok).toBe(false);
      });
    }
  }

  it('URL case matters', () => {
    const v = vector('V2');
    const r = verifyMac(headersOf(v, v.sha256), 'SHA256', [v.url.replace('customerlist', 'CustomerList')], keysOf(v));
    expect(r.ok).toBe(false);
  });
});

describe('negative vectors', () => {
  it('N1: the V4 inputs hashed as UTF-8 give the N1 digest, accepted only as the UTF-8 string fallback', () => {
    const n = negative('N1');
    const v = vector(n.of);
    expect(n.of).toBe('V4');
    expect(n.what).toMatch(/accepts it only as the UTF-8 compatibility fallback/);
    const utf8 = createHash('sha256').update(Buffer.from(macString(v, 'SHA256'), 'utf8')).digest('hex');
    expect(utf8).toBe(n.sha256);
    expect(n.sha256).not.toBe(v.sha256);
    // A signer never produces it.
    for (const algorithm of MAC_ALGORITHMS) expect(computeMac(v, algorithm)).not.toBe(n.sha256);

    const h = headersOf(v, n.sha256);
    // Accepted, but only as the fallback: the match names utf8_string, never the canonical form.
    expect(verifyMac(h, 'SHA256', [v.url], keysOf(v))).toMatchObject({ ok: true, url: v.url, fallbacks: ['utf8_string'], computed: 2 });
    // Through the URL forms the server tries for the wire request: the decoded URL, still as the UTF-8 fallback.
    const urls = canonicalUrls(BASE, '/customerlist.nv?keyword=M%C3%A4kel%C3%A4');
    expect(verifyMac(h, 'SHA256', urls, keysOf(v))).toMatchObject({ ok: true, url: v.url, fallbacks: ['utf8_string'] });
    expect(verifyMac({ ...h, mac: n.sha256.toUpperCase() }, 'SHA256', [v.url], keysOf(v)).fallbacks).toEqual(['utf8_string']);
    // The canonical V4 MAC still matches first, with no fallback.
    expect(verifyMac(headersOf(v, v.sha256), 'SHA256', urls, keysOf(v))).toMatchObject({ ok: true, fallbacks: [], computed: 1 });
    // The hint on a failure is the canonical string, never a UTF-8 one.
    const failed = verifyMac({ ...h, mac: 'ab'.repeat(32) }, 'SHA256', urls, keysOf(v));
    expect(failed.ok).toBe(false);
    expect(failed.maskedInput).toBe(maskedMacString(v, 'SHA256'));
  });

  it('N2: the percent-encoded URL is accepted only as the raw-target fallback', () => {
    const n = negative('N2');
    const v = vector(n.of);
    expect(n.of).toBe('V4');
    const rawTarget = targetOf(n.url!);
    expect(rawTarget).toBe('/customerlist.nv?keyword=M%C3%A4kel%C3%A4');

    const urls = canonicalUrls(BASE, rawTarget);
    expect(urls).toEqual([v.url, n.url]);

    // The digest over the wire form is N2's, and it matches the second (fallback) form only.
    expect(computeMac({ ...v, url: n.url! }, 'SHA256')).toBe(n.sha256);
    const viaFallback = verifyMac(headersOf(v, n.sha256), 'SHA256', urls, keysOf(v));
    expect(viaFallback).toMatchObject({ ok: true, url: n.url, fallbacks: ['wire_url'] });
    expect(viaFallback.url).not.toBe(urls[0]);
    // Without the fallback form it is refused.
    expect(verifyMac(headersOf(v, n.sha256), 'SHA256', [v.url], keysOf(v)).ok).toBe(false);
    // The conforming (decoded) MAC matches the first form.
    expect(verifyMac(headersOf(v, v.sha256), 'SHA256', urls, keysOf(v))).toMatchObject({ ok: true, url: v.url });
    // A computation over the decoded URL never yields N2, whatever the algorithm.
    for (const algorithm of MAC_ALGORITHMS) expect(computeMac(v, algorithm)).not.toBe(n.sha256);
  });

  it('N3: space written as %20 does not match the canonical V7 URL', () => {
    const n = negative('N3');
    const v = vector(n.of);
    expect(n.of).toBe('V7');
    expect(v.url).toContain('keyword=Oy Ab');
    expect(computeMac({ ...v, url: n.url! }, 'SHA256')).toBe(n.sha256);
    expect(n.sha256).not.toBe(v.sha256);

    expect(verifyMac(headersOf(v, n.sha256), 'SHA256', [v.url], keysOf(v)).ok).toBe(false);
    // The canonical form the server rebuilds from the wire target is V7's, and N3 does not match it; should a
    // client hash the wire form, only the raw-target fallback (never the canonical form) can match.
    const urls = canonicalUrls(BASE, targetOf(n.url!));
    expect(urls[0]).toBe(v.url);
    const r = verifyMac(headersOf(v, n.sha256), 'SHA256', urls, keysOf(v));
    expect(r).toMatchObject({ ok: true, url: n.url });
    expect(r.url).not.toBe(v.url);
  });

  it('N4: PartnerId inside the string is not accepted', () => {
    const n = negative('N4');
    const v = vector(n.of);
    expect(n.of).toBe('V2');
    const withPartner = [v.url, v.sender, v.customerId, v.timestamp, v.language, v.organisationId, v.transactionId, n.partnerId!, v.customerKey, v.partnerKey].join('&');
    expect(createHash('sha256').update(Buffer.from(withPartner, 'latin1')).digest('hex')).toBe(n.sha256);
    expect(n.sha256).not.toBe(v.sha256);

    const h = { ...headersOf(v, n.sha256), partnerId: n.partnerId! };
    expect(verifyMac(h, 'SHA256', [v.url], keysOf(v)).ok).toBe(false);
    expect(verifyMac(h, 'SHA256', canonicalUrls(BASE, targetOf(v.url)), keysOf(v)).ok).toBe(false);
    // The partner id the client sends has no effect on the MAC.
    expect(verifyMac({ ...headersOf(v, v.sha256), partnerId: n.partnerId! }, 'SHA256', [v.url], keysOf(v)).ok).toBe(true);
  });
});
