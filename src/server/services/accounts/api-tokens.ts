import { createHash, randomBytes } from 'node:crypto';
import { newId, VaultgateError, type Clock, type Environment } from '../../../protocol/index.js';
import type { ApiTokenRecord, ListQuery, MembershipRecord, MembershipRole, Page, Store, UserRecord } from '../../../store/index.js';
import type { AuditContext, AuditTrail } from '../audit/audit-trail.js';

/*
 * Personal API tokens (issue 14): automation by a user, as `Authorization: Bearer vgp_…` on /api/v1. Each is scoped
 * to one organisation and a role no higher than the user's own there; at each use its role is capped again by the
 * user's current membership (a user demoted or removed takes their tokens down with them). 256 random bits, shown
 * once; only the SHA-256 is stored. Expiring (1-365 days, default 90) and revocable. The `vgp_` prefix lets secret
 * scanners recognise a leaked token. A token keeps how the session that made it was started (`signInMethod`): an
 * organisation's TOTP requirement holds it as it holds that session (a token made in an OpenID Connect session works
 * for a member without TOTP, as the session does; one made in a password session is held until the user enrols).
 */

export const API_TOKEN_PREFIX = 'vgp_';
const RANK: Record<MembershipRole, number> = { viewer: 0, member: 1, admin: 2 };
const DAY_MS = 86_400_000;

export type ApiTokenView = Omit<ApiTokenRecord, 'tokenHash'>;
const view = ({ tokenHash: _h, ...t }: ApiTokenRecord): ApiTokenView => t;
const hash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export class ApiTokens {
  constructor(private readonly d: { store: Store; clock: Clock; environment: Environment; audit: AuditTrail }) {}

  /**
   * A new token for `user` in one of their organisations, made in a session started by `signInMethod`
   * (ACCOUNT_FORBIDDEN when the role is above their own).
   */
  async create(user: UserRecord, memberships: MembershipRecord[], input: { organisationId: string; role: MembershipRole; name: string; expiresInDays?: number | undefined }, signInMethod: ApiTokenRecord['signInMethod'], ctx: AuditContext): Promise<ApiTokenView & { token: string }> {
    const m = memberships.find((x) => x.organisationId === input.organisationId);
    if (!m || RANK[input.role] > RANK[m.role]) {
      throw new VaultgateError('ACCOUNT_FORBIDDEN', { detail: m
        ? `A token may have at most your own role in ${input.organisationId} (${m.role}): create it with that role or lower (--role), or ask an admin of it for a higher role first.`
        : `A token may have at most your own role in ${input.organisationId}, and you are not a member of it: a token is for an organisation you are in (vaultgate account me lists them).` });
    }
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.d.clock.now();
    const t: ApiTokenRecord = {
      id: newId('apiToken', this.d.environment), tokenHash: hash(token), userId: user.id, organisationId: input.organisationId, role: input.role,
      name: input.name.trim(), createdAt: new Date(now).toISOString(), expiresAt: new Date(now + (input.expiresInDays ?? 90) * DAY_MS).toISOString(), revokedAt: null, signInMethod,
    };
    const org = await this.d.store.getOrganisation(t.organisationId);
    await this.d.store.createApiToken(t, this.d.audit.event(ctx, {
      action: 'api-token.create', subject: t.id, tenants: org?.companyId ? [org.companyId] : [], details: { organisationId: t.organisationId, role: t.role, name: t.name, expiresAt: t.expiresAt, signInMethod },
    }));
    return { ...view(t), token };
  }

  async list(userId: string, q: ListQuery): Promise<Page<ApiTokenView>> {
    const p = await this.d.store.listUserApiTokens(userId, q);
    return { items: p.items.map(view), nextCursor: p.nextCursor };
  }

  /** Revokes one of the user's live tokens (NOT_FOUND otherwise). */
  async revoke(userId: string, id: string, ctx: AuditContext): Promise<void> {
    // The event names the organisation as api-token.create does (tenants: its company; details: the organisation).
    const t = await this.#find(userId, id);
    const org = t && (await this.d.store.getOrganisation(t.organisationId));
    const event = this.d.audit.event(ctx, { action: 'api-token.revoke', subject: id, tenants: org?.companyId ? [org.companyId] : [], ...(t ? { details: { organisationId: t.organisationId } } : {}) });
    const ok = await this.d.store.revokeApiToken(id, userId, new Date(this.d.clock.now()).toISOString(), event);
    if (!ok) throw new VaultgateError('NOT_FOUND', { detail: `No live token ${id} of yours.` });
  }

  /** One of the user's tokens by id (a person has a handful: their pages are read until it turns up). */
  async #find(userId: string, id: string): Promise<ApiTokenRecord | undefined> {
    let cursor: string | undefined;
    do {
      const p = await this.d.store.listUserApiTokens(userId, { limit: 100, cursor });
      const t = p.items.find((x) => x.id === id);
      if (t) return t;
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    return undefined;
  }

  /**
   * The user and the one membership a token acts with (its role capped by the user's current one); API_TOKEN_INVALID
   * when the token is unknown, revoked, expired, its user inactive or no longer a member.
   */
  async resolve(token: string): Promise<{ user: UserRecord; membership: MembershipRecord; token: ApiTokenRecord }> {
    const t = token.length <= 100 ? await this.d.store.getApiTokenByHash(hash(token)) : undefined;
    const invalid = (detail: string) => new VaultgateError('API_TOKEN_INVALID', { detail });
    if (!t || t.revokedAt !== null) throw invalid('No such token, or it was revoked.');
    if (Date.parse(t.expiresAt) <= this.d.clock.now()) throw invalid(`The token expired at ${t.expiresAt}.`);
    const user = await this.d.store.getUser(t.userId);
    if (!user || user.status !== 'active') throw invalid('Its user is not active.');
    const m = (await this.d.store.listUserMemberships(user.id)).find((x) => x.organisationId === t.organisationId);
    if (!m) throw invalid(`Its user is no longer a member of ${t.organisationId}.`);
    const role = RANK[m.role] < RANK[t.role] ? m.role : t.role;
    return { user, membership: { ...m, role }, token: t };
  }
}
