import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** POST /oauth2/token with form parameters (and optional extra headers); the parsed answer. */
export async function tokenRequest(baseUrl: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** A token by client_secret_post; throws unless the endpoint answered 200. */
export async function fetchToken(baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const r = await tokenRequest(baseUrl, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope ? { scope } : {}) });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token as string;
}

/** A request with a bearer token (and optional headers/body); status, parsed body, headers. */
export async function bearerRequest(
  url: string, token: string, o: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(url, { method: o.method ?? (o.body === undefined ? 'GET' : 'POST'), headers: { authorization: `Bearer ${token}`, ...o.headers }, body: o.body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function testKey(alg: 'RS256' | 'ES256' | 'PS256', kid: string): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Signs claims as an issuer would (header overridable, for the attack cases). */
export function signToken(key: TestKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, nbf: now, exp: now + 3599, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

/**
 * A stand-in for an identity provider's key publication: a real HTTP server serving discovery documents and JWK
 * sets for several issuers, counting every fetch (to check the refetch bound).
 */
export interface JwksServer {
  url: string;
  /** Keys served at /<name>/jwks.json. */
  keys: Map<string, JWK[]>;
  /** Discovery documents served at /<name>/.well-known/openid-configuration. */
  discovery: Map<string, Record<string, unknown>>;
  fetches: Map<string, number>;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const keys = new Map<string, JWK[]>();
  const discovery = new Map<string, Record<string, unknown>>();
  const fetches = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    fetches.set(path, (fetches.get(path) ?? 0) + 1);
    const [, name, ...rest] = path.split('/');
    const tail = rest.join('/');
    const body = tail === 'jwks.json' && keys.has(name!) ? { keys: keys.get(name!) } : tail === '.well-known/openid-configuration' ? discovery.get(name!) : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, keys, discovery, fetches, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
