import { createHash, randomBytes } from 'node:crypto';
import { newId, VaultgateError, type Clock, type Environment } from '../../../protocol/index.js';
import type {
  AccountLanguage, InvitationRecord, ListQuery, MembershipRole, OrganisationRecord, Page, Store, UserRecord,
} from '../../../store/index.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';
import type { RegistryCache } from '../registry-cache.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import { invitationMail } from './invitation-mail.js';
import type { Mailer } from './mailer.js';

/*
 * People of an organisation (issue 14), free of Fastify: invitations by a single-use, expiring email link, an admin
 * changing roles and removing members (never the last admin), and the operator suspending and reinstating an
 * organisation. Every change is one transaction with its audit event.
 *
 * The link carries 256 random bits (`vgi_…`); only their SHA-256 is stored, and the link is shown once: in the mail,
 * or — without SMTP configured — in the answer to the inviter (the CLI prints it).
 */

export const INVITATION_PREFIX = 'vgi_';
const hashToken = (t: string): string => createHash('sha256').update(t, 'utf8').digest('hex');
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export interface InvitationView {
  id: string; organisationId: string; email: string; role: MembershipRole; language: AccountLanguage; invitedBy: string;
  createdAt: string; expiresAt: string; acceptedAt: string | null; acceptedBy: string | null; revokedAt: string | null;
}
const view = ({ tokenHash: _h, ...v }: InvitationRecord): InvitationView => v;

export interface PeopleDeps {
  store: Store;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
  cache: RegistryCache;
  /** null: no SMTP configured; the link is returned to the inviter instead. */
  mailer: Mailer | null;
  invitationTtlH: number;
  /** The server's public base URL (the link points at it). */
  publicBaseUrl: () => string;
}

export class People {
  constructor(private readonly d: PeopleDeps) {}

  private now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  private async organisation(id: string): Promise<OrganisationRecord> {
    const o = await this.d.store.getOrganisation(id);
    if (!o) throw new VaultgateError('NOT_FOUND', { detail: `No organisation ${id}.` });
    return o;
  }

  private tenants(o: OrganisationRecord): string[] {
    return o.companyId ? [o.companyId] : [];
  }

  /**
   * Invites `email` into the organisation with `role`. The mail goes out in `language`, else the inviter's (EN for the
   * operator token). Returns the invitation, and the link only when no mail was sent (no SMTP configured).
   * INVALID_REQUEST (email), MAIL_UNAVAILABLE (the SMTP server refused; the invitation is revoked at once).
   */
  async invite(organisationId: string, input: { email: string; role: MembershipRole; language?: AccountLanguage | undefined }, inviter: UserRecord | null, ctx: AuditContext): Promise<{ invitation: InvitationView; mailed: boolean; link?: string }> {
    const o = await this.organisation(organisationId);
    const email = input.email.trim();
    if (!EMAIL.test(email)) throw new VaultgateError('INVALID_REQUEST', { detail: 'email must be an address such as name@example.com.' });
    const token = INVITATION_PREFIX + randomBytes(32).toString('base64url');
    const at = this.d.clock.now();
    const inv: InvitationRecord = {
      id: newId('invitation', this.d.environment), tokenHash: hashToken(token), organisationId: o.id, email, role: input.role,
      language: input.language ?? inviter?.language ?? 'en', invitedBy: inviter?.id ?? ctx.actor.id,
      createdAt: new Date(at).toISOString(), expiresAt: new Date(at + this.d.invitationTtlH * 3600_000).toISOString(), acceptedAt: null, acceptedBy: null, revokedAt: null,
    };
    await this.d.store.createInvitation(inv, this.d.audit.event(ctx, {
      action: 'invitation.create', subject: inv.id, tenants: this.tenants(o),
      details: { organisationId: o.id, email, role: inv.role, language: inv.language, mailed: this.d.mailer !== null },
    }));
    const link = `${this.d.publicBaseUrl().replace(/\/$/, '')}/api/v1/invitations/${token}`;
    if (!this.d.mailer) return { invitation: view(inv), mailed: false, link };
    try {
      await this.d.mailer.send(invitationMail({ to: email, language: inv.language, organisation: o.name, role: inv.role, link, expiresAt: inv.expiresAt }));
    } catch (err) {
      await this.d.store.revokeInvitation(inv.id, o.id, this.now(), this.d.audit.event(ctx, {
        action: 'invitation.revoke', subject: inv.id, tenants: this.tenants(o), details: { code: 'MAIL_UNAVAILABLE' },
      }));
      throw err;
    }
    return { invitation: view(inv), mailed: true };
  }

  listInvitations(organisationId: string, q: ListQuery): Promise<Page<InvitationView>> {
    return this.d.store.listOrganisationInvitations(organisationId, q).then((p) => ({ ...p, items: p.items.map(view) }));
  }

