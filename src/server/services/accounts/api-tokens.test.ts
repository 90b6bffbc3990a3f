import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VaultgateError } from '../../../protocol/index.js';
import { openSqliteStore, type SqliteStore, type UserRecord } from '../../../store/index.js';
import { AuditTrail, SYSTEM_CONTEXT } from '../audit/audit-trail.js';
import { ApiTokens } from './api-tokens.js';

/* Personal API tokens with a clock the test moves: expiry, and the user's status at the time of use. */

let store: SqliteStore;
let nowMs = Date.parse('2026-03-01T08:00:00.000Z');
const clock = { now: () => nowMs };
let tokens: ApiTokens;
let audit: AuditTrail;
const user: UserRecord = {
  id: 'usr_test_apitokens0000000000000', email: 't@example.com', displayName: 'T', language: 'sv', passwordHash: null, totpSecretCiphertext: null,
  totpConfirmedAt: null, totpLastStep: null, platformRole: null, status: 'active', createdAt: '2026-03-01T00:00:00.000Z',
};
const company = { id: 'co_test_apitokens00000000000000', name: 'T Ab', businessId: '1967543-8', createdAt: '2026-03-01T00:00:00.000Z' };

beforeEach(async () => {
  store = openSqliteStore({ file: ':memory:' });
  audit = new AuditTrail({ store, clock, environment: 'test' });
  await store.createCompany(company);
  await store.createUser(user, audit.event(SYSTEM_CONTEXT, { action: 'user.create', subject: user.id }));
  await store.addMembership({ userId: user.id, organisationId: company.id, role: 'member', createdAt: user.createdAt }, audit.event(SYSTEM_CONTEXT, { action: 'x', subject: user.id }));
  tokens = new ApiTokens({ store, clock, environment: 'test', audit });
});
afterEach(() => store.close());

const code = (p: Promise<unknown>) => p.then(() => undefined, (e: VaultgateError) => e.code);

describe('personal API tokens', () => {
  it('expire after their days; only the hash is stored', async () => {
    const ms = await store.listUserMemberships(user.id);
    const t = await tokens.create(user, ms, { organisationId: company.id, role: 'viewer', name: 'n', expiresInDays: 1 }, 'oidc', SYSTEM_CONTEXT);
    expect((await tokens.resolve(t.token)).token.signInMethod).toBe('oidc');
    expect(await store.getApiTokenByHash(t.token)).toBeUndefined();
    expect((await tokens.resolve(t.token)).membership).toMatchObject({ organisationId: company.id, role: 'viewer' });
    nowMs += 86_400_000 - 1;
    await tokens.resolve(t.token);
    nowMs += 1;
    expect(await code(tokens.resolve(t.token))).toBe('API_TOKEN_INVALID');
  });

  it("refuse a role above the user's own, and stop when the user is no longer active", async () => {
    const ms = await store.listUserMemberships(user.id);
    expect(await code(tokens.create(user, ms, { organisationId: company.id, role: 'admin', name: 'n' }, 'password', SYSTEM_CONTEXT))).toBe('ACCOUNT_FORBIDDEN');
    const t = await tokens.create(user, ms, { organisationId: company.id, role: 'member', name: 'n' }, 'password', SYSTEM_CONTEXT);
    const u = { ...user, id: 'usr_test_apitokens0000000000001', email: 'u@example.com', status: 'pending' as const };
    await store.createUser(u, audit.event(SYSTEM_CONTEXT, { action: 'user.create', subject: u.id }));
    await store.addMembership({ userId: u.id, organisationId: company.id, role: 'admin', createdAt: user.createdAt }, audit.event(SYSTEM_CONTEXT, { action: 'x', subject: u.id }));
    const pending = await tokens.create(u, await store.listUserMemberships(u.id), { organisationId: company.id, role: 'admin', name: 'n' }, 'password', SYSTEM_CONTEXT);
    expect(await code(tokens.resolve(pending.token))).toBe('API_TOKEN_INVALID');
    expect((await tokens.resolve(t.token)).user.id).toBe(user.id);
  });
});
