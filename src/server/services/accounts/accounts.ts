import { checkBusinessId, newId, VaultgateError, type Clock, type Environment } from '../../../protocol/index.js';
import type {
  AccountLanguage, ListQuery, MembershipRecord, MembershipRole, OrganisationRecord, Page, RegistrationKind, RegistrationRecord, Store, UserRecord,
} from '../../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../../crypto/vault-crypto.js';
import { SYSTEM_CONTEXT, type AuditContext, type AuditTrail } from '../audit/audit-trail.js';
import type { RegistryCache } from '../registry-cache.js';
import { ApiTokens } from './api-tokens.js';
import { suspendedDetail } from './people.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { Sessions, type SessionSettings, type StartedSession } from './sessions.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import { newTotpSecret, totpFormatDetail, totpInvalid, totpStep, totpUri } from './totp.js';

/*
 * The accounts use cases (issue 14), free of Fastify: registration of an organisation with its admin user and its
 * approval, sign-in with a password and a TOTP second factor, TOTP enrolment, an organisation's members. Every change
 * is recorded in the audit trail in its own transaction; refused sign-ins are recorded as refusals.
 *
 * Extension points for what comes next: `SignInMethod` names how a session was started (`password` now; an OpenID
 * Connect sign-in adds `oidc`, finding its user through the identities table), and `Principal` is what routes
 * authorize against (a personal API token is a user principal with the one membership it is scoped to).
 */

export type SignInMethod = 'password' | 'oidc';

/** Who is asking: a signed-in user with their memberships, or the operator token. */
export type Principal =
  | { kind: 'user'; user: UserRecord; memberships: MembershipRecord[]; /** Of those, the organisations an operator suspended: id → name. */ suspended?: ReadonlyMap<string, string> }
  | { kind: 'operator-token' };

export interface UserView {
  id: string; email: string; displayName: string; language: AccountLanguage; status: UserRecord['status'];
  platformRole: 'operator' | null; totpEnrolled: boolean; createdAt: string;
}

export const userView = (u: UserRecord): UserView => ({
  id: u.id, email: u.email, displayName: u.displayName, language: u.language, status: u.status, platformRole: u.platformRole,
  totpEnrolled: u.totpConfirmedAt !== null, createdAt: u.createdAt,
});

export interface NewUserInput {
  email: string;
  displayName: string;
  language?: AccountLanguage | undefined;
  password: string;
}

export interface RegistrationInput extends NewUserInput {
  kind: RegistrationKind;
  organisationName: string;
  businessId?: string | undefined;
}

export interface AccountsDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
  cache: RegistryCache;
  throttle: SignInThrottle;
  /** Approve registrations at once (test and uat only; the config refuses it in live). */
  autoApprove: boolean;
  sessions: SessionSettings;
  /** Shown as the issuer in authenticator apps. */
  totpIssuer: string;
}

