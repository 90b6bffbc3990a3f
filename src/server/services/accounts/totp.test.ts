import { describe, expect, it } from 'vitest';
import { newTotpSecret, TOTP_PERIOD_S, totpCode, totpStep, totpUri } from './totp.js';

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 appendix B SHA-1 vectors (last 6 digits)', () => {
    // The RFC's seed "12345678901234567890" in base32.
    const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(seed, 59_000)).toBe('287082');
    expect(totpCode(seed, 1_111_111_109_000)).toBe('081804');
    expect(totpCode(seed, 2_000_000_000_000)).toBe('279037');
  });

  it('gives the step of a code within one step either side, null outside or for junk', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    const now = 1_800_000_000_000;
    const step = Math.floor(now / 1000 / TOTP_PERIOD_S);
    expect(totpStep(s, totpCode(s, now), now)).toBe(step);
    expect(totpStep(s, totpCode(s, now - 30_000), now)).toBe(step - 1);
    expect(totpStep(s, totpCode(s, now + 30_000), now)).toBe(step + 1);
    expect(totpStep(s, totpCode(s, now - 90_000), now)).toBeNull();
    expect(totpStep(s, '12345', now)).toBeNull();
    expect(totpStep(s, 'abcdef', now)).toBeNull();
  });

  it('enrols from an otpauth:// URI naming issuer and account', () => {
    const uri = totpUri('JBSWY3DPEHPK3PXP', 'aino@example.com', 'Vaultgate (test)');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Vaultgate%20\(test\):aino%40example\.com\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(new URL(uri).searchParams.get('period')).toBe('30');
  });
});
