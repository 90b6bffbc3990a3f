import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { VaultgateError, type Clock } from '../../../protocol/index.js';
import type { MembershipRecord, Store, UserRecord } from '../../../store/index.js';
import type { OidcSignInProviderConfig } from '../../config/oidc-sign-in.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../../crypto/vault-crypto.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';
import { userView, type UserView } from './accounts.js';
import type { Sessions, StartedSession } from './sessions.js';
import type { SignInThrottle } from './sign-in-throttle.js';

/*
 * Sign-in through an external OpenID Connect provider (issue 14): the authorization code flow with PKCE, state and
 * nonce (OpenID Connect Core 1.0 §3.1; RFC 7636; OAuth 2.0 Security BCP, RFC 9700 §2.1), by openid-client, which
 * checks the ID token's signature, issuer, audience, expiry and nonce (Core §3.1.3.7).
 *
 * The flow's secrets (state, nonce, PKCE verifier) travel in a cookie sealed with the system data key (AES-256-GCM,
 * like TOTP secrets): no server state, works across processes, and the callback is accepted only in the browser that
 * started it (the state must match the sealed one: login CSRF, RFC 9700 §4.7). It lives 10 minutes.
 *
 * Whom a provider signs in: the user linked to its (issuer, subject) in `identities`; or, at the first sign-in, the
 * existing user with the ID token's verified email, linked then. Either way the provider must be the one configured
 * for the user: the provider of their email domain, or (when their domain has none) of one of their organisations.
 * Unknown people are refused (OIDC_USER_UNKNOWN): nobody is created here (invitations and registrations create
 * users), and an operator is never signed in or linked by an external provider (operators use a password and TOTP).
 * A session started here asks for no TOTP code: the provider authenticated the person (with its own MFA policy).
 */

/** How long a started sign-in may take, in seconds. */
export const OIDC_FLOW_TTL_S = 600;
const FLOW_AAD = 'oidc-flow';

/** A CLI's loopback redirect (RFC 8252 §7.3) and the S256 challenge of its verifier, when the CLI started the flow. */
interface CliLoopback { r: string; ch: string }
interface Flow { p: string; s: string; n: string; v: string; e: string | null; t: number; c?: CliLoopback }
interface Handoff { k: string; ch: string; t: number }

/** How long a CLI has to collect its session from the loopback redirect, in seconds. */
export const OIDC_HANDOFF_TTL_S = 120;
const HANDOFF_AAD = 'oidc-cli-handoff';
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]):\d{1,5}\/[A-Za-z0-9/_-]*$/;
const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');


export interface OidcSignInDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  audit: AuditTrail;
  sessions: Sessions;
  throttle: SignInThrottle;
  providers: readonly OidcSignInProviderConfig[];
}

export interface StartedOidcSignIn {
  /** The provider's authorization endpoint with the request (redirect the browser there). */
  url: string;
  /** The sealed flow, for the cookie that must come back to the callback. */
  flow: string;
  providerId: string;
}

const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

export class OidcSignIn {
  readonly #configs = new Map<string, Promise<client.Configuration>>();

  constructor(private readonly d: OidcSignInDeps) {}

  /** The provider configured for an email's domain. */
  providerForDomain(email: string): OidcSignInProviderConfig | undefined {
    const domain = domainOf(email);
    return this.d.providers.find((p) => p.domains.includes(domain));
  }

  /** The provider that signs a user in: their domain's, else their organisations' (first membership first). */
  providerForUser(user: UserRecord, memberships: MembershipRecord[]): OidcSignInProviderConfig | undefined {
    return this.providerForDomain(user.email) ?? this.d.providers.find((p) => memberships.some((m) => p.organisations.includes(m.organisationId)));
  }

