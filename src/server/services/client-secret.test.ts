import { describe, expect, it } from 'vitest';
import { hashClientSecret, newClientSecret, verifyClientSecret } from './client-secret.js';

describe('client secrets', () => {
  it('are 256-bit, stored salted and hashed, and verify only themselves', () => {
    const secret = newClientSecret();
    expect(secret).toMatch(/^vgs_[A-Za-z0-9_-]{43}$/);
    const stored = hashClientSecret(secret);
    expect(stored).not.toContain(secret.slice(4));
    expect(hashClientSecret(secret)).not.toBe(stored); // fresh salt each time
    expect(verifyClientSecret(secret, stored)).toBe(true);
    expect(verifyClientSecret(`${secret}x`, stored)).toBe(false);
    expect(verifyClientSecret(newClientSecret(), stored)).toBe(false);
    expect(verifyClientSecret(secret, 'md5$x$y')).toBe(false);
    expect(verifyClientSecret(secret, 'garbage')).toBe(false);
  });
});
