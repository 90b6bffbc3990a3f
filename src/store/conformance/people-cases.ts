import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InvitationRecord } from '../port.js';
import { collectPages, expectCode } from './assertions.js';
import { auditEvent } from './audit-cases.js';
import { user } from './account-cases.js';
import type { ConformanceContext } from './context.js';
import { at } from './fixtures.js';

/* Invitations, roles, removal and suspension of organisations (issue 14, people). */

const tag = (): string => randomBytes(5).toString('hex');

function invitation(organisationId: string, over: Partial<InvitationRecord> = {}): InvitationRecord {
  return {
    id: `inv_test_${tag()}`, tokenHash: tag() + tag(), organisationId, email: `Invited.${tag()}@Example.com`, role: 'member', language: 'sv',
    invitedBy: 'usr_test_admin', createdAt: at(1), expiresAt: at(100), acceptedAt: null, acceptedBy: null, revokedAt: null, ...over,
  };
}

export function describePeopleCases(ctx: ConformanceContext): void {
  describe('people', () => {
    it('an invitation is found by its token hash, used once, only before it expires, and not after revocation', async () => {
      const store = ctx.store();
      const { company } = await ctx.fx().seed(store);
      const i = invitation(company.id);
      await store.createInvitation(i, auditEvent({ action: 'invitation.create', subject: i.id }));
      expect(await store.getInvitationByHash(i.tokenHash)).toEqual(i);
      expect(await store.getInvitationByHash('nope')).toBeUndefined();
      const u = user({ email: i.email, status: 'active' });
      // Expired at the time of acceptance: nothing written, no event.
      const before = (await store.auditHead())!.seq;
      expect(await store.acceptInvitation(i.id, at(100), { newUser: u, membership: { userId: u.id, organisationId: company.id, role: 'member', createdAt: at(100) } }, auditEvent())).toBe(false);
      expect(await store.getUser(u.id)).toBeUndefined();
      expect((await store.auditHead())!.seq).toBe(before);
      // In time: the user and the membership in one transaction with the event.
      expect(await store.acceptInvitation(i.id, at(50), { newUser: u, membership: { userId: u.id, organisationId: company.id, role: 'member', createdAt: at(50) } }, auditEvent({ action: 'invitation.accept' }))).toBe(true);
      expect(await store.getUser(u.id)).toEqual(u);
      expect(await store.listUserMemberships(u.id)).toEqual([{ userId: u.id, organisationId: company.id, role: 'member', createdAt: at(50) }]);
      expect(await store.getInvitationByHash(i.tokenHash)).toMatchObject({ acceptedAt: at(50), acceptedBy: u.id });
      // Once only.
      expect(await store.acceptInvitation(i.id, at(51), { newUser: null, membership: { userId: u.id, organisationId: company.id, role: 'admin', createdAt: at(51) } }, auditEvent())).toBe(false);
      expect(await store.revokeInvitation(i.id, company.id, at(52), auditEvent())).toBe(false);
      // A revoked one cannot be used; one of another organisation cannot be revoked through this one.
      const j = invitation(company.id);
      await store.createInvitation(j, auditEvent());
      expect(await store.revokeInvitation(j.id, 'co_test_other', at(2), auditEvent())).toBe(false);
      expect(await store.revokeInvitation(j.id, company.id, at(2), auditEvent({ action: 'invitation.revoke' }))).toBe(true);
      const v = user();
      expect(await store.acceptInvitation(j.id, at(3), { newUser: v, membership: { userId: v.id, organisationId: company.id, role: 'member', createdAt: at(3) } }, auditEvent())).toBe(false);
      expect((await collectPages((cursor) => store.listOrganisationInvitations(company.id, { cursor, limit: 1 }))).items.map((x) => x.id)).toEqual([i.id, j.id]);
      expect((await store.readAuditChain(0, 100)).map((e) => e.action)).toEqual(['invitation.create', 'invitation.accept', 'company.create', 'invitation.revoke']);
    });

    it('accepting as a new user whose email is taken writes nothing (USER_EMAIL_TAKEN)', async () => {
      const store = ctx.store();
      const { company } = await ctx.fx().seed(store);
      const existing = user({ status: 'active' });
      await store.createUser(existing, auditEvent());
      const i = invitation(company.id, { email: existing.email });
      await store.createInvitation(i, auditEvent());
      const twin = user({ email: existing.email.toUpperCase() });
      await expectCode(store.acceptInvitation(i.id, at(2), { newUser: twin, membership: { userId: twin.id, organisationId: company.id, role: 'member', createdAt: at(2) } }, auditEvent()), 'USER_EMAIL_TAKEN');
      expect((await store.getInvitationByHash(i.tokenHash))!.acceptedAt).toBeNull();
    });

    it('roles change and members leave, but an organisation keeps at least one admin', async () => {
      const store = ctx.store();
      const { company } = await ctx.fx().seed(store);
      const [a, b] = [user({ status: 'active' }), user({ status: 'active' })];
      for (const u of [a, b]) await store.createUser(u, auditEvent());
      await store.addMembership({ userId: a.id, organisationId: company.id, role: 'admin', createdAt: at(1) }, auditEvent());
      await store.addMembership({ userId: b.id, organisationId: company.id, role: 'viewer', createdAt: at(1) }, auditEvent());
      const head = (await store.auditHead())!.seq;
      expect(await store.setMemberRole(company.id, a.id, 'member', auditEvent())).toBe(false);
      expect(await store.removeMember(company.id, a.id, auditEvent())).toBe(false);
      expect(await store.setMemberRole(company.id, 'usr_test_none', 'member', auditEvent())).toBe(false);
      expect((await store.auditHead())!.seq).toBe(head);
      expect(await store.setMemberRole(company.id, a.id, 'admin', auditEvent())).toBe(true);
      expect(await store.setMemberRole(company.id, b.id, 'admin', auditEvent({ action: 'membership.role' }))).toBe(true);
      expect(await store.removeMember(company.id, a.id, auditEvent({ action: 'membership.remove' }))).toBe(true);
      expect(await store.listUserMemberships(a.id)).toEqual([]);
      expect(await store.listUserMemberships(b.id)).toEqual([expect.objectContaining({ role: 'admin' })]);
      expect(await store.removeMember(company.id, b.id, auditEvent())).toBe(false);
    });

    it("the operator's list of organisations: oldest first, in pages, filtered by status", async () => {
      const store = ctx.store();
      const { company, party } = await ctx.fx().seed(store);
      const other = ctx.fx().company();
      await store.createCompany(other);
      expect(await store.setOrganisationStatus(party.id, 'suspended', auditEvent({ action: 'organisation.suspend' }))).toBe(true);
      const { items: all, pages } = await collectPages((cursor) => store.listOrganisations({ cursor, limit: 1 }));
      expect(pages).toBe(3);
      expect(all.map((o) => o.id)).toEqual([company.id, party.id, other.id]);
      expect(all[0]).toEqual(await store.getOrganisation(company.id));
      expect(all[0]).toMatchObject({ businessId: company.businessId, status: 'active' });
      expect((await store.listOrganisations({ limit: 10, status: 'suspended' })).items.map((o) => o.id)).toEqual([party.id]);
      const { items: active } = await collectPages((cursor) => store.listOrganisations({ cursor, limit: 1, status: 'active' }));
      expect(active.map((o) => o.id)).toEqual([company.id, other.id]);
    });

    it("the operator's list of users: oldest first, in pages, by email (case-insensitively) and by platform role", async () => {
      const store = ctx.store();
      const [a, b, op] = [user({ status: 'active' }), user({ status: 'active' }), user({ status: 'active', platformRole: 'operator' })];
      for (const u of [a, b, op]) await store.createUser(u, auditEvent());
      const { items: all } = await collectPages((cursor) => store.listUsers({ cursor, limit: 1 }));
      expect(all.map((u) => u.id)).toEqual(expect.arrayContaining([a.id, b.id, op.id]));
      expect(all.findIndex((u) => u.id === a.id)).toBeLessThan(all.findIndex((u) => u.id === op.id));
      expect(all.find((u) => u.id === b.id)).toEqual(b);
      expect((await store.listUsers({ limit: 10, email: b.email.toUpperCase() })).items).toEqual([b]);
      expect((await store.listUsers({ limit: 10, email: 'nobody@example.com' })).items).toEqual([]);
      const ops = (await store.listUsers({ limit: 100, platformRole: 'operator' })).items;
      expect(ops.map((u) => u.id)).toContain(op.id);
      expect(ops.every((u) => u.platformRole === 'operator')).toBe(true);
      expect((await store.listUsers({ limit: 10, email: a.email, platformRole: 'operator' })).items).toEqual([]);
    });

    it('an organisation is suspended and reinstated; the lookup finds it by company or party id', async () => {
      const store = ctx.store();
      const { company, party } = await ctx.fx().seed(store);
      expect(await store.isOrganisationSuspended(company.id)).toBe(false);
      expect(await store.setOrganisationStatus(company.id, 'suspended', auditEvent({ action: 'organisation.suspend' }))).toBe(true);
      expect(await store.setOrganisationStatus(company.id, 'suspended', auditEvent())).toBe(false);
      expect(await store.isOrganisationSuspended(company.id)).toBe(true);
      expect(await store.isOrganisationSuspended(party.id)).toBe(false);
      expect((await store.getOrganisation(company.id))!.status).toBe('suspended');
      expect(await store.setOrganisationStatus(company.id, 'active', auditEvent({ action: 'organisation.reinstate' }))).toBe(true);
      expect(await store.isOrganisationSuspended(company.id)).toBe(false);
      expect(await store.setOrganisationStatus('co_test_none', 'suspended', auditEvent())).toBe(false);
      expect(await store.isOrganisationSuspended('co_test_none')).toBe(false);
    });
  });
}