  /** Discovery (OpenID Connect Discovery 1.0 §4), once per provider; a failure is forgotten so the next try repeats it. */
  #config(p: OidcSignInProviderConfig): Promise<client.Configuration> {
    let c = this.#configs.get(p.id);
    if (!c) {
      const metadata: Partial<client.ClientMetadata> = {
        // The server's clock (tests move it): openid-client assumes Date.now() + clockSkew seconds.
        [client.clockSkew]: Math.round((this.d.clock.now() - Date.now()) / 1000),
      };
      const auth = p.clientSecret === undefined ? client.None() : client.ClientSecretBasic(p.clientSecret);
      // Plain HTTP only for an http:// issuer, which the configuration refuses in live.
      const execute = new URL(p.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [];
      c = client.discovery(new URL(p.issuer), p.clientId, metadata, auth, { execute, timeout: 10 });
      c.catch(() => this.#configs.delete(p.id));
      this.#configs.set(p.id, c);
    }
    return c.catch((err) => {
      throw new VaultgateError('OIDC_PROVIDER_UNAVAILABLE', { detail: `Discovery of ${p.issuer} failed.`, cause: err });
    });
  }

  async #seal(flow: Flow): Promise<string> {
    return (await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(JSON.stringify(flow), 'utf8'), FLOW_AAD)).toString('base64url');
  }

  async #open(sealed: string | undefined): Promise<Flow> {
    if (!sealed || sealed.length > 2000) throw new VaultgateError('OIDC_STATE_INVALID', { detail: 'No sign-in was started in this browser (its cookie is missing).' });
    let flow: Flow;
    try {
      flow = JSON.parse((await this.d.crypto.open(Buffer.from(sealed, 'base64url'), FLOW_AAD, SYSTEM_OWNER)).toString('utf8')) as Flow;
    } catch (err) {
      throw new VaultgateError('OIDC_STATE_INVALID', { detail: 'The sign-in cookie is not one this server sealed.', cause: err });
    }
    if (this.d.clock.now() - flow.t > OIDC_FLOW_TTL_S * 1000) throw new VaultgateError('OIDC_STATE_INVALID', { detail: 'The sign-in took longer than 10 minutes.' });
    return flow;
  }

  /**
   * Starts a sign-in: the provider by `provider` id or by the domain of `email` (OIDC_PROVIDER_UNKNOWN when none), its
   * authorization URL (code flow, S256 PKCE, state, nonce, login_hint) and the sealed flow for the cookie.
   * OIDC_PROVIDER_UNAVAILABLE when its discovery document cannot be fetched.
   */
  async start(q: { email?: string | undefined; provider?: string | undefined; cliRedirect?: string | undefined; cliChallenge?: string | undefined }, redirectUri: string): Promise<StartedOidcSignIn> {
    const email = q.email?.trim() || null;
    let cli: CliLoopback | undefined;
    if (q.cliRedirect !== undefined || q.cliChallenge !== undefined) {
      if (!q.cliRedirect || !LOOPBACK.test(q.cliRedirect) || !q.cliChallenge || !/^[A-Za-z0-9_-]{43}$/.test(q.cliChallenge)) {
        throw new VaultgateError('INVALID_REQUEST', { detail: 'cliRedirect must be http://127.0.0.1:<port>/<path> (or [::1]) and cliChallenge the base64url SHA-256 of the verifier (43 characters), both or neither.' });
      }
      cli = { r: q.cliRedirect, ch: q.cliChallenge };
    }
    const p = q.provider ? this.d.providers.find((x) => x.id === q.provider) : email ? this.providerForDomain(email) : undefined;
    if (!p) {
      const detail = q.provider ? `No provider ${q.provider}.`
        : email ? `No provider is configured for the domain ${domainOf(email)}.` : 'Give ?email=… (its domain chooses the provider) or ?provider=….';
      throw new VaultgateError('OIDC_PROVIDER_UNKNOWN', { detail });
    }
    const config = await this.#config(p);
    const flow: Flow = { p: p.id, s: client.randomState(), n: client.randomNonce(), v: client.randomPKCECodeVerifier(), e: email, t: this.d.clock.now(), ...(cli ? { c: cli } : {}) };
    const params: Record<string, string> = {
      redirect_uri: redirectUri, scope: p.scopes, state: flow.s, nonce: flow.n,
      code_challenge: await client.calculatePKCECodeChallenge(flow.v), code_challenge_method: 'S256',
    };
    if (email) params.login_hint = email;
    return { url: client.buildAuthorizationUrl(config, params).href, flow: await this.#seal(flow), providerId: p.id };
  }

  /**
   * Finishes a sign-in at the callback (`callbackUrl` is the full URL the provider redirected to): checks the state
   * against the sealed flow, exchanges the code (PKCE verifier, nonce and ID token checked by openid-client), finds
   * or links the user, and starts a session (`session.sign-in`, method `oidc`, no second factor asked). Refusals, all
   * audited as `session.sign-in` refused, and counted towards the account's sign-in throttle when the account is
   * known: OIDC_STATE_INVALID, OIDC_PROVIDER_DENIED, OIDC_TOKEN_INVALID, OIDC_USER_UNKNOWN, OIDC_PROVIDER_MISMATCH,
   * SIGN_IN_THROTTLED; OIDC_PROVIDER_UNAVAILABLE when the provider cannot be reached.
   */
  async finish(callbackUrl: URL, sealedFlow: string | undefined, ctx: AuditContext): Promise<{ session: StartedSession; user: UserView; linked: boolean; cli: { redirect: string; handoff: string } | null }> {
    let account: string | null = null;
    let provider: string | null = null;
    const refuse = async (err: VaultgateError, subject: string | null, count: boolean): Promise<never> => {
      const failures = count && account ? await this.d.throttle.failed(account) : undefined;
      await this.d.audit.refusal({ ...ctx, actor: { kind: 'anonymous', id: subject ?? account ?? '-' } }, {
        action: 'session.sign-in', subject: subject ?? account ?? '-',
        details: { method: 'oidc', code: err.code, provider, ...(failures ? { failuresThisHour: failures } : {}) },
      });
      throw err;
    };
    let flow: Flow;
    try {
      flow = await this.#open(sealedFlow);
      provider = flow.p;
      if (callbackUrl.searchParams.get('state') !== flow.s) throw new VaultgateError('OIDC_STATE_INVALID', { detail: 'The state in the callback is not the one this browser started with.' });
    } catch (err) {
      return refuse(err as VaultgateError, null, false);
    }
    account = flow.e?.normalize('NFC').toLowerCase() ?? null;
    if (account) await this.#checkThrottle(account, ctx);
    const p = this.d.providers.find((x) => x.id === flow.p);
    if (!p) return refuse(new VaultgateError('OIDC_PROVIDER_UNKNOWN', { detail: `Provider ${flow.p} is no longer configured.` }), null, false);
    const config = await this.#config(p);
    let claims: client.IDToken;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: flow.v, expectedState: flow.s, expectedNonce: flow.n, idTokenExpected: true });
      claims = tokens.claims()!;
      // A provider may keep the email out of the ID token and give it at the UserInfo endpoint (Core §5.4, §5.3):
      // asked there for the same subject (openid-client checks it); iss and sub stay the ID token's.
      if (claims[p.emailClaim] === undefined && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        claims = { ...claims, [p.emailClaim]: info[p.emailClaim], email_verified: info.email_verified };
      }
    } catch (err) {
      return refuse(this.#libraryError(err, p), null, true);
    }
    const subject = `${claims.iss} ${claims.sub}`;
    const email = typeof claims[p.emailClaim] === 'string' ? (claims[p.emailClaim] as string).trim() : null;
    if (email) {
      account = email.normalize('NFC').toLowerCase();
      await this.#checkThrottle(account, ctx);
    }
    const unknown = (why: string) => refuse(new VaultgateError('OIDC_USER_UNKNOWN', { detail: why }), subject, true);

    let user: UserRecord | undefined;
    let linked = false;
    const identity = await this.d.store.getIdentity(claims.iss, claims.sub);
    if (identity) {
      user = await this.d.store.getUser(identity.userId);
    } else {
      if (!email) return unknown(`The ID token has no ${p.emailClaim} claim to find the user by.`);
      const domainProvider = this.providerForDomain(email);
      if (domainProvider && domainProvider.id !== p.id) {
        return refuse(new VaultgateError('OIDC_PROVIDER_MISMATCH', { detail: `${domainOf(email)} signs in through ${domainProvider.id}.` }), subject, true);
      }
      const verified = claims.email_verified === true || (p.trustEmailInDomains && p.domains.includes(domainOf(email)));
      if (!verified) return unknown('The provider did not say the email is verified; it cannot be linked to a user.');
      user = await this.d.store.getUserByEmail(email);
    }
    if (!user || user.status !== 'active') return unknown(user ? 'The user is not active.' : 'No user has this email.');
    if (user.platformRole === 'operator') return unknown('Operators sign in with their password and TOTP, not through an external provider.');
    const memberships = await this.d.store.listUserMemberships(user.id);
    const configured = this.providerForUser(user, memberships);
    if (configured?.id !== p.id) {
      return refuse(new VaultgateError('OIDC_PROVIDER_MISMATCH', { detail: configured ? `This user signs in through ${configured.id}.` : 'No provider is configured for this user.' }), user.id, true);
    }
    const userCtx: AuditContext = { ...ctx, actor: { kind: 'user', id: user.id } };
    if (!identity) {
      const at = new Date(this.d.clock.now()).toISOString();
      linked = await this.d.store.linkIdentity({ userId: user.id, issuer: claims.iss, subject: claims.sub, createdAt: at },
        this.d.audit.event(userCtx, { at, action: 'identity.link', subject: user.id, details: { provider: p.id, issuer: claims.iss } }));
      // Linked meanwhile by a concurrent callback: to this user only if the link says so.
      if (!linked && (await this.d.store.getIdentity(claims.iss, claims.sub))?.userId !== user.id) return unknown('The account was linked to another user meanwhile.');
    }
    const session = (await this.d.sessions.start(user, userCtx, undefined, 'oidc'))!;
    await this.d.throttle.succeeded(account ?? user.email.toLowerCase());
    if (!flow.c) return { session, user: userView(user), linked, cli: null };
    const handoff: Handoff = { k: session.token, ch: flow.c.ch, t: this.d.clock.now() };
    const sealed = (await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(JSON.stringify(handoff), 'utf8'), HANDOFF_AAD)).toString('base64url');
    return { session, user: userView(user), linked, cli: { redirect: flow.c.r, handoff: sealed } };
  }

  /**
   * The CLI's side of a sign-in it started with a loopback redirect: the sealed handoff the browser brought to the
   * loopback, and the verifier whose S256 challenge the flow carried (so the handoff alone, e.g. from a browser's
   * history, is useless). The session token; OIDC_STATE_INVALID when either does not match or it is older than 2 min.
   */
  async collect(sealedHandoff: string, verifier: string, ctx: AuditContext): Promise<{ token: string; user: UserView; expiresAt: string }> {
    let h: Handoff | undefined;
    try {
      h = JSON.parse((await this.d.crypto.open(Buffer.from(sealedHandoff, 'base64url'), HANDOFF_AAD, SYSTEM_OWNER)).toString('utf8')) as Handoff;
    } catch { /* refused below */ }
    const given = Buffer.from(s256(verifier));
    const ok = h !== undefined && this.d.clock.now() - h.t <= OIDC_HANDOFF_TTL_S * 1000 && given.length === h.ch.length && timingSafeEqual(given, Buffer.from(h.ch));
    const resolved = ok ? await this.d.sessions.resolve(h!.k).catch(() => null) : null;
    if (!resolved) {
      await this.d.audit.refusal({ ...ctx, actor: { kind: 'anonymous', id: '-' } }, { action: 'session.sign-in', subject: '-', details: { method: 'oidc', code: 'OIDC_STATE_INVALID', step: 'cli-handoff' } });
      throw new VaultgateError('OIDC_STATE_INVALID', { detail: 'The handoff is not this server\'s, has expired, or the verifier does not match.' });
    }
    return { token: h!.k, user: userView(resolved.user), expiresAt: resolved.session.expiresAt };
  }

  async #checkThrottle(account: string, ctx: AuditContext): Promise<void> {
    try {
      await this.d.throttle.check(account);
    } catch (err) {
      if (err instanceof VaultgateError && (await this.d.throttle.shouldRecordRefusal(account))) {
        await this.d.audit.refusal({ ...ctx, actor: { kind: 'anonymous', id: account } }, { action: 'session.sign-in', subject: account, details: { method: 'oidc', code: err.code } });
      }
      throw err;
    }
  }

  /** What openid-client threw, as a coded error: the provider's own error, an unverifiable answer, or no answer. */
  #libraryError(err: unknown, p: OidcSignInProviderConfig): VaultgateError {
    if (err instanceof VaultgateError) return err;
    if (err instanceof client.AuthorizationResponseError) {
      return new VaultgateError('OIDC_PROVIDER_DENIED', { detail: `${p.id} answered ${err.error}.`, cause: err });
    }
    if (err instanceof client.ResponseBodyError || err instanceof client.ClientError || err instanceof client.WWWAuthenticateChallengeError) {
      // Includes the ID token checks (iss, aud, exp, iat, nonce, signature) and the token endpoint's refusals (invalid_grant).
      return new VaultgateError('OIDC_TOKEN_INVALID', { detail: `${p.id}: ${(err as Error).message}`, cause: err });
    }
    return new VaultgateError('OIDC_PROVIDER_UNAVAILABLE', { detail: `${p.id} could not be reached.`, cause: err });
  }
}
