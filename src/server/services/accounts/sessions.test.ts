import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultgateError } from '../../../protocol/index.js';
import { openSqliteStore, type SqliteStore, type UserRecord } from '../../../store/index.js';
import { AuditTrail, SYSTEM_CONTEXT } from '../audit/audit-trail.js';
import { csrfMatches, csrfTokenFor, sessionTokenHash, Sessions } from './sessions.js';

/* Session lifetimes with a clock the test moves (the e2e test covers the rest over a socket). */

let store: SqliteStore;
let nowMs = Date.parse('2026-03-01T08:00:00.000Z');
const clock = { now: () => nowMs };
const user: UserRecord = {
  id: 'usr_test_sessions00000000000000', email: 'a@example.com', displayName: 'A', language: 'en', passwordHash: null, totpSecretCiphertext: null,
  totpConfirmedAt: null, totpLastStep: null, platformRole: null, status: 'active', createdAt: '2026-03-01T00:00:00.000Z',
};

beforeEach(async () => {
  store = openSqliteStore({ file: ':memory:' });
  const audit = new AuditTrail({ store, clock, environment: 'test' });
  await store.createUser(user, audit.event(SYSTEM_CONTEXT, { action: 'user.create', subject: user.id }));
  sessions = new Sessions({ store, clock, audit, idleS: 1800, absoluteS: 12 * 3600 });
});
afterEach(() => store.close());
let sessions: Sessions;

const code = (p: Promise<unknown>) => p.then(() => undefined, (e: VaultgateError) => e.code);
const detail = (p: Promise<unknown>) => p.then(() => undefined, (e: VaultgateError) => e.detail);

describe('sessions', () => {
  it('keeps only the token hash; ends after 30 minutes idle, and use moves the idle deadline on', async () => {
    const s = (await sessions.start(user, SYSTEM_CONTEXT, undefined, 'password'))!;
    expect(await store.getSession(s.token)).toBeUndefined();
    expect(await store.getSession(sessionTokenHash(s.token))).toMatchObject({ userId: user.id });
    nowMs += 29 * 60_000;
    await sessions.resolve(s.token);
    nowMs += 29 * 60_000;
    expect((await sessions.resolve(s.token)).user.id).toBe(user.id);
    nowMs += 30 * 60_000;
    expect(await code(sessions.resolve(s.token))).toBe('SESSION_REQUIRED');
  });

  it("says why a session is refused, with this deployment's timeouts rather than the defaults", async () => {
    const short = new Sessions({ store, clock, audit: new AuditTrail({ store, clock, environment: 'test' }), idleS: 600, absoluteS: 5400 });
    const s = (await short.start(user, SYSTEM_CONTEXT, undefined, 'password'))!;
    nowMs += 11 * 60_000;
    expect(await detail(short.resolve(s.token))).toBe('The session was unused for more than 10 minutes (VAULTGATE_SESSION_IDLE_S): sign in again.');
    const t = (await short.start(user, SYSTEM_CONTEXT, undefined, 'password'))!;
    for (let i = 0; i < 10; i++) {
      nowMs += 9 * 60_000;
      await short.resolve(t.token).catch(() => undefined);
    }
    expect(await detail(short.resolve(t.token))).toBe('The session reached its absolute lifetime of 90 minutes (VAULTGATE_SESSION_ABSOLUTE_S): sign in again.');
    expect(await detail(short.resolve('nope'))).toMatch(/^The token is not a session token/);
    expect(await detail(short.resolve(undefined))).toMatch(/^No session came with the request/);
  });

  it('ends 12 hours after sign-in however often it is used', async () => {
    const s = (await sessions.start(user, SYSTEM_CONTEXT, undefined, 'password'))!;
    for (let i = 0; i < 24; i++) {
      nowMs += 29 * 60_000;
      await sessions.resolve(s.token);
    }
    nowMs += 29 * 60_000;
    expect(await code(sessions.resolve(s.token))).toBe('SESSION_REQUIRED');
  });

  it('refuses unknown, missing and signed-out tokens; CSRF tokens are bound to their session', async () => {
    const s = (await sessions.start(user, SYSTEM_CONTEXT, undefined, 'password'))!;
    const t = (await sessions.start(user, SYSTEM_CONTEXT, undefined, 'password'))!;
    expect(await code(sessions.resolve(undefined))).toBe('SESSION_REQUIRED');
    expect(await code(sessions.resolve('nope'))).toBe('SESSION_REQUIRED');
    expect(csrfMatches(s.token, s.csrfToken)).toBe(true);
    expect(csrfMatches(s.token, t.csrfToken)).toBe(false);
    expect(csrfMatches(s.token, undefined)).toBe(false);
    expect(csrfTokenFor(s.token)).toBe(s.csrfToken);
    await sessions.end((await sessions.resolve(s.token)).session, SYSTEM_CONTEXT);
    expect(await code(sessions.resolve(s.token))).toBe('SESSION_REQUIRED');
    expect((await sessions.resolve(t.token)).user.id).toBe(user.id);
    expect(await sessions.endAll(user.id, SYSTEM_CONTEXT)).toBe(1);
    expect(await code(sessions.resolve(t.token))).toBe('SESSION_REQUIRED');
  });
});
