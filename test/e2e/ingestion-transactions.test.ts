import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest, type MacRequestOptions, type RawResponse } from '../helpers/mac-request.js';
import { expectRefusal, listVault, refusedInEveryMode, STATUS_MODES, type StatusMode } from '../helpers/refusals.js';
import { createTenant, startTestServer, type Tenant, type TestServer } from '../helpers/servers.js';

describe('transaction ids on ingestion (unique per party, consumed only by a stored message)', () => {
  let s: TestServer;
  let a: Tenant;
  let b: Tenant;
  let a2: string; // a second channel of A's company and party

  const send = (o: Partial<MacRequestOptions> & { channelId?: string; contentType?: string; mode?: StatusMode } = {}): Promise<RawResponse> => {
    const { channelId, contentType, mode, ...rest } = o;
    return macRequest({
      baseUrl: s.url,
      target: `/ingestion/${channelId ?? a.channelId}`,
      creds: a.sender,
      body: `{"n":"${randomUUID()}"}`,
      useHttpStatusCodes: mode?.useHttpStatusCodes ?? true,
      json: mode?.json ?? true,
      ...rest,
      headers: { 'content-type': contentType ?? 'application/json' },
    });
  };
  const storedUnder = async (t: Tenant, transactionId: string) =>
    (await listVault(s.url, t.reader)).filter((m) => m.transactionId === transactionId);

  beforeAll(async () => {
    s = await startTestServer();
    a = await createTenant(s.admin, { businessId: '1572860-0' });
    b = await createTenant(s.admin, { businessId: '2331972-7' });
    const ch = await s.admin('POST', '/channels', {
      companyId: a.companyId, partyId: a.partyId, messageTypes: [{ name: 'TransportOrder', mediaTypes: ['application/json'] }],
    });
    a2 = ch.body.id;
  });
  afterAll(() => s.stop());

  it('refuses a reused transaction id with REQUEST_NOT_UNIQUE naming the stored message, in every mode', async () => {
    const tx = `order-${randomUUID()}`;
    const first = await send({ transactionId: tx });
    expect(first.status, first.text).toBe(200);
    const original = first.json();
    expect(original.transactionId).toBe(tx);

    const before = (await listVault(s.url, a.reader)).length;
    const refusals = await refusedInEveryMode((mode) => send({ mode, transactionId: tx }), 'REQUEST_NOT_UNIQUE');
    for (const r of refusals) {
      if (r.mode.json) {
        expect(r.problem.messageId).toBe(original.messageId);
        // The problem's status is the HTTP status sent (RFC 9457 §3.1.2): the family's (400) or 200, never the code's 409.
        expect(r.problem.status).toBe(r.mode.useHttpStatusCodes ? 400 : 200);
      } else {
        expect(r.failure).toContain(original.messageId);
      }
    }
    expect((await listVault(s.url, a.reader)).length).toBe(before);
    const under = await storedUnder(a, tx);
    expect(under.map((m) => m.messageId)).toEqual([original.messageId]);

    const read = await macRequest({ baseUrl: s.url, target: `/vault/v1/messages/${original.messageId}`, creds: a.reader });
    expect(read.headers['x-transaction-id']).toBe(tx);
  });

  it('scopes transaction ids to the party: another channel of the same party is refused', async () => {
    const tx = randomUUID();
    const first = await send({ transactionId: tx });
    expect(first.status).toBe(200);
    const again = expectRefusal(await send({ channelId: a2, transactionId: tx }), 'REQUEST_NOT_UNIQUE', STATUS_MODES[0]!);
    expect(again.problem.messageId).toBe(first.json().messageId);
  });

  it('lets another party use the same transaction id', async () => {
    const tx = randomUUID();
    expect((await send({ transactionId: tx })).status).toBe(200);
    const other = await send({ channelId: b.channelId, creds: b.sender, transactionId: tx });
    expect(other.status, other.text).toBe(200);
    expect(other.json().transactionId).toBe(tx);
    expect(await storedUnder(a, tx)).toHaveLength(1);
    expect(await storedUnder(b, tx)).toHaveLength(1);
  });

  it('does not burn a transaction id used by failed requests: the same id then succeeds once', async () => {
    const tx = randomUUID();
    const first = STATUS_MODES[0]!;
    expectRefusal(await send({ transactionId: tx, contentType: 'text/plain' }), 'MEDIA_TYPE_NOT_AGREED', first);
    expectRefusal(await send({ transactionId: tx, headers: {}, override: { 'X-Netvisor-Authentication-MAC': '00'.repeat(32) } }), 'AUTHENTICATION_FAILED', first);
    expectRefusal(await send({ transactionId: tx, creds: { ...a.sender, organisationId: b.businessId } }), 'SERVICE_ACCESS_ERROR', first);
    expectRefusal(await send({ transactionId: tx, body: '' }), 'BODY_EMPTY', first);
    expectRefusal(await send({ transactionId: tx, creds: a.reader }), 'SCOPE_MISSING', first);
    expect(await storedUnder(a, tx)).toHaveLength(0);

    const ok = await send({ transactionId: tx });
    expect(ok.status, ok.text).toBe(200);
    const again = expectRefusal(await send({ transactionId: tx }), 'REQUEST_NOT_UNIQUE', first);
    expect(again.problem.messageId).toBe(ok.json().messageId);
    expect(await storedUnder(a, tx)).toHaveLength(1);
  });

  it.each([2, 8])('stores exactly one of %i concurrent requests with the same transaction id', async (n) => {
    const tx = randomUUID();
    const before = (await listVault(s.url, a.reader)).length;
    const results = await Promise.all(Array.from({ length: n }, () => send({ transactionId: tx })));
    const ok = results.filter((r) => r.status === 200);
    const dup = results.filter((r) => r.status !== 200);
    expect(ok, results.map((r) => r.text).join('\n')).toHaveLength(1);
    expect(dup).toHaveLength(n - 1);
    const winner = ok[0]!.json().messageId;
    for (const r of dup) expect(expectRefusal(r, 'REQUEST_NOT_UNIQUE', STATUS_MODES[0]!).problem.messageId).toBe(winner);
    expect((await storedUnder(a, tx)).map((m) => m.messageId)).toEqual([winner]);
    expect((await listVault(s.url, a.reader)).length).toBe(before + 1);
  });
});
