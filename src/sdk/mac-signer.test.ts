import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMacTimestamp } from '../protocol/index.js';
import { authorizerFor } from './auth.js';
import { signRequest } from './mac-signer.js';
import { parseRetryAfter, retryDelay, DEFAULT_RETRY, isRetryableStatus } from './retry.js';

const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/mac.json', import.meta.url), 'utf8')) as {
  vectors: Record<string, Record<string, string>>;
};

describe('SDK signing passes every MAC vector', () => {
  for (const [id, v] of Object.entries(vectors.vectors)) {
    for (const [algorithm, field] of [['SHA256', 'sha256'], ['HMACSHA256', 'hmacsha256'], ['MD5', 'md5']] as const) {
      it(`${id} ${algorithm}`, () => {
        // The SDK is given the URL as sent (percent-encoded) and signs its decoded form.
        const wire = new URL(v.url!).href;
        const headers = signRequest(
          { partnerId: 'p', partnerKey: v.partnerKey!, customerId: v.customerId!, customerKey: v.customerKey!, organisationId: v.organisationId!, sender: v.sender!, language: v.language as 'EN', algorithm },
          wire,
          { transactionId: v.transactionId!, nowMs: parseMacTimestamp(v.timestamp!)! },
        );
        expect(headers['X-Netvisor-Authentication-Timestamp']).toBe(v.timestamp);
        expect(headers['X-Netvisor-Authentication-MAC']).toBe(v[field]);
        if (algorithm === 'HMACSHA256') expect(headers['X-Netvisor-Authentication-TimestampUnix']).toBe(v.timestampUnix);
      });
    }
  }
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
  it('backs off exponentially with full jitter, capped; Retry-After wins but is capped too', () => {
    expect(retryDelay(1, DEFAULT_RETRY, undefined, () => 0.999)).toBe(199);
    expect(retryDelay(3, DEFAULT_RETRY, undefined, () => 0.5)).toBe(400);
    expect(retryDelay(30, DEFAULT_RETRY, undefined, () => 0.999)).toBeLessThan(DEFAULT_RETRY.maxDelayMs);
    expect(retryDelay(1, DEFAULT_RETRY, 5000)).toBe(5000);
    expect(retryDelay(1, DEFAULT_RETRY, 3_600_000)).toBe(DEFAULT_RETRY.maxDelayMs);
  });
  it('retries 429 and 5xx, not 4xx', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 501].some(isRetryableStatus)).toBe(false);
  });
});

describe('bearer seam', () => {
  it('sends the provider token and the transaction id as Idempotency-Key; a 401 invalidates the cached token', async () => {
    let n = 0;
    let invalidated = 0;
    const auth = authorizerFor({ tokenProvider: { getToken: async () => `t${++n}`, invalidate: () => void invalidated++ } });
    expect(auth.scheme).toBe('bearer');
    expect(await auth.headers({ method: 'POST', url: 'https://h/ingestion/ch', transactionId: 'tx-1' })).toEqual({ authorization: 'Bearer t1', 'idempotency-key': 'tx-1' });
    auth.rejected();
    expect(invalidated).toBe(1);
  });
});