  async revokeInvitation(organisationId: string, id: string, ctx: AuditContext): Promise<void> {
    const o = await this.organisation(organisationId);
    const ok = await this.d.store.revokeInvitation(id, o.id, this.now(), this.d.audit.event(ctx, { action: 'invitation.revoke', subject: id, tenants: this.tenants(o) }));
    if (!ok) throw new VaultgateError('NOT_FOUND', { detail: `No open invitation ${id} in ${o.id}.` });
  }

  /** The live invitation of a link, or INVITATION_INVALID (unknown, used, revoked, expired). */
  private async live(token: string): Promise<InvitationRecord> {
    const inv = await this.find(token);
    if (!inv || !this.isLive(inv)) throw new VaultgateError('INVITATION_INVALID');
    return inv;
  }

  private find(token: string): Promise<InvitationRecord | undefined> {
    return token.startsWith(INVITATION_PREFIX) ? this.d.store.getInvitationByHash(hashToken(token)) : Promise.resolve(undefined);
  }

  private isLive(inv: InvitationRecord): boolean {
    return inv.acceptedAt === null && inv.revokedAt === null && inv.expiresAt > this.now();
  }

  /** What a link invites to (for the page that accepts it): the organisation's name, the email, role and expiry. */
  async describe(token: string): Promise<{ invitation: InvitationView; organisationName: string; existingUser: boolean }> {
    const inv = await this.live(token);
    const o = await this.organisation(inv.organisationId);
    return { invitation: view(inv), organisationName: o.name, existingUser: (await this.d.store.getUserByEmail(inv.email)) !== undefined };
  }

  /**
   * Accepts a link once. Signed in (`user`): adds the membership to that user, whose email must be the invited one
   * (INVITATION_EMAIL_MISMATCH; STATE_CONFLICT when a member already). Not signed in: creates the user with the
   * password policy of registration (PASSWORD_TOO_SHORT / PASSWORD_TOO_COMMON); SESSION_REQUIRED when a user with that
   * email exists (sign in first). INVITATION_INVALID; ORGANISATION_SUSPENDED.
   */
  async accept(token: string, who: { user: UserRecord } | { newUser: { displayName: string; password: string; language?: AccountLanguage | undefined } }, ctx: AuditContext): Promise<{ userId: string; organisationId: string; role: MembershipRole }> {
    const refuse = async (code: 'INVITATION_INVALID' | 'INVITATION_EMAIL_MISMATCH', subject: string): Promise<never> => {
      await this.d.audit.refusal(ctx, { action: 'invitation.accept', subject, details: { code } });
      throw new VaultgateError(code);
    };
    const inv = await this.find(token);
    if (!inv || !this.isLive(inv)) return refuse('INVITATION_INVALID', inv?.id ?? '-');
    const o = await this.organisation(inv.organisationId);
    if (o.status === 'suspended') throw new VaultgateError('ORGANISATION_SUSPENDED', { detail: suspendedDetail(o.id, o.name), extra: { organisationId: o.id } });
    const at = this.now();
    let newUser: UserRecord | null = null;
    let userId: string;
    if ('user' in who) {
      if (who.user.email.normalize('NFC').toLowerCase() !== inv.email.normalize('NFC').toLowerCase()) return refuse('INVITATION_EMAIL_MISMATCH', inv.id);
      if ((await this.d.store.listUserMemberships(who.user.id)).some((m) => m.organisationId === o.id)) {
        throw new VaultgateError('STATE_CONFLICT', { detail: `You are a member of ${o.id} already.` });
      }
      userId = who.user.id;
    } else {
      if (await this.d.store.getUserByEmail(inv.email)) {
        throw new VaultgateError('SESSION_REQUIRED', { detail: `A user with ${inv.email} exists: sign in as them, then accept the invitation.` });
      }
      checkPasswordPolicy(who.newUser.password);
      newUser = {
        id: newId('user', this.d.environment), email: inv.email, displayName: who.newUser.displayName.trim(), language: who.newUser.language ?? inv.language,
        passwordHash: await hashPassword(who.newUser.password), totpSecretCiphertext: null, totpConfirmedAt: null, totpLastStep: null,
        platformRole: null, status: 'active', createdAt: at,
      };
      userId = newUser.id;
    }
    const actx: AuditContext = { ...ctx, actor: { kind: 'user', id: userId } };
    const ok = await this.d.store.acceptInvitation(inv.id, at, { newUser, membership: { userId, organisationId: o.id, role: inv.role, createdAt: at } }, this.d.audit.event(actx, {
      action: 'invitation.accept', subject: inv.id, tenants: this.tenants(o), details: { organisationId: o.id, userId, role: inv.role, newUser: newUser !== null },
    }));
    if (!ok) return refuse('INVITATION_INVALID', inv.id);
    return { userId, organisationId: o.id, role: inv.role };
  }

