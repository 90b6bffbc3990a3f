import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type CryptoKey, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { parseId, VaultgateError, type Clock, type Environment, type HeaderBag } from '../../protocol/index.js';
import type { CompanyRecord, OAuthOwnerKind, PartyRecord, Role, Store } from '../../store/index.js';
import type { OidcIssuerConfig } from '../config/oidc-issuers.js';
import type { RegistryCache } from './registry-cache.js';
import { RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';
import { LEEWAY_S, type SigningKeys } from './signing-keys.js';
import { checkTokenTimes } from './token-times.js';

/*
 * Bearer-token authentication (spec/oauth.md), free of Fastify: headers in, principal out. Every check of the spec
 * runs on a token's first use; the verified claims are then cached (keyed by the token, until exp, bounded), since
 * signature verification dominates the cost of a bearer request. Whether the client is known and active is looked
 * up on every request (through the registry cache), so disabling a client takes effect at once.
 */

export interface BearerDeps {
  store: Store;
  cache: RegistryCache;
  clock: Clock;
  environment: Environment;
  /** The built-in issuer (`iss`) and audience: the public base URL. */
  publicBaseUrl: () => string;
  signingKeys: SigningKeys;
  issuers: readonly OidcIssuerConfig[];
  jwks?: Omit<RemoteJwksOptions, 'now'>;
  /** Most verified tokens kept (default 10 000). */
  maxCachedTokens?: number;
}

/** Who a verified bearer request comes from. */
export interface BearerPrincipal {
  scheme: 'bearer';
  issuer: string;
  builtIn: boolean;
  clientId: string;
  ownerKind: OAuthOwnerKind;
  ownerId: string;
  party?: PartyRecord;
  company?: CompanyRecord;
  /** The roles the request may use: the token's, within what the client is granted now. */
  roles: Role[];
}

interface VerifiedToken {
  issuer: string;
  builtIn: boolean;
  clientId: string;
  /** Roles the token carries; null when the issuer's roles come from the link only. */
  roles: Role[] | null;
  /** Until when (epoch s) the cached verification holds: exp plus the leeway. */
  until: number;
}

const ROLES: readonly Role[] = ['ingest', 'vault.read', 'shared.read'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_CHARS = 16 * 1024;
const KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
/** The built-in issuer's tokens live at most VAULTGATE_TOKEN_LIFETIME_S, whose largest value is a day. */
const BUILT_IN_MAX_LIFETIME_S = 86_400;

const fail = (code: ConstructorParameters<typeof VaultgateError>[0], detail?: string, logReason?: string): VaultgateError =>
  new VaultgateError(code, { ...(detail ? { detail } : {}), ...(logReason ? { logReason } : {}) });

/** Maps jose's verification errors onto the catalogue. */
function joseError(err: unknown): VaultgateError {
  if (err instanceof VaultgateError) return err;
  if (err instanceof errors.JWTExpired) return fail('TOKEN_EXPIRED');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return fail('TOKEN_NOT_YET_VALID');
    if (err.claim === 'aud') return fail('TOKEN_AUDIENCE_MISMATCH');
    if (err.claim === 'iss') return fail('TOKEN_ISSUER_UNTRUSTED');
    return fail('TOKEN_MALFORMED', `The ${err.claim} claim is missing or invalid.`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return fail('TOKEN_SIGNATURE_INVALID');
  if (err instanceof errors.JOSEAlgNotAllowed) return fail('TOKEN_ALGORITHM_REJECTED');
  return new VaultgateError('TOKEN_MALFORMED', { logReason: (err as Error)?.message });
}

function rolesFrom(value: unknown, roleMap: Record<string, string>): Role[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(' ') : [];
  const out = new Set<Role>();
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const mapped = roleMap[item] ?? item;
    if ((ROLES as readonly string[]).includes(mapped)) out.add(mapped as Role);
  }
  return [...out];
}

export class BearerAuthenticator {
  readonly #verified = new Map<string, VerifiedToken>();
  readonly #remote = new Map<string, RemoteJwks>();
  readonly #max: number;

  constructor(private readonly d: BearerDeps) {
    this.#max = d.maxCachedTokens ?? 10_000;
    for (const cfg of d.issuers) this.#remote.set(cfg.issuer, new RemoteJwks(cfg, { ...d.jwks, now: () => d.clock.now() }));
  }

  /** Verifies `Authorization: Bearer <JWT>` and resolves its client; throws the coded error of the first failed check. */
  async authenticate(headers: HeaderBag): Promise<BearerPrincipal> {
    const m = /^bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''));
    const token = m?.[1];
    if (!token || token.length > MAX_TOKEN_CHARS || !JWT_SHAPE.test(token)) {
      throw fail('TOKEN_MALFORMED', 'Send Authorization: Bearer <JWT> (three base64url parts).');
    }
    const nowS = Math.floor(this.d.clock.now() / 1000);
    let v = this.#verified.get(token);
    if (v && v.until <= nowS) {
      this.#verified.delete(token);
      v = undefined;
    }
    if (!v) {
      v = await this.#verify(token);
      if (this.#verified.size >= this.#max) {
        // Evict the oldest tenth (Map iteration is insertion order): bounded memory, no per-hit bookkeeping.
        let n = Math.ceil(this.#max / 10);
        for (const k of this.#verified.keys()) {
          if (n-- <= 0) break;
          this.#verified.delete(k);
        }
      }
      this.#verified.set(token, v);
    }
    return this.#principal(v);
  }

  async #verify(token: string): Promise<VerifiedToken> {
    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch (err) {
      throw new VaultgateError('TOKEN_MALFORMED', { logReason: (err as Error).message });
    }
    const present = KEY_HEADERS.filter((h) => header[h] !== undefined);
    if (present.length > 0) throw fail('TOKEN_HEADER_REJECTED', `The header carries ${present.join(', ')}.`);
    const alg = header.alg;
    if (typeof alg !== 'string' || alg === 'none' || /^HS/i.test(alg)) {
      throw fail('TOKEN_ALGORITHM_REJECTED', `alg ${String(alg).slice(0, 20)} is never accepted; tokens must be signed with an asymmetric key.`);
    }
    const iss = claims.iss;
    if (typeof iss !== 'string') throw fail('TOKEN_ISSUER_UNTRUSTED', 'The token has no iss claim.');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const own = this.d.publicBaseUrl();

    let key: CryptoKey;
    let audience: string[];
    const cfg = iss === own ? undefined : this.d.issuers.find((i) => i.issuer === iss);
    if (iss === own) {
      if (header.typ !== 'at+jwt') throw fail('TOKEN_MALFORMED', 'Tokens of this issuer have typ at+jwt.');
      const found = kid === undefined ? undefined : await this.d.signingKeys.verificationKey(kid);
      if (!found) throw fail('TOKEN_KEY_UNKNOWN', undefined, `built-in key ${kid ?? '(no kid)'} not published`);
      if (found.alg !== alg) throw fail('TOKEN_ALGORITHM_REJECTED', `Key ${kid} signs with ${found.alg}.`);
      key = found.key;
      audience = [own];
    } else if (cfg) {
      if (!cfg.algorithms.includes(alg)) throw fail('TOKEN_ALGORITHM_REJECTED', `Allowed for this issuer: ${cfg.algorithms.join(', ')}.`);
      key = await this.#remote.get(cfg.issuer)!.key(kid, alg);
      audience = cfg.audiences;
    } else {
      throw fail('TOKEN_ISSUER_UNTRUSTED', undefined, `untrusted iss ${iss.slice(0, 200)}`);
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [alg], issuer: iss, audience, clockTolerance: LEEWAY_S, requiredClaims: ['exp'],
        currentDate: new Date(this.d.clock.now()),
      }));
    } catch (err) {
      throw joseError(err);
    }
    const times = checkTokenTimes(payload, Math.floor(this.d.clock.now() / 1000), LEEWAY_S, cfg ? cfg.maxTokenLifetimeS : BUILT_IN_MAX_LIFETIME_S);
    if (times) throw fail(times.kind === 'issued-in-future' ? 'TOKEN_NOT_YET_VALID' : 'TOKEN_LIFETIME_TOO_LONG', times.detail);
    const until = (payload.exp as number) + LEEWAY_S;

    if (!cfg) {
      if (payload.env !== this.d.environment) {
        throw fail('TOKEN_ENVIRONMENT_MISMATCH', `The token is for ${String(payload.env).slice(0, 10)}; this deployment is ${this.d.environment}.`);
      }
      const clientId = payload.client_id;
      if (typeof clientId !== 'string') throw fail('TOKEN_CLAIM_MISMATCH', 'The token has no client_id claim.');
      const p = parseId(clientId, 'oauthClient', this.d.environment);
      if (!p.ok && p.reason === 'other-environment') throw fail('TOKEN_ENVIRONMENT_MISMATCH', `${clientId} belongs to ${p.environment}.`);
      return { issuer: iss, builtIn: true, clientId, roles: rolesFrom(payload.roles, {}), until };
    }
    for (const [name, value] of Object.entries(cfg.requiredClaims)) {
      if (payload[name] !== value) throw fail('TOKEN_CLAIM_MISMATCH', `The ${name} claim must be ${value}.`);
    }
    const claim = cfg.clientIdClaims.find((c) => typeof payload[c] === 'string' && payload[c] !== '');
    if (!claim) throw fail('TOKEN_CLAIM_MISMATCH', `No client id in ${cfg.clientIdClaims.join(', ')}.`);
    const roles = cfg.rolesClaim === null ? null : rolesFrom(payload[cfg.rolesClaim], cfg.roleMap);
    return { issuer: iss, builtIn: false, clientId: payload[claim] as string, roles, until };
  }

  async #principal(v: VerifiedToken): Promise<BearerPrincipal> {
    const { store, cache } = this.d;
    let ownerKind: OAuthOwnerKind;
    let ownerId: string;
    let granted: Role[];
    if (v.builtIn) {
      const client = await cache.get(`oauth-client:${v.clientId}`, () => store.getOAuthClient(v.clientId));
      if (!client) throw fail('TOKEN_CLIENT_UNKNOWN', undefined, `no client ${v.clientId}`);
      if (client.status !== 'active') throw fail('TOKEN_CLIENT_DISABLED', undefined, `client ${v.clientId} disabled`);
      ({ ownerKind, ownerId } = client);
      granted = client.roles;
    } else {
      const link = await cache.get(`oauth-link:${v.issuer}|${v.clientId}`, () => store.findExternalClientLink(v.issuer, v.clientId));
      if (!link) throw fail('TOKEN_CLIENT_UNKNOWN', 'The client id is not linked to a party or company here.', `no link for ${v.clientId} of ${v.issuer}`);
      ({ ownerKind, ownerId } = link);
      granted = link.roles;
    }
    const roles = v.roles === null ? granted : v.roles.filter((r) => granted.includes(r));
    const principal: BearerPrincipal = { scheme: 'bearer', issuer: v.issuer, builtIn: v.builtIn, clientId: v.clientId, ownerKind, ownerId, roles };
    if (ownerKind === 'party') {
      const party = await cache.get(`party:${ownerId}`, () => store.getParty(ownerId));
      if (!party || party.status !== 'active') throw fail('TOKEN_CLIENT_DISABLED', 'The party of this client is disabled.');
      principal.party = party;
    } else {
      const company = await cache.get(`company:${ownerId}`, () => store.getCompany(ownerId));
      if (!company || company.deletedAt) throw fail('TOKEN_CLIENT_DISABLED', 'The company of this client is deleted.');
      principal.company = company;
    }
    return principal;
  }
}
