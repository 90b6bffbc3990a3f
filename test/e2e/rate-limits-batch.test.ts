import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import { listVault } from '../helpers/refusals.js';
import { createTenant, type Tenant } from '../helpers/servers.js';
import { startSharingServer, type SharingServer } from '../helpers/sharing.js';

/*
 * Fair use (issue 17 §3) on POST /ingestion/{channelId}/batch: a batch costs its item count, charged before anything is
 * stored; a batch over what is left is refused whole (429 RATE_LIMITED, Retry-After, RateLimit fields), nothing stored.
 */
describe('rate limits on batches', () => {
  let s: SharingServer;
  let t: Tenant;
  beforeAll(async () => {
    s = await startSharingServer({ VAULTGATE_RATE_LIMIT_PARTY_MESSAGES: '100', VAULTGATE_RATE_LIMIT_CHANNEL_MESSAGES: '5', VAULTGATE_RATE_LIMIT_WINDOW_S: '600' });
    t = await createTenant(s.admin);
  });
  afterAll(() => s?.close());

  const ndjson = (n: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ messageType: 'TransportOrder', mediaType: 'application/json', transactionId: `tx-${randomUUID()}`, body: JSON.stringify({ i }) })).join('\n') + '\n';
  const send = (n: number) => macRequest({ baseUrl: s.url, target: `/ingestion/${t.channelId}/batch`, creds: t.sender, body: ndjson(n), headers: { 'content-type': 'application/x-ndjson' } });

  it('charges a batch its item count, and refuses a batch over what is left whole, storing nothing', async () => {
    const first = await send(3);
    expect(first.status, first.text).toBe(200);
    expect(first.json().stored).toBe(3);
    expect(first.headers['ratelimit-policy']).toBe('"party";q=100;w=600, "channel";q=5;w=600');
    expect(first.headers.ratelimit).toMatch(/"channel";r=2;t=\d+/);
    const over = await send(3);
    expect(over.status, over.text).toBe(429);
    expect(over.json().code).toBe('RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers.ratelimit).toMatch(/"channel";r=0;t=\d+/);
    expect((await listVault(s.url, t.reader)).length).toBe(3);
  });
});
