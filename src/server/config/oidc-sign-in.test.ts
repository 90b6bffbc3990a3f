import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const entra = {
  id: 'entra-contoso', issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
  clientSecret: 'not-a-real-secret', domains: ['Contoso.fi'], trustEmailInDomains: true,
};
const load = (providers: unknown, env: Record<string, string> = {}) => loadConfig({ env: { VAULTGATE_OIDC_SIGNIN_PROVIDERS: JSON.stringify(providers), ...env } });
const problems = (providers: unknown, env: Record<string, string> = {}): string => {
  try {
    load(providers, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('VAULTGATE_OIDC_SIGNIN_PROVIDERS', () => {
  it('parses an Entra ID provider with defaults; domains are lowercased; none by default', () => {
    expect(loadConfig({ env: {} }).oidcSignInProviders).toEqual([]);
    expect(load([entra]).oidcSignInProviders).toEqual([{
      ...entra, domains: ['contoso.fi'], organisations: [], scopes: 'openid email profile', emailClaim: 'email', trustEmailInDomains: true,
    }]);
  });

  it('reports every problem with its path', () => {
    const m = problems([{ id: 'Bad Id', issuer: 'not a url', clientId: '', domains: ['not_a_domain'], scopes: 'email', colour: 'blue' }]);
    for (const p of ['[0].colour: unknown setting', '[0].id:', '[0].issuer:', '[0].clientId:', '[0].domains:', '[0].scopes:']) expect(m).toContain(p);
    expect(problems([{ ...entra, domains: [], organisations: [] }])).toContain('needs domains or organisations');
    expect(problems('nope')).toContain('JSON array');
  });

  it('gives a domain, an organisation and an id one provider only', () => {
    const m = problems([{ ...entra, organisations: ['co_test_a'] }, { ...entra, domains: ['contoso.fi'], organisations: ['co_test_a'] }]);
    expect(m).toContain('[1].id: entra-contoso appears twice');
    expect(m).toContain('[1].domains: contoso.fi has another provider already');
    expect(m).toContain('[1].organisations: co_test_a has another provider already');
  });

  it('refuses a plain-HTTP issuer in live', () => {
    const live = { VAULTGATE_ENVIRONMENT: 'live', VAULTGATE_PUBLIC_URL: 'https://vg.example.com', VAULTGATE_TRUST_PROXY: '127.0.0.1' };
    expect(problems([{ ...entra, issuer: 'http://idp.example.com' }], live)).toContain('[0].issuer: http://idp.example.com must be https:// in live');
    expect(load([entra], live).oidcSignInProviders).toHaveLength(1);
  });
});
