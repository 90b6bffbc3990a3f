import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VaultgateError } from '../../../protocol/index.js';
import { openSqliteStore, type SqliteStore } from '../../../store/index.js';
import { AuditTrail, SYSTEM_CONTEXT } from '../audit/audit-trail.js';
import { RegistryCache } from '../registry-cache.js';
import type { OutgoingMail } from './mailer.js';
import { People, refuseSuspended } from './people.js';

/* Invitations with a clock the test moves (expiry at the configured hours), the mail's text, and suspension. */

let store: SqliteStore;
let nowMs = Date.parse('2026-03-01T08:00:00.000Z');
const clock = { now: () => nowMs };
let people: People;
let cache: RegistryCache;
const sent: OutgoingMail[] = [];
const company = { id: 'co_test_people000000000000000000', name: 'Kala Oy', businessId: '1967543-8', createdAt: '2026-03-01T00:00:00.000Z' };
const PASSWORD = 'kahdeksan kissaa kiipeää puuhun';

beforeEach(async () => {
  store = openSqliteStore({ file: ':memory:' });
  const audit = new AuditTrail({ store, clock, environment: 'test' });
  cache = new RegistryCache(clock.now);
  await store.createCompany(company);
  people = new People({
    store, clock, environment: 'test', audit, cache, invitationTtlH: 2, publicBaseUrl: () => 'https://vg.example.com/',
    mailer: { send: async (m) => void sent.push(m) },
  });
});
afterEach(() => store.close());

const code = (p: Promise<unknown>) => p.then(() => undefined, (e: VaultgateError) => e.code);
const linkOf = (m: OutgoingMail): string => /(https:\/\/\S+)/.exec(m.text)![1]!;
const tokenOf = (m: OutgoingMail): string => linkOf(m).split('/').at(-1)!;

describe('people', () => {
  it('a link expires after the configured hours (the server clock), and works until then', async () => {
    await people.invite(company.id, { email: 'a@example.fi', role: 'viewer', language: 'fi' }, null, SYSTEM_CONTEXT);
    const mail = sent.at(-1)!;
    expect(linkOf(mail)).toMatch(/^https:\/\/vg\.example\.com\/api\/v1\/invitations\/vgi_[A-Za-z0-9_-]{43}$/);
    expect(mail).toMatchObject({ to: 'a@example.fi', language: 'fi', subject: 'Kutsu organisaatioon Kala Oy Vaultgatessa' });
    expect(mail.text).toContain('2026-03-01 10:00 UTC');
    nowMs += 2 * 3600_000 - 1;
    expect((await people.describe(tokenOf(mail))).invitation.email).toBe('a@example.fi');
    await people.invite(company.id, { email: 'b@example.fi', role: 'viewer' }, null, SYSTEM_CONTEXT);
    const second = sent.at(-1)!;
    expect(second.language).toBe('en'); // the operator token has no language of its own
    nowMs += 1;
    expect(await code(people.accept(tokenOf(mail), { newUser: { displayName: 'A', password: PASSWORD } }, SYSTEM_CONTEXT))).toBe('INVITATION_INVALID');
    expect(await store.getUserByEmail('a@example.fi')).toBeUndefined();
    expect((await people.accept(tokenOf(second), { newUser: { displayName: 'B', password: PASSWORD } }, SYSTEM_CONTEXT)).role).toBe('viewer');
  });

  it('a suspended organisation takes no new members, and refuseSuspended follows the cache that suspension clears', async () => {
    await people.invite(company.id, { email: 'c@example.fi', role: 'member' }, null, SYSTEM_CONTEXT);
    await refuseSuspended({ store, cache }, [company.id]); // cached: not suspended
    await people.setStatus(company.id, 'suspended', SYSTEM_CONTEXT);
    expect(await code(refuseSuspended({ store, cache }, [undefined, company.id]))).toBe('ORGANISATION_SUSPENDED');
    expect(await code(people.accept(tokenOf(sent.at(-1)!), { newUser: { displayName: 'C', password: PASSWORD } }, SYSTEM_CONTEXT))).toBe('ORGANISATION_SUSPENDED');
    expect(await code(people.setStatus(company.id, 'suspended', SYSTEM_CONTEXT))).toBe('STATE_CONFLICT');
    expect(await code(people.setStatus('co_test_none', 'suspended', SYSTEM_CONTEXT))).toBe('NOT_FOUND');
    await people.setStatus(company.id, 'active', SYSTEM_CONTEXT);
    await refuseSuspended({ store, cache }, [company.id]);
  });
});
