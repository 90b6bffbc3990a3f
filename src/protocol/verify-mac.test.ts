import { describe, expect, it } from 'vitest';
import type { ParsedMacHeaders } from './auth-headers.js';
import { VaultgateError } from './errors.js';
import { computeMac, type MacInput } from './mac.js';
import { formatMacTimestamp } from './timestamp.js';
import { checkMacTimestamp, resolveMacAlgorithm, verifyMac } from './verify-mac.js';

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

  it('requires TimestampUnix, when sent, to agree with Timestamp to the second', () => {
    expect(() => checkMacTimestamp(headers({ timestampUnix: '1710491445' }), NOW, 300)).not.toThrow();
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1710491446' }), NOW, 300))).toBe('TIMESTAMP_MISMATCH');
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1710491444' }), NOW, 300))).toBe('TIMESTAMP_MISMATCH');
    // Milliseconds instead of seconds is a mismatch too.
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1710491445123' }), NOW, 300))).toBe('TIMESTAMP_MISMATCH');
    // Even with the window off.
    expect(codeOf(() => checkMacTimestamp(headers({ timestampUnix: '1' }), NOW, 0))).toBe('TIMESTAMP_MISMATCH');
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
