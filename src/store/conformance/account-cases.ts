import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../protocol/audit-chain.js';
import type { RegistrationApproval, RegistrationRecord, SessionRecord, UserRecord } from '../port.js';
import { collectPages, expectBytes, expectCode } from './assertions.js';
import { auditEvent } from './audit-cases.js';
import type { ConformanceContext } from './context.js';
import { at, cipherBytes } from './fixtures.js';

/* Organisations, users, memberships, sessions and registrations (issue 14). */

const tag = (): string => randomBytes(5).toString('hex');

export function user(over: Partial<UserRecord> = {}): UserRecord {
  return {
    id: `usr_test_${tag()}`, email: `Person.${tag()}@Example.com`, displayName: 'Äijä Öljynen', language: 'fi',
    passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${tag()}$${tag()}`, totpSecretCiphertext: null, totpConfirmedAt: null, totpLastStep: null,
    platformRole: null, status: 'pending', createdAt: at(1), ...over,
  };
}

export function registration(userId: string, over: Partial<RegistrationRecord> = {}): RegistrationRecord {
  return {
    id: `reg_test_${tag()}`, kind: 'company', organisationName: 'Yritys Oy', businessId: '1234567-1', userId, status: 'pending',
    createdAt: at(2), decidedAt: null, decidedBy: null, organisationId: null, ...over,
  };
}

function approval(r: RegistrationRecord, businessId = '2345678-2'): RegistrationApproval {
  const companyId = `co_test_${tag()}`;
  const partyId = r.kind === 'company' ? null : `tp_test_${tag()}`;
  const id = r.kind === 'party' ? partyId! : companyId;
  return {
    organisation: { id, name: r.organisationName, companyId: r.kind === 'party' ? null : companyId, partyId, status: 'active', requireTotp: false, createdAt: at(3) },
    company: r.kind === 'party' ? null : { id: companyId, name: r.organisationName, businessId, createdAt: at(3) },
    party: partyId ? { id: partyId, name: r.organisationName, status: 'active', createdAt: at(3), disabledAt: null } : null,
    at: at(3), decidedBy: 'operator',
  };
}

export function session(userId: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return { tokenHash: tag() + tag(), userId, createdAt: at(4), lastSeenAt: at(4), expiresAt: at(4 + 12 * 3600), revokedAt: null, clientAddress: '127.0.0.1', signInMethod: 'password', ...over };
}

export function describeAccountCases(ctx: ConformanceContext): void {
  describe('accounts', () => {
    it('every company and party the registry adds becomes an organisation with its id', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company, party } = await fx.seed(store);
      expect(await store.getOrganisation(company.id)).toEqual({
        id: company.id, name: company.name, companyId: company.id, partyId: null, businessId: company.businessId, status: 'active', requireTotp: false, createdAt: company.createdAt,
      });
      expect(await store.getOrganisation(party.id)).toMatchObject({ id: party.id, companyId: null, partyId: party.id, businessId: null, status: 'active' });
      expect(await store.getOrganisation('co_test_none')).toBeUndefined();
    });

    it('a registration stores its pending user; emails are unique case-insensitively; events chain in the same transactions', async () => {
      const store = ctx.store();
      const u = user();
      const r = registration(u.id);
      await store.createRegistration(r, u, auditEvent({ action: 'registration.create', subject: r.id }));
      expect(await store.getRegistration(r.id)).toEqual(r);
      expect(await store.getUser(u.id)).toEqual(u);
      expect(await store.getUserByEmail(u.email.toUpperCase())).toEqual(u);
      const twin = user({ email: u.email.toLowerCase() });
      await expectCode(store.createRegistration(registration(twin.id), twin, auditEvent()), 'USER_EMAIL_TAKEN');
      await expectCode(store.createUser(twin, auditEvent()), 'USER_EMAIL_TAKEN');
      // The refused ones left neither rows nor events.
      expect(await store.getUser(twin.id)).toBeUndefined();
      const chain = await store.readAuditChain(0, 100);
      expect(chain.map((e) => e.action)).toEqual(['registration.create']);
      expect(verifyAuditChain(chain, [], []).ok).toBe(true);
    });

    it('approval creates the organisation, its company and party, activates the user as its admin; only once', async () => {
      const store = ctx.store();
      const u = user();
      const r = registration(u.id, { kind: 'both' });
      await store.createRegistration(r, u, auditEvent());
      const a = approval(r);
      expect(await store.approveRegistration(r.id, a, auditEvent({ action: 'registration.approve' }))).toBe(true);
      const org = await store.getOrganisation(a.organisation.id);
      expect(org).toMatchObject({ id: a.company!.id, companyId: a.company!.id, partyId: a.party!.id, businessId: '2345678-2', status: 'active' });
      // The party's trigger saw the organisation: one organisation, not two.
      expect(await store.getOrganisation(a.party!.id)).toBeUndefined();
      expect(await store.getCompany(a.company!.id)).toMatchObject({ businessId: '2345678-2' });
      expect(await store.getParty(a.party!.id)).toMatchObject({ status: 'active' });
      expect((await store.getUser(u.id))!.status).toBe('active');
      expect(await store.listUserMemberships(u.id)).toEqual([{ userId: u.id, organisationId: org!.id, role: 'admin', createdAt: at(3) }]);
      expect(await store.getRegistration(r.id)).toMatchObject({ status: 'approved', decidedBy: 'operator', organisationId: org!.id, decidedAt: at(3) });
      expect(await store.approveRegistration(r.id, approval(r), auditEvent())).toBe(false);
      expect(await store.declineRegistration(r.id, at(5), 'operator', auditEvent())).toBe(false);
      expect((await store.readAuditChain(0, 100)).map((e) => e.action)).toEqual(['company.create', 'registration.approve']);
    });

    it('approval is all or nothing: a taken business id leaves the registration pending and writes nothing', async () => {
      const store = ctx.store();
      const fx = ctx.fx();
      const { company } = await fx.seed(store);
      const u = user();
      const r = registration(u.id);
      await store.createRegistration(r, u, auditEvent());
      const before = (await store.auditHead())!.seq;
      await expectCode(store.approveRegistration(r.id, approval(r, company.businessId), auditEvent()), 'BUSINESS_ID_TAKEN');
      expect((await store.getRegistration(r.id))!.status).toBe('pending');
      expect((await store.getUser(u.id))!.status).toBe('pending');
      expect(await store.listUserMemberships(u.id)).toEqual([]);
      expect((await store.auditHead())!.seq).toBe(before);
    });

    it('a declined registration disables its user; a party registration makes a party organisation', async () => {
      const store = ctx.store();
      const u = user();
      const r = registration(u.id);
      await store.createRegistration(r, u, auditEvent());
      expect(await store.declineRegistration(r.id, at(5), 'usr_test_op', auditEvent())).toBe(true);
      expect(await store.getRegistration(r.id)).toMatchObject({ status: 'declined', decidedBy: 'usr_test_op' });
      expect((await store.getUser(u.id))!.status).toBe('disabled');

      const v = user();
      const p = registration(v.id, { kind: 'party', businessId: null });
      await store.createRegistration(p, v, auditEvent());
      const a = approval(p);
      expect(await store.approveRegistration(p.id, a, auditEvent())).toBe(true);
      expect(await store.getOrganisation(a.party!.id)).toMatchObject({ companyId: null, partyId: a.party!.id, businessId: null });
      const pending = await collectPages((cursor) => store.listRegistrations({ cursor, limit: 1, status: 'pending' }));
      expect(pending.items).toEqual([]);
      const all = await collectPages((cursor) => store.listRegistrations({ cursor, limit: 1 }));
      expect(all.items.map((x) => x.id)).toEqual([r.id, p.id]);
      expect(all.pages).toBe(2);
    });

    it('a declined registrant registers again with the same email: their user is reused, pending, with the new details', async () => {
      const store = ctx.store();
      const u = user();
      const first = registration(u.id);
      await store.createRegistration(first, u, auditEvent());
      expect(await store.declineRegistration(first.id, at(5), 'operator', auditEvent())).toBe(true);
      // A user with the email but another id is still refused (only the declined user itself is reused).
      await expectCode(store.createRegistration(registration(`usr_test_${tag()}`), user({ email: u.email }), auditEvent()), 'USER_EMAIL_TAKEN');
      const again = user({ id: u.id, email: u.email.toUpperCase(), displayName: 'Uusi Nimi', language: 'sv', createdAt: u.createdAt });
      const second = registration(u.id, { createdAt: at(6) });
      await store.createRegistration(second, again, auditEvent({ action: 'registration.create', subject: second.id }));
      expect(await store.getUser(u.id)).toEqual(again);
      expect(await store.getRegistration(second.id)).toMatchObject({ status: 'pending', userId: u.id });
      expect((await store.getRegistration(first.id))!.status).toBe('declined');
      // Pending again, so a third registration is refused (and writes nothing), and the second one can be approved.
      const third = registration(u.id);
      await expectCode(store.createRegistration(third, again, auditEvent()), 'USER_EMAIL_TAKEN');
      expect(await store.getRegistration(third.id)).toBeUndefined();
      expect(await store.approveRegistration(second.id, approval(second), auditEvent())).toBe(true);
      expect((await store.getUser(u.id))!.status).toBe('active');
      // An active user (a member) is never reused, even by its own id.
      await expectCode(store.createRegistration(registration(u.id), { ...again, status: 'pending' }, auditEvent()), 'USER_EMAIL_TAKEN');
      expect((await store.readAuditChain(0, 100)).filter((e) => e.action === 'registration.create').map((e) => e.subject)).toEqual([second.id]);
    });

    it('members of an organisation in pages, with email and name; the organisation can require TOTP', async () => {
      const store = ctx.store();
      const { company } = await ctx.fx().seed(store);
      const users = [user(), user(), user()];
      for (const [i, u] of users.entries()) {
        await store.createUser({ ...u, status: 'active' }, auditEvent());
        await store.addMembership({ userId: u.id, organisationId: company.id, role: i === 0 ? 'admin' : 'member', createdAt: at(i) }, auditEvent());
      }
      const members = await collectPages((cursor) => store.listOrganisationMembers(company.id, { cursor, limit: 2 }));
      expect(members.items.map((m) => [m.userId, m.role, m.email, m.displayName])).toEqual(users.map((u, i) => [u.id, i === 0 ? 'admin' : 'member', u.email, u.displayName]));
      expect(await store.setOrganisationRequireTotp(company.id, true, auditEvent())).toBe(true);
      expect((await store.getOrganisation(company.id))!.requireTotp).toBe(true);
      expect(await store.setOrganisationRequireTotp('co_test_none', true, auditEvent())).toBe(false);
      // The user's own profile (the web portal): name and language change, nothing else does.
      const before = (await store.getUser(users[1]!.id))!;
      expect(await store.setUserProfile(users[1]!.id, { displayName: 'Uusi Nimi', language: 'sv' }, auditEvent())).toBe(true);
      expect(await store.getUser(users[1]!.id)).toEqual({ ...before, displayName: 'Uusi Nimi', language: 'sv' });
      expect(await store.getUser(users[0]!.id)).toMatchObject({ displayName: users[0]!.displayName, language: users[0]!.language });
      expect(await store.setUserProfile('usr_test_none', { displayName: 'X', language: 'fi' }, auditEvent())).toBe(false);
    });

    it('TOTP: the sealed secret round-trips; confirmation and sign-in consume steps that only grow (no reuse)', async () => {
      const store = ctx.store();
      const u = user({ status: 'active' });
      await store.createUser(u, auditEvent());
      expect(await store.confirmUserTotp(u.id, 100, at(9), auditEvent())).toBe(false); // nothing enrolled
      const secret = cipherBytes(80);
      expect(await store.setUserTotp(u.id, secret, auditEvent())).toBe(true);
      expectBytes((await store.getUser(u.id))!.totpSecretCiphertext ?? undefined, secret);
      expect(await store.confirmUserTotp(u.id, 100, at(9), auditEvent())).toBe(true);
      expect(await store.confirmUserTotp(u.id, 101, at(9), auditEvent())).toBe(false); // confirmed already
      expect(await store.getUser(u.id)).toMatchObject({ totpConfirmedAt: at(9), totpLastStep: 100 });
      expect(await store.createSession(session(u.id), 100, auditEvent())).toBe(false); // the confirmation's step again
      expect(await store.createSession(session(u.id), 101, auditEvent())).toBe(true);
      const replay = session(u.id);
      expect(await store.createSession(replay, 101, auditEvent())).toBe(false);
      expect(await store.getSession(replay.tokenHash)).toBeUndefined();
      expect((await store.getUser(u.id))!.totpLastStep).toBe(101);
    });

    it('sessions: stored by token hash, touched forward only, revoked one by one or all of a user', async () => {
      const store = ctx.store();
      const u = user({ status: 'active' });
      await store.createUser(u, auditEvent());
      const [a, b, c] = [session(u.id), session(u.id, { signInMethod: 'oidc' }), session(u.id)];
      for (const s of [a, b, c]) expect(await store.createSession(s, undefined, auditEvent())).toBe(true);
      expect(await store.getSession(a.tokenHash)).toEqual(a);
      expect(await store.getSession(b.tokenHash)).toEqual(b); // the sign-in method is kept
      await store.touchSession(a.tokenHash, at(100));
      await store.touchSession(a.tokenHash, at(50));
      expect((await store.getSession(a.tokenHash))!.lastSeenAt).toBe(at(100));
      expect(await store.revokeSession(a.tokenHash, at(101), auditEvent())).toBe(true);
      expect(await store.revokeSession(a.tokenHash, at(102), auditEvent())).toBe(false);
      expect((await store.getSession(a.tokenHash))!.revokedAt).toBe(at(101));
      await store.touchSession(a.tokenHash, at(200));
      expect((await store.getSession(a.tokenHash))!.lastSeenAt).toBe(at(100));
      expect(await store.revokeUserSessions(u.id, at(103), auditEvent())).toBe(2);
      for (const s of [b, c]) expect((await store.getSession(s.tokenHash))!.revokedAt).toBe(at(103));
      expect(await store.revokeUserSessions(u.id, at(104), auditEvent())).toBe(0);
    });

    it('personal API tokens: stored by hash, listed per user in pages, revoked only by their user, once', async () => {
      const store = ctx.store();
      const { company } = await ctx.fx().seed(store);
      const u = user({ status: 'active' });
      const other = user({ status: 'active' });
      for (const x of [u, other]) await store.createUser(x, auditEvent());
      const tokens = [0, 1, 2].map((i) => ({
        id: `pat_test_${tag()}`, tokenHash: tag() + tag(), userId: u.id, organisationId: company.id, role: i === 0 ? 'admin' as const : 'viewer' as const,
        name: `automation ${i}`, createdAt: at(i), expiresAt: at(1000 + i), revokedAt: null, signInMethod: i === 2 ? 'oidc' as const : 'password' as const,
      }));
      for (const t of tokens) await store.createApiToken(t, auditEvent({ action: 'api-token.create' }));
      expect(await store.getApiTokenByHash(tokens[0]!.tokenHash)).toEqual(tokens[0]);
      expect(await store.getApiTokenByHash('nope')).toBeUndefined();
      const listed = await collectPages((cursor) => store.listUserApiTokens(u.id, { cursor, limit: 2 }));
      expect(listed.items).toEqual(tokens);
      expect(listed.pages).toBe(2);
      expect((await store.listUserApiTokens(other.id, { limit: 10 })).items).toEqual([]);
      expect(await store.revokeApiToken(tokens[1]!.id, other.id, at(5), auditEvent())).toBe(false);
      expect(await store.revokeApiToken(tokens[1]!.id, u.id, at(5), auditEvent({ action: 'api-token.revoke' }))).toBe(true);
      expect(await store.revokeApiToken(tokens[1]!.id, u.id, at(6), auditEvent())).toBe(false);
      expect((await store.getApiTokenByHash(tokens[1]!.tokenHash))!.revokedAt).toBe(at(5));
      const actions = (await store.readAuditChain(0, 100)).map((e) => e.action).filter((a) => a.startsWith('api-token.'));
      expect(actions).toEqual(['api-token.create', 'api-token.create', 'api-token.create', 'api-token.revoke']);
    });
    it('external identities: (issuer, subject) links one user, once; the link is audited, a refused one is not', async () => {
      const store = ctx.store();
      const u = user({ status: 'active' });
      const other = user({ status: 'active' });
      for (const x of [u, other]) await store.createUser(x, auditEvent());
      const issuer = `https://login.example.com/${tag()}/v2.0`;
      const link = { userId: u.id, issuer, subject: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ', createdAt: at(7) };
      expect(await store.getIdentity(issuer, link.subject)).toBeUndefined();
      expect(await store.linkIdentity(link, auditEvent({ action: 'identity.link' }))).toBe(true);
      expect(await store.getIdentity(issuer, link.subject)).toEqual(link);
      expect(await store.linkIdentity({ ...link, userId: other.id }, auditEvent({ action: 'identity.link' }))).toBe(false);
      expect(await store.getIdentity(issuer, link.subject)).toEqual(link);
      // The same subject at another issuer is another identity; subjects compare exactly (case matters).
      expect(await store.getIdentity(`${issuer}/`, link.subject)).toBeUndefined();
      expect(await store.getIdentity(issuer, link.subject.toLowerCase())).toBeUndefined();
      expect(await store.linkIdentity({ ...link, issuer: `${issuer}/`, userId: other.id }, auditEvent({ action: 'identity.link' }))).toBe(true);
      const actions = (await store.readAuditChain(0, 100)).map((e) => e.action).filter((a) => a === 'identity.link');
      expect(actions).toEqual(['identity.link', 'identity.link']);
    });
  });
}
