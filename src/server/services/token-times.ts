import type { JWTPayload } from 'jose';

/*
 * The time checks jose leaves to us (issue 11 §4): jwtVerify checks exp and nbf, and iat only against a maximum
 * age, so a token "issued" a year from now passes, and so does one that lives for ten years. Both are refused
 * here, for access tokens and client assertions alike.
 */

export type TokenTimeProblem =
  | { kind: 'issued-in-future'; detail: string }
  | { kind: 'lifetime-too-long'; detail: string };

/**
 * Checks a verified payload (exp required; iat and exp numbers, as jose ensured) at `nowS` (epoch seconds):
 * iat may be at most `leewayS` ahead of now (RFC 7519 §4.1.6), and the lifetime `exp - iat` (or `exp - now`
 * when there is no iat, with the leeway) at most `maxLifetimeS`. Undefined when both hold.
 */
export function checkTokenTimes(p: JWTPayload, nowS: number, leewayS: number, maxLifetimeS: number): TokenTimeProblem | undefined {
  const exp = p.exp as number;
  if (typeof p.iat === 'number' && p.iat > nowS + leewayS) {
    return { kind: 'issued-in-future', detail: `iat is ${p.iat - nowS} s ahead of this server's clock; at most ${leewayS} s of skew are tolerated.` };
  }
  const lifetime = typeof p.iat === 'number' ? exp - p.iat : exp - nowS - leewayS;
  if (lifetime > maxLifetimeS) {
    return {
      kind: 'lifetime-too-long',
      detail: `The token lives ${lifetime} s (${typeof p.iat === 'number' ? 'exp - iat' : 'exp - now, no iat'}); at most ${maxLifetimeS} s are accepted.`,
    };
  }
  return undefined;
}
