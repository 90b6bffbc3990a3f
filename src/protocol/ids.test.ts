import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, ID_PREFIXES, type IdKind, newId, newSecretKey, parseId } from './ids.js';
import { isLatin1 } from './mac.js';

const KINDS = Object.keys(ID_PREFIXES) as IdKind[];
const CROCKFORD = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

describe('newId', () => {
  it('is <prefix>_<environment>_<26 Crockford base32 chars> for every kind and environment', () => {
    for (const kind of KINDS) {
      for (const env of ENVIRONMENTS) {
        const id = newId(kind, env);
        const [prefix, environment, rest, ...more] = id.split('_');
        expect(prefix).toBe(ID_PREFIXES[kind]);
        expect(environment).toBe(env);
        expect(rest).toMatch(CROCKFORD);
        expect(more).toEqual([]);
      }
    }
  });

  it('uses the prefix table', () => {
    expect(newId('channel', 'test')).toMatch(/^ch_test_/);
    expect(newId('message', 'live')).toMatch(/^msg_live_/);
    expect(newId('party', 'uat')).toMatch(/^tp_uat_/);
    expect(newId('company', 'test')).toMatch(/^co_test_/);
    expect(newId('partnerCredential', 'test')).toMatch(/^pid_test_/);
    expect(newId('customerCredential', 'test')).toMatch(/^cid_test_/);
    expect(newId('request', 'test')).toMatch(/^req_test_/);
  });

  it('has one prefix per kind', () => {
    const prefixes = Object.values(ID_PREFIXES);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('is unique over 10 000 ids, even in the same millisecond', () => {
    const same = new Set(Array.from({ length: 10_000 }, () => newId('message', 'test', NOW)));
    expect(same.size).toBe(10_000);
    const any = new Set(Array.from({ length: 10_000 }, () => newId('message', 'test')));
    expect(any.size).toBe(10_000);
  });

  it('starts with the time, so ids sort by creation time', () => {
    const times = [0, 1, 1000, NOW - 86_400_000, NOW - 1, NOW, NOW + 1, NOW + 1000, 2 ** 47];
    const ids = times.map((t) => newId('message', 'test', t));
    expect([...ids].sort()).toEqual(ids);
    // Ids of the same millisecond share the time part (the first 9 characters carry 45 bits of time).
    const a = newId('message', 'test', NOW).slice('msg_test_'.length);
    const b = newId('message', 'test', NOW).slice('msg_test_'.length);
    expect(a.slice(0, 9)).toBe(b.slice(0, 9));
    expect(newId('message', 'test', 0).slice('msg_test_'.length, 'msg_test_'.length + 9)).toBe('000000000');
  });

  it('defaults to the current time', () => {
    const before = newId('message', 'test', Date.now() - 1);
    const now = newId('message', 'test');
    const after = newId('message', 'test', Date.now() + 1000);
    expect(before < now && now < after).toBe(true);
  });

  it('parses back as its own kind and environment', () => {
    for (const kind of KINDS) {
      for (const env of ENVIRONMENTS) {
        expect(parseId(newId(kind, env), kind, env)).toEqual({ ok: true, kind, environment: env });
      }
    }
  });
});

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('parseId', () => {
  it('accepts an id of the expected kind and environment', () => {
    expect(parseId('ch_test_01jd3abc', 'channel', 'test')).toEqual({ ok: true, kind: 'channel', environment: 'test' });
  });

  it('says when an id belongs to another environment', () => {
    expect(parseId('ch_live_01abc', 'channel', 'test')).toEqual({ ok: false, reason: 'other-environment', environment: 'live' });
    expect(parseId(newId('message', 'uat'), 'message', 'live')).toEqual({ ok: false, reason: 'other-environment', environment: 'uat' });
  });

  it('says when an id is of another kind', () => {
    expect(parseId('msg_test_01abc', 'channel', 'test')).toEqual({ ok: false, reason: 'wrong-kind', environment: 'test' });
    expect(parseId('pid_live_01abc', 'customerCredential', 'test')).toEqual({ ok: false, reason: 'wrong-kind', environment: 'live' });
  });

  it.each([
    '',
    'ch',
    'ch_test',
    'ch_test_',
    'ch_prod_01abc',
    'CH_test_01abc',
    'ch_TEST_01abc',
    'ch_test_01ABC',
    'ch_test_01abc_x',
    'ch-test-01abc',
    ' ch_test_01abc',
    'ch_test_01abc\n',
    `ch_test_${'a'.repeat(65)}`,
    'ch_test_../../etc',
  ])('refuses %j as malformed', (id) => {
    expect(parseId(id, 'channel', 'test')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('newSecretKey', () => {
  it('is 64 hex characters, signable as ISO-8859-1', () => {
    const k = newSecretKey();
    expect(k).toMatch(/^[0-9A-F]{64}$/);
    expect(isLatin1(k)).toBe(true);
  });

  it('is random', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => newSecretKey()));
    expect(keys.size).toBe(1000);
  });
});