/** The additional data a user's sealed TOTP secret (or its pending replacement) is bound to. */
export const totpAad = (userId: string): string => `totp-secret:${userId}`;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export class Accounts {
  readonly sessions: Sessions;
  readonly apiTokens: ApiTokens;

  constructor(private readonly d: AccountsDeps) {
    this.sessions = new Sessions({ store: d.store, clock: d.clock, audit: d.audit, ...d.sessions });
    this.apiTokens = new ApiTokens(d);
  }

  private now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  private async newUser(input: NewUserInput, status: UserRecord['status'], platformRole: 'operator' | null): Promise<UserRecord> {
    const email = input.email.trim();
    if (!EMAIL.test(email)) throw new VaultgateError('INVALID_REQUEST', { detail: 'email must be an address such as name@example.com.' });
    checkPasswordPolicy(input.password);
    return {
      id: newId('user', this.d.environment), email, displayName: input.displayName.trim(), language: input.language ?? 'en',
      passwordHash: await hashPassword(input.password), totpSecretCiphertext: null, totpConfirmedAt: null, totpLastStep: null,
      platformRole, status, createdAt: this.now(),
    };
  }

  // --- registration and its decision ---

  /**
   * Registers an organisation (a company, a party, or both) with its first admin user, pending an operator's approval
   * (approved at once with autoApprove). PASSWORD_TOO_SHORT / PASSWORD_TOO_COMMON, USER_EMAIL_TAKEN (an email with a
   * user; not the email of a declined registration, whose user is reused), BUSINESS_ID_INVALID, BUSINESS_ID_TAKEN.
   */
  async register(input: RegistrationInput, ctx: AuditContext): Promise<RegistrationRecord> {
    const needsCompany = input.kind !== 'party';
    let businessId: string | null = null;
    if (needsCompany) {
      const check = checkBusinessId(input.businessId ?? '');
      if (!check.ok) {
        throw new VaultgateError(check.reason === 'check-digit' ? 'BUSINESS_ID_INVALID' : 'INVALID_REQUEST', {
          detail: check.reason === 'check-digit' ? `${input.businessId}: the check digit does not match.` : 'A company registration needs its businessId.',
        });
      }
      businessId = input.businessId!;
      if (await this.d.store.getCompanyByBusinessId(businessId)) throw new VaultgateError('BUSINESS_ID_TAKEN', { detail: `${businessId} is registered already.` });
    }
    const user = await this.newUser(input, 'pending', null);
    // Someone whose registration was declined may try again with the same email: their user (disabled, never active)
    // is reused, with the new details (the store checks it is that user, in the registration's transaction).
    const declined = await this.d.store.getUserByEmail(user.email);
    const again = declined?.status === 'disabled';
    if (again) Object.assign(user, { id: declined.id, createdAt: declined.createdAt });
    const r: RegistrationRecord = {
      id: newId('registration', this.d.environment), kind: input.kind, organisationName: input.organisationName.trim(), businessId,
      userId: user.id, status: 'pending', createdAt: this.now(), decidedAt: null, decidedBy: null, organisationId: null,
    };
    await this.d.store.createRegistration(r, user, this.d.audit.event(ctx, {
      action: 'registration.create', subject: r.id, details: { kind: r.kind, organisationName: r.organisationName, businessId, userId: user.id, ...(again ? { afterDecline: true } : {}) },
    }));
    if (!this.d.autoApprove) return r;
    return this.approve(r.id, SYSTEM_CONTEXT);
  }

  async getRegistration(id: string): Promise<RegistrationRecord> {
    const r = await this.d.store.getRegistration(id);
    if (!r) throw new VaultgateError('NOT_FOUND', { detail: `No registration ${id}.` });
    return r;
  }

  listRegistrations(q: ListQuery & { status?: RegistrationRecord['status'] | undefined }): Promise<Page<RegistrationRecord>> {
    return this.d.store.listRegistrations(q);
  }

  /** Approves a pending registration (STATE_CONFLICT when decided already): its organisation exists from then on. */
  async approve(id: string, ctx: AuditContext): Promise<RegistrationRecord> {
    const r = await this.getRegistration(id);
    const at = this.now();
    const companyId = r.kind === 'party' ? null : newId('company', this.d.environment);
    const partyId = r.kind === 'company' ? null : newId('party', this.d.environment);
    const orgId = (companyId ?? partyId)!;
    const ok = await this.d.store.approveRegistration(id, {
      organisation: { id: orgId, name: r.organisationName, companyId, partyId, status: 'active', requireTotp: false, createdAt: at },
      company: companyId ? { id: companyId, name: r.organisationName, businessId: r.businessId!, createdAt: at } : null,
      party: partyId ? { id: partyId, name: r.organisationName, status: 'active', createdAt: at, disabledAt: null } : null,
      at, decidedBy: ctx.actor.id,
    }, this.d.audit.event(ctx, {
      action: 'registration.approve', subject: id, tenants: companyId ? [companyId] : [],
      details: { organisationId: orgId, companyId, partyId, userId: r.userId },
    }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `Registration ${id} is ${r.status} already.` });
    this.d.cache.clear();
    return this.getRegistration(id);
  }

  async decline(id: string, ctx: AuditContext): Promise<RegistrationRecord> {
    const r = await this.getRegistration(id);
    const ok = await this.d.store.declineRegistration(id, this.now(), ctx.actor.id, this.d.audit.event(ctx, { action: 'registration.decline', subject: id, details: { userId: r.userId } }));
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `Registration ${id} is ${r.status} already.` });
    return this.getRegistration(id);
  }

  /** Adds a platform operator (a user with the `operator` role); the operator token does this at first start. */
  async createOperator(input: NewUserInput, ctx: AuditContext): Promise<UserView> {
    const u = await this.newUser(input, 'active', 'operator');
    try {
      await this.d.store.createUser(u, this.d.audit.event(ctx, { action: 'user.create', subject: u.id, details: { platformRole: 'operator' } }));
    } catch (err) {
      // The catalogue's remedy speaks to a person registering; an operator adding an operator needs this one.
      if (err instanceof VaultgateError && err.code === 'USER_EMAIL_TAKEN') {
        throw new VaultgateError('USER_EMAIL_TAKEN', {
          detail: `A user with the email ${input.email} exists already, and an existing user cannot be made an operator (there is no promotion): `
            + `add the operator with an address of their own; GET /api/v1/admin/users?email=… (vaultgate admin users ls --email …) shows the existing user.`,
          cause: err,
        });
      }
      throw err;
    }
    return userView(u);
  }

  /** Users, oldest first, in pages (operator): by email (exact, case-insensitive) and/or only operators. */
  async listUsers(q: ListQuery & { email?: string | undefined; platformRole?: 'operator' | undefined }): Promise<Page<UserView>> {
    const page = await this.d.store.listUsers(q);
    return { items: page.items.map(userView), nextCursor: page.nextCursor };
  }

  // --- sign-in ---

  /**
   * Signs in with email and password, and the TOTP code when the user has enrolled one. Refusals: SIGN_IN_THROTTLED
   * (before any check), SIGN_IN_FAILED (unknown email, wrong password, account not active: one answer for all, and as
   * slow), TOTP_REQUIRED, TOTP_INVALID (wrong, or a code used before). Failures count towards the throttle.
   */
  async signIn(input: { email: string; password: string; totp?: string | undefined }, ctx: AuditContext): Promise<{ session: StartedSession; user: UserView }> {
    const account = input.email.trim().normalize('NFC').toLowerCase();
    const refuse = async (code: 'SIGN_IN_FAILED' | 'TOTP_REQUIRED' | 'TOTP_INVALID' | 'SIGN_IN_THROTTLED', subject: string, count: boolean, extra: { retryAfterS?: number; detail?: string | undefined } = {}): Promise<never> => {
      const failures = count ? await this.d.throttle.failed(account) : undefined;
      await this.d.audit.refusal({ ...ctx, actor: { kind: 'anonymous', id: subject } }, { action: 'session.sign-in', subject, details: { code, ...(failures ? { failuresThisHour: failures } : {}) } });
      throw new VaultgateError(code, { ...(extra.retryAfterS ? { retryAfterS: extra.retryAfterS } : {}), ...(extra.detail ? { detail: extra.detail } : {}) });
    };
    try {
      await this.d.throttle.check(account);
    } catch (err) {
      if (err instanceof VaultgateError && (await this.d.throttle.shouldRecordRefusal(account))) {
        // The subject is the user id as in the other refusals; the email only for an address nobody has.
        const known = await this.d.store.getUserByEmail(input.email.trim());
        await refuse('SIGN_IN_THROTTLED', known?.id ?? account, false, { retryAfterS: err.retryAfterS ?? 1 });
      }
      throw err;
    }
    const user = await this.d.store.getUserByEmail(input.email.trim());
    const passwordOk = await verifyPassword(user?.passwordHash ?? null, input.password);
    if (!user || !passwordOk || user.status !== 'active') return refuse('SIGN_IN_FAILED', user?.id ?? account, true);
    let step: number | undefined;
    if (user.totpConfirmedAt !== null && user.totpSecretCiphertext) {
      if (!input.totp) return refuse('TOTP_REQUIRED', user.id, false);
      const secret = (await this.d.crypto.open(user.totpSecretCiphertext, totpAad(user.id), SYSTEM_OWNER)).toString('utf8');
      const s = totpStep(secret, input.totp, this.d.clock.now());
      if (s === null) return refuse('TOTP_INVALID', user.id, true, { detail: totpFormatDetail(input.totp) });
      step = s;
    }
    const userCtx: AuditContext = { ...ctx, actor: { kind: 'user', id: user.id } };
    const session = await this.sessions.start(user, userCtx, step, 'password');
    if (!session) return refuse('TOTP_INVALID', user.id, true);
    await this.d.throttle.succeeded(account);
    return { session, user: userView(user) };
  }

  // --- the signed-in user ---

  async memberships(userId: string): Promise<MembershipRecord[]> {
    return this.d.store.listUserMemberships(userId);
  }

  /**
   * The user, their organisations and roles, and whether one of them requires a TOTP they have not enrolled (never
   * for a session started through OpenID Connect: the provider's MFA policy stands in for it).
   */
  async me(user: UserRecord, o: { signInMethod?: SignInMethod | undefined } = {}): Promise<{ user: UserView; memberships: (MembershipRecord & { organisation: OrganisationRecord })[]; totpEnrolmentRequired: boolean }> {
    const ms = await this.memberships(user.id);
    const withOrgs = await Promise.all(ms.map(async (m) => ({ ...m, organisation: (await this.d.store.getOrganisation(m.organisationId))! })));
    return { user: userView(user), memberships: withOrgs, totpEnrolmentRequired: totpHoldOf(user, withOrgs.map((m) => m.organisation), o.signInMethod) !== null };
  }

  /**
   * Why a user must enrol TOTP before anything but /me, /me/totp* and sign-out, or null when they need not: a platform
   * operator without a confirmed TOTP (however signed in), or a member of an organisation that requires TOTP signed in
   * with a password (an OpenID Connect provider's MFA policy stands in for it). The reason is a TOTP_REQUIRED detail.
   */
  async totpHold(user: UserRecord, memberships: readonly MembershipRecord[], signInMethod: SignInMethod | undefined): Promise<string | null> {
    if (user.totpConfirmedAt !== null) return null;
    const orgs = user.platformRole === 'operator' || signInMethod === 'oidc' ? [] : await Promise.all(memberships.map((m) => this.organisation(m.organisationId)));
    return totpHoldOf(user, orgs, signInMethod);
  }

  /**
   * Starts TOTP enrolment: a new secret (sealed with the system data key), shown once as an otpauth:// URI; it is in
   * force only after confirmTotp. STATE_CONFLICT when one is confirmed already.
   */
  /**
   * Changes the user's own display name and/or language (what is not given stays); audited `user.profile-update` with
   * the fields changed. The language is that of the user's mails and the web portal.
   */
  async updateProfile(user: UserRecord, p: { displayName?: string | undefined; language?: AccountLanguage | undefined }, ctx: AuditContext): Promise<UserView> {
    const displayName = p.displayName?.trim() || user.displayName;
    const language = p.language ?? user.language;
    const changed = [displayName !== user.displayName && 'displayName', language !== user.language && 'language'].filter((x): x is string => Boolean(x));
    if (changed.length > 0) {
      await this.d.store.setUserProfile(user.id, { displayName, language }, this.d.audit.event(ctx, { action: 'user.profile-update', subject: user.id, details: { changed } }));
    }
    return userView((await this.d.store.getUser(user.id))!);
  }

  async enrolTotp(user: UserRecord, ctx: AuditContext): Promise<{ secret: string; otpauthUri: string }> {
    if (user.totpConfirmedAt !== null) throw new VaultgateError('STATE_CONFLICT', { detail: 'A TOTP authenticator is enrolled already.' });
    const secret = newTotpSecret();
    const sealed = await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(secret, 'utf8'), totpAad(user.id));
    await this.d.store.setUserTotp(user.id, sealed, this.d.audit.event(ctx, { action: 'user.totp-enrol', subject: user.id }));
    return { secret, otpauthUri: totpUri(secret, user.email, this.d.totpIssuer) };
  }

  /** Confirms enrolment with a current code (TOTP_INVALID when wrong or reused; STATE_CONFLICT when none is pending). */
  async confirmTotp(user: UserRecord, code: string, ctx: AuditContext): Promise<UserView> {
    if (user.totpConfirmedAt !== null) throw new VaultgateError('STATE_CONFLICT', { detail: 'A TOTP authenticator is enrolled and confirmed already: sign in with its codes.' });
    if (!user.totpSecretCiphertext) throw new VaultgateError('STATE_CONFLICT', { detail: 'No enrolment is pending: start one first (POST /api/v1/me/totp).' });
    const secret = (await this.d.crypto.open(user.totpSecretCiphertext, totpAad(user.id), SYSTEM_OWNER)).toString('utf8');
    const step = totpStep(secret, code, this.d.clock.now());
    const ok = step !== null && (await this.d.store.confirmUserTotp(user.id, step, this.now(), this.d.audit.event(ctx, { action: 'user.totp-confirm', subject: user.id })));
    if (!ok) {
      await this.d.audit.refusal(ctx, { action: 'user.totp-confirm', subject: user.id, details: { code: 'TOTP_INVALID' } });
      throw totpInvalid(code);
    }
    return userView((await this.d.store.getUser(user.id))!);
  }

  // --- organisations ---

  async organisation(id: string): Promise<OrganisationRecord> {
    const o = await this.d.store.getOrganisation(id);
    if (!o) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${id}.` });
    return o;
  }

  async listMembers(organisationId: string, q: ListQuery): Promise<Page<MembershipRecord & { email: string; displayName: string }>> {
    await this.organisation(organisationId);
    return this.d.store.listOrganisationMembers(organisationId, q);
  }

  /**
   * Requires (or stops requiring) TOTP of the organisation's members. TOTP_ENROLMENT_FIRST when `by` is a user without
   * an authenticator whom the requirement would hold (signed in with a password): they would lock themselves out.
   */
  async setRequireTotp(organisationId: string, required: boolean, ctx: AuditContext, by?: { principal: Principal; signInMethod: SignInMethod | undefined }): Promise<OrganisationRecord> {
    const o = await this.organisation(organisationId);
    if (required && !o.requireTotp && by?.principal.kind === 'user' && totpHoldOf(by.principal.user, [{ ...o, requireTotp: true }], by.signInMethod) !== null) {
      throw new VaultgateError('TOTP_ENROLMENT_FIRST', { detail: `You (${by.principal.user.email}) have no authenticator; requiring TOTP of ${o.name} (${o.id}) would hold you to enrolment.` });
    }
    await this.d.store.setOrganisationRequireTotp(o.id, required, this.d.audit.event(ctx, {
      action: 'organisation.require-totp', subject: o.id, tenants: o.companyId ? [o.companyId] : [], details: { required },
    }));
    return this.organisation(o.id);
  }
}

/** totpHold's rule on organisations already read. */
function totpHoldOf(user: UserRecord, organisations: readonly OrganisationRecord[], signInMethod: SignInMethod | undefined): string | null {
  if (user.totpConfirmedAt !== null) return null;
  if (user.platformRole === 'operator') return 'A platform operator needs a second factor: enrol one with POST /api/v1/me/totp (vaultgate account totp enrol) first.';
  const requiring = signInMethod === 'oidc' ? undefined : organisations.find((o) => o.requireTotp);
  return requiring ? `${requiring.id} requires a second factor: enrol one with POST /api/v1/me/totp (vaultgate account totp enrol) first.` : null;
}

/**
 * The authorization rule of the organisation routes: the operator (token or operator user) may do anything; a user
 * needs a membership of the organisation with one of `roles`. ACCOUNT_FORBIDDEN otherwise — also for an organisation
 * that does not exist, so that a user cannot probe which ids exist.
 */
export function authorize(p: Principal, organisationId: string, roles: readonly MembershipRole[]): void {
  if (p.kind === 'operator-token' || p.user.platformRole === 'operator') return;
  const m = p.memberships.find((x) => x.organisationId === organisationId);
  if (!m || !roles.includes(m.role)) {
    throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: `Needs the role ${roles.join(' or ')} in ${organisationId}${m ? ` (yours: ${m.role})` : ' (you are not a member of it)'}: an admin of it gives roles.` });
  }
  if (p.suspended?.has(organisationId)) throw new VaultgateError('ORGANISATION_SUSPENDED', { detail: suspendedDetail(organisationId, p.suspended.get(organisationId)), extra: { organisationId } });
}

/** The detail of an operator action refused to someone else. */
export const OPERATORS_ONLY = "Only a platform operator may do this: an operator user's session (vaultgate admin --profile <operator's profile>) or the admin token.";

/** Operators only: the operator token, or a user with the platform operator role. */
export function authorizeOperator(p: Principal): void {
  if (p.kind === 'operator-token' || p.user.platformRole === 'operator') return;
  throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: OPERATORS_ONLY });
}
