import { describe, expect, it } from 'vitest';
import { cachedTokenProvider } from './token-cache.js';

describe('cachedTokenProvider', () => {
  const setup = (expiresInS = 3600) => {
    let clock = 0;
    let issued = 0;
    const provider = cachedTokenProvider(async () => ({ accessToken: `t${++issued}`, expiresInS }), { now: () => clock });
    return { provider, advance: (ms: number) => void (clock += ms), issued: () => issued };
  };

  it('caches the token and refreshes it 60 s before it expires', async () => {
    const s = setup();
    expect(await s.provider.getToken()).toBe('t1');
    s.advance(3539_000);
    expect(await s.provider.getToken()).toBe('t1');
    s.advance(1_000);
    expect(await s.provider.getToken()).toBe('t2');
    expect(s.issued()).toBe(2);
  });

  it('fetches once for many concurrent callers', async () => {
    const s = setup();
    expect(await Promise.all(Array.from({ length: 10 }, () => s.provider.getToken()))).toEqual(Array(10).fill('t1'));
    expect(s.issued()).toBe(1);
  });

  it('a short-lived token is refreshed at half its lifetime; invalidate forces a new one', async () => {
    const s = setup(60);
    await s.provider.getToken();
    s.advance(30_000);
    expect(await s.provider.getToken()).toBe('t2');
    s.provider.invalidate!();
    expect(await s.provider.getToken()).toBe('t3');
  });

  it('a failed fetch is reported and the next call tries again', async () => {
    let fail = true;
    const p = cachedTokenProvider(async () => {
      if (fail) throw new Error('token endpoint down');
      return { accessToken: 'ok', expiresInS: 100 };
    });
    await expect(p.getToken()).rejects.toThrow('token endpoint down');
    fail = false;
    expect(await p.getToken()).toBe('ok');
    await expect(cachedTokenProvider(async () => ({ accessToken: '', expiresInS: 1 })).getToken()).rejects.toThrow('no access token');
  });
});
