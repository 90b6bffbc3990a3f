import { rmSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrganisation } from '../helpers/organisations.js';
import { runCli } from '../helpers/processes.js';
import { businessIds, startTestServer, tempDir, type TestServer } from '../helpers/servers.js';

/*
 * Grants from the CLI as a process against a real server (issue 15): the consumer requests by the owner's business id
 * (`vaultgate grants request`), the owner lists and offers narrower terms, the consumer accepts, prints the statement
 * (verified here with the JWKS), the owner revokes and the statement is refused; a direct grant withdrawn by the
 * consumer; a declined request; a step of the wrong side refused with its code and remedy.
 */

const PASSWORD = 'jakaminen komentoriviltä';

describe('vaultgate grants', () => {
  let s: TestServer;
  const homes = { owner: tempDir(), consumer: tempDir() };
  const vg = (who: keyof typeof homes, args: string[]) =>
    runCli(args, { XDG_CONFIG_HOME: homes[who], VAULTGATE_URL: s.url, VAULTGATE_PASSWORD: PASSWORD }, 60_000, '');
  const json = async (who: keyof typeof homes, args: string[]) => {
    const r = await vg(who, args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  /** An organisation registered and approved over HTTP, its admin signed in from the CLI (the session in the profile). */
  const onboard = async (who: keyof typeof homes, email: string, businessId: string): Promise<string> => {
    const o = await registerOrganisation(s.url, s.adminToken, { kind: 'company', email, businessId, password: PASSWORD });
    expect((await vg(who, ['account', 'signin', '--email', email])).code).toBe(0);
    return o.orgId;
  };

  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
    for (const h of Object.values(homes)) rmSync(h, { recursive: true, force: true });
  });

  it('request → offer → accept → statement → revoke; direct grant → withdraw; decline; the wrong side refused', async () => {
    const [ownerBid, consumerBid] = businessIds(5250000, 2) as [string, string];
    const ownerOrg = await onboard('owner', 'cli@omistaja.example', ownerBid);
    const consumerOrg = await onboard('consumer', 'cli@kayttaja.example', consumerBid);
    const party = await s.admin('POST', '/parties', { name: 'Sender Oy' });
    const channel = async () => (await s.admin('POST', '/channels', { companyId: ownerOrg, partyId: party.body.id, messageTypes: [{ name: 'invoice', mediaTypes: ['application/xml'] }] })).body.id as string;
    const [ch1, ch2] = [await channel(), await channel()];
    const owner = (args: string[]) => json('owner', ['grants', '--org', ownerOrg, '--json', ...args]);
    const consumer = (args: string[]) => json('consumer', ['grants', '--org', consumerOrg, '--json', ...args]);

    const req = await consumer(['request', '--owner', ownerBid, '--channel', ch1, '--channel', ch2, '--type', 'invoice', '--action', 'read', '--action', 'subscribe', '--purpose', 'Tilintarkastus', '--days', '2']);
    expect(req).toMatchObject({ state: 'requested', ownerOrganisationId: ownerOrg, consumerOrganisationId: consumerOrg, terms: { channelIds: [ch1, ch2], messageTypes: ['invoice'], actions: ['read', 'subscribe'], purpose: 'Tilintarkastus' } });
    const listed = await vg('owner', ['grants', '--org', ownerOrg, 'ls', '--role', 'owner', '--state', 'requested']);
    expect(listed.stdout).toContain(req.id);
    expect(listed.stdout).toMatch(/^id\s+state\s+ownerOrganisationId\s+ownerName\s+ownerBusinessId\s+consumerOrganisationId\s+consumerName\s+consumerBusinessId\s+actions\s+notOnOrAfter\n/);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(req.id))!;
    for (const v of [ownerBid, consumerBid, 'read, subscribe', req.terms.notOnOrAfter]) expect(line).toContain(v);

    const wrong = await vg('consumer', ['grants', '--org', consumerOrg, 'approve', req.id]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('GRANT_WRONG_SIDE');
    const badAction = await vg('consumer', ['grants', '--org', consumerOrg, 'request', '--owner', ownerBid, '--type', 'x', '--action', 'write', '--purpose', 'p', '--days', '1']);
    expect(badAction.code).toBe(2);

    const help = await vg('owner', ['grants', 'offer', '--help']);
    expect(help.stdout).toMatch(/--action <action>\s+read, or read and subscribe \(repeatable; left out: as\s+requested\)/);
    expect(help.stdout).not.toContain('default read');
    const offered = await owner(['offer', req.id, '--channel', ch1, '--action', 'read']);
    expect(offered).toMatchObject({ state: 'offered', terms: { channelIds: [ch1], actions: ['read'], messageTypes: ['invoice'] } });
    expect((await consumer(['accept', req.id])).state).toBe('active');
    expect(await owner(['show', req.id])).toMatchObject({ state: 'active', ownerBusinessId: ownerBid, consumerBusinessId: consumerBid, ownerName: expect.any(String), consumerName: expect.any(String) });

    const st = await vg('consumer', ['grants', '--org', consumerOrg, 'statement', req.id]);
    expect(st.code, st.stderr).toBe(0);
    const { payload } = await jwtVerify(st.stdout.trim(), createRemoteJWKSet(new URL(`${s.url}/.well-known/jwks.json`)), { issuer: s.url, typ: 'vaultgate-grant+jwt' });
    expect(payload).toMatchObject({ sub: consumerOrg, grant: { id: req.id, owner: { id: ownerOrg, businessId: ownerBid }, actions: ['read'] } });

    expect((await owner(['revoke', req.id])).state).toBe('revoked');
    const after = await vg('consumer', ['grants', '--org', consumerOrg, 'statement', req.id]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('GRANT_NOT_ACTIVE');

    const direct = await owner(['grant', '--consumer', consumerOrg, '--type', 'invoice', '--purpose', 'Suora', '--not-on-or-after', new Date(Date.now() + 86_400_000).toISOString()]);
    expect(direct).toMatchObject({ state: 'active', requestedTerms: null, terms: { channelIds: null, messageTypes: ['invoice'], actions: ['read'] } });
    expect((await consumer(['withdraw', direct.id])).state).toBe('withdrawn');

    const declined = await consumer(['request', '--owner', ownerOrg, '--type', 'invoice', '--purpose', 'Toinen', '--days', '1']);
    expect((await owner(['decline', declined.id])).state).toBe('declined');
    const mine = await consumer(['ls', '--role', 'consumer']);
    expect(mine.items.map((g: { id: string; state: string }) => `${g.id}:${g.state}`)).toEqual([`${req.id}:revoked`, `${direct.id}:withdrawn`, `${declined.id}:declined`]);
  });
});
