import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/*
 * A real OpenID provider (panva/node-oidc-provider) for the sign-in tests: the authorization code flow with PKCE, an
 * ES256 key, and a minimal login/consent interaction over HTTP (JSON answers, form posts) that a test drives as a
 * browser would, with cookies (OidcBrowser).
 */

export interface OpAccount { email?: string; emailVerified?: boolean }

export interface SignInProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People the provider knows, by subject (the login name typed at the provider). */
  accounts: Map<string, OpAccount>;
  /** Registers Vaultgate's redirect URI (known only once Vaultgate listens). */
  start(redirectUris: string[]): Promise<void>;
  close(): Promise<void>;
}

const body = async (req: IncomingMessage): Promise<URLSearchParams> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

export async function startSignInProvider(): Promise<SignInProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, OpAccount>();
  const clientId = 'vaultgate-signin';
  const clientSecret = 'the-test-providers-client-secret-for-vaultgate';
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'op-signin-1', alg: 'ES256', use: 'sig' };

  const start = async (redirectUris: string[]): Promise<void> => {
    const provider = new Provider(issuer, {
      jwks: { keys: [jwk] },
      clients: [{
        client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, response_types: ['code'], grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256',
      }],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: (_ctx: unknown, sub: string) => {
        const a = accounts.get(sub);
        return a && { accountId: sub, claims: () => ({ sub, ...(a.email ? { email: a.email, email_verified: a.emailVerified ?? true } : {}), name: sub }) };
      },
      cookies: { keys: ['a-cookie-signing-key-of-the-test-provider'] },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    });
    const handle = provider.callback();
    server.on('request', (req, res) => {
      const m = /^\/interaction\/([^/?]+)(?:\/(login|confirm|abort))?/.exec(req.url ?? '');
      if (!m) return handle(req, res);
      void (async () => {
        try {
          const details = await provider.interactionDetails(req, res);
          if (req.method === 'GET') {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
          } else if (m[2] === 'login') {
            const login = (await body(req)).get('login') ?? '';
            if (!accounts.has(login)) {
              res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"no such account"}');
              return;
            }
            await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
          } else if (m[2] === 'confirm') {
            const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id! });
            grant.addOIDCScope(details.params.scope!);
            await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
          } else {
            await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, { mergeWithLastSubmission: false });
          }
        } catch (err) {
          res.writeHead(500).end(String(err));
        }
      })();
    });
  };
  return { issuer, clientId, clientSecret, accounts, start, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A browser enough for the flow: a cookie jar per origin, redirects followed by hand (so a test can stop at the
 * callback), form posts.
 */
export class OidcBrowser {
  readonly #jar = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.#jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    if (!this.#jar.has(origin)) this.#jar.set(origin, new Map());
    this.#jar.get(origin)!.set(name, value);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const cookies = [...(this.#jar.get(origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'), redirect: 'manual',
      headers: { ...(cookies ? { cookie: cookies } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (gone) this.#jar.get(origin)?.delete(name);
      else this.setCookie(origin, name, value);
    }
    return res;
  }

  /** Follows redirects from `url` until an answer that is not one, or a redirect to `stopAt` (returned unfollowed). */
  async follow(url: string, stopAt: string): Promise<{ res: Response | null; url: string }> {
    let next = url;
    for (let i = 0; i < 10; i++) {
      if (next.startsWith(stopAt)) return { res: null, url: next };
      const res = await this.request(next);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: next };
      await res.arrayBuffer();
      next = new URL(location, next).href;
    }
    throw new Error('too many redirects');
  }

  /**
   * Signs in at the provider as `login` (or cancels) after Vaultgate redirected there from `startUrl`; returns
   * Vaultgate's callback URL the provider redirects back to, not yet followed.
   */
  async signInAtProvider(startUrl: string, callbackPrefix: string, login: string, o: { cancel?: boolean } = {}): Promise<string> {
    const first = await this.follow(startUrl, callbackPrefix);
    if (!first.res || first.res.status !== 200) throw new Error(`expected the provider's login page, got ${first.res?.status} ${first.url}`);
    const page = (await first.res.json()) as { uid: string; prompt: string };
    const interaction = new URL(`/interaction/${page.uid}`, first.url).href;
    const after = await this.request(`${interaction}/${o.cancel ? 'abort' : 'login'}`, { form: { login } });
    if (after.status !== 303) throw new Error(`login at the provider: ${after.status} ${await after.text()}`);
    const next = await this.follow(new URL(after.headers.get('location')!, interaction).href, callbackPrefix);
    if (!next.res) return next.url;
    const consent = (await next.res.json()) as { uid: string; prompt: string };
    if (consent.prompt !== 'consent') throw new Error(`expected consent, got ${consent.prompt}`);
    const confirmed = await this.request(`${new URL(`/interaction/${consent.uid}`, next.url).href}/confirm`, { form: {} });
    const last = await this.follow(new URL(confirmed.headers.get('location')!, next.url).href, callbackPrefix);
    if (last.res) throw new Error(`expected a redirect to Vaultgate, got ${last.res.status} at ${last.url}: ${await last.res.text()}`);
    return last.url;
  }
}
