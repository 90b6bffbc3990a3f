import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';
import { parseOidcIssuers } from './oidc-issuers.js';

const entraV2 = { issuer: 'https://login.microsoftonline.com/tid/v2.0', audiences: ['api://vaultgate'] };

describe('VAULTGATE_OIDC_ISSUERS', () => {
  it('fills the documented defaults: discovery under the issuer, RS256, azp/appid/client_id, roles', () => {
    const r = parseOidcIssuers(JSON.stringify([entraV2]));
    expect(r).toEqual({
      ok: true,
      value: [{
        issuer: entraV2.issuer, discoveryUrl: 'https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration', jwksUri: undefined,
        audiences: ['api://vaultgate'], algorithms: ['RS256'], clientIdClaims: ['azp', 'appid', 'client_id'], rolesClaim: 'roles',
        roleMap: {}, requiredClaims: {}, jwksMinRefetchIntervalS: 30, maxTokenLifetimeS: 86400,
      }],
    });
  });

  it('expresses Entra v1 (jwksUri, appid) and B2C (tfp policy, scp)', () => {
    const r = parseOidcIssuers([
      { issuer: 'https://sts.windows.net/tid/', jwksUri: 'https://login.microsoftonline.com/tid/discovery/keys', audience: 'api://vaultgate', clientIdClaim: 'appid' },
      { issuer: 'https://contoso.b2clogin.com/tid/v2.0/', jwksUri: 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1a_cc/discovery/v2.0/keys', audiences: ['app'], rolesClaim: 'scp', requiredClaims: { tfp: 'B2C_1A_CC' } },
    ]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value[0]).toMatchObject({ discoveryUrl: undefined, clientIdClaims: ['appid'], audiences: ['api://vaultgate'] });
      expect(r.value[1]).toMatchObject({ rolesClaim: 'scp', requiredClaims: { tfp: 'B2C_1A_CC' } });
    }
  });

  it('refuses HMAC and none, a missing audience, both discovery and jwksUri, unknown keys, a lifetime over a week, and bad JSON, naming each', () => {
    const r = parseOidcIssuers([
      { ...entraV2, algorithms: ['RS256', 'HS256', 'none'] },
      { issuer: 'https://idp.example/' },
      { ...entraV2, issuer: 'https://x.example/', discoveryUrl: 'https://x.example/d', jwksUri: 'https://x.example/k', roleMap: { a: 'admin' } },
      { ...entraV2, issuer: 'https://y.example/', jwks: 'https://y.example/k' },
      { ...entraV2, issuer: 'https://z.example/', maxTokenLifetimeS: 10 * 86400 },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toMatch(/\[0\]\.algorithms: only asymmetric algorithms are allowed .*refused: HS256, none/);
      expect(r.problem).toMatch(/\[1\]\.audiences/);
      expect(r.problem).toMatch(/\[2\]: set discoveryUrl or jwksUri, not both/);
      expect(r.problem).toMatch(/\[2\]\.roleMap/);
      expect(r.problem).toMatch(/\[3\]\.jwks: unknown setting/);
      expect(r.problem).toMatch(/\[4\]\.maxTokenLifetimeS: must be a whole number of seconds, 60-604800/);
    }
    expect(parseOidcIssuers('[{').ok).toBe(false);
    expect(parseOidcIssuers(JSON.stringify([entraV2, entraV2]))).toMatchObject({ ok: false, problem: expect.stringMatching(/appears twice/) });
  });

  it('is read from the config file as an array, and live refuses plain-HTTP key locations', () => {
    const file = join(tmpdir(), `vg-issuers-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ oidcIssuers: [{ ...entraV2, jwksUri: 'https://login.example/keys' }] }));
    expect(loadConfig({ file }).oidcIssuers[0]!.jwksUri).toBe('https://login.example/keys');
    const live = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_PUBLIC_URL: 'https://vg.example.com', VAULTGATE_OIDC_ISSUERS: JSON.stringify([{ ...entraV2, jwksUri: 'http://login.example/keys' }]) };
    expect(() => loadConfig({ env: live })).toThrow(ConfigError);
    expect(() => loadConfig({ env: live })).toThrow(/must be https:\/\/ in live/);
  });
});