  /** Changes a member's role. NOT_FOUND (not a member), LAST_ADMIN (the last admin would stop being one). */
  async setRole(organisationId: string, userId: string, role: MembershipRole, ctx: AuditContext): Promise<{ userId: string; organisationId: string; role: MembershipRole }> {
    const o = await this.organisation(organisationId);
    const ok = await this.d.store.setMemberRole(o.id, userId, role, this.d.audit.event(ctx, { action: 'membership.role', subject: userId, tenants: this.tenants(o), details: { organisationId: o.id, role } }));
    if (!ok) await this.whyNot(o.id, userId);
    return { userId, organisationId: o.id, role };
  }

  /** Removes a member (their tokens for it stop with the membership). NOT_FOUND, LAST_ADMIN. */
  async remove(organisationId: string, userId: string, ctx: AuditContext): Promise<void> {
    const o = await this.organisation(organisationId);
    const ok = await this.d.store.removeMember(o.id, userId, this.d.audit.event(ctx, { action: 'membership.remove', subject: userId, tenants: this.tenants(o), details: { organisationId: o.id } }));
    if (!ok) await this.whyNot(o.id, userId);
  }

  private async whyNot(organisationId: string, userId: string): Promise<never> {
    const member = (await this.d.store.listUserMemberships(userId)).some((m) => m.organisationId === organisationId);
    if (!member) throw new VaultgateError('NOT_FOUND', { detail: `${userId} is not a member of ${organisationId}.` });
    throw new VaultgateError('LAST_ADMIN', { detail: `${userId} is the last admin of ${organisationId}.` });
  }

  /**
   * Suspends (or reinstates) an organisation (operator): from the next request on, its MAC credentials, OAuth clients,
   * personal API tokens and its members' access to it are refused with ORGANISATION_SUSPENDED, until reinstated.
   * STATE_CONFLICT when it has that status already.
   */
  async setStatus(organisationId: string, status: OrganisationRecord['status'], ctx: AuditContext): Promise<OrganisationRecord> {
    const o = await this.organisation(organisationId);
    const ok = await this.d.store.setOrganisationStatus(o.id, status, this.d.audit.event(ctx, {
      action: status === 'suspended' ? 'organisation.suspend' : 'organisation.reinstate', subject: o.id, tenants: this.tenants(o),
    }));
    this.d.cache.clear();
    if (!ok) throw new VaultgateError('STATE_CONFLICT', { detail: `${o.id} is ${o.status} already.` });
    return this.organisation(o.id);
  }

  /** Every organisation, oldest first, in pages; with `status`, only the active or the suspended ones (operator). */
  listOrganisations(q: ListQuery & { status?: OrganisationRecord['status'] | undefined }): Promise<Page<OrganisationRecord>> {
    return this.d.store.listOrganisations(q);
  }
}

/**
 * Refuses a request whose company or party belongs to a suspended organisation (ORGANISATION_SUSPENDED). Looked up
 * through the registry cache, which every suspension clears, so it holds from the next request on.
 */
export async function refuseSuspended(d: { store: Store; cache: RegistryCache }, ids: readonly (string | undefined)[]): Promise<void> {
  for (const id of ids) {
    if (id && (await isSuspended(d, id))) {
      throw new VaultgateError('ORGANISATION_SUSPENDED', { detail: suspendedDetail(id, await nameOf(d.store, id)), extra: { organisationId: id }, logReason: `organisation of ${id} is suspended` });
    }
  }
}

/**
 * Which organisation is suspended, for ORGANISATION_SUSPENDED's detail: a vendor sending to a company's channel can
 * tell whether it is its own suspension or the company's. An organisation's id is its company's (`co_…`) or, when it
 * is only a vendor, its party's (`tp_…`).
 */
export function suspendedDetail(id: string, name?: string | undefined): string {
  return `${id.startsWith('tp_') ? 'The software vendor' : 'The company'} ${name ? `${name} (${id})` : id} is suspended.`;
}

/** The name of a company (`co_…`) or party (`tp_…`) for a refusal's detail; undefined when there is none. */
export async function nameOf(store: Store, companyOrPartyId: string): Promise<string | undefined> {
  return companyOrPartyId.startsWith('tp_') ? (await store.getParty(companyOrPartyId))?.name : (await store.getCompany(companyOrPartyId))?.name;
}

/** Whether the organisation of this company or party is suspended, through the registry cache (cleared by setStatus). */
export function isSuspended(d: { store: Store; cache: RegistryCache }, companyOrPartyId: string): Promise<boolean> {
  return d.cache.get(`suspended:${companyOrPartyId}`, () => d.store.isOrganisationSuspended(companyOrPartyId));
}
