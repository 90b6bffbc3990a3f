/**
 * Batch ingestion (issue 17 part 1) as a real process: every item a batch answer calls stored survives SIGKILL the
 * instant that answer arrives; the refused ones are not there.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { macRequest, rawRequest, type RawResponse } from '../helpers/mac-request.js';
import { adminOf, ProcessPool, signedHeaders } from '../helpers/processes.js';
import { createTenant, type ServerProcess, type Tenant } from '../helpers/servers.js';

const pool = new ProcessPool();
afterAll(() => pool.cleanup());

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function vaultIds(url: string, t: Tenant): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const r = await macRequest({ baseUrl: url, target: `/vault/v1/messages?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, creds: t.reader });
    expect(r.status, r.text).toBe(200);
    for (const m of r.json().items as { messageId: string; sha256: string }[]) out.set(m.messageId, m.sha256);
    cursor = r.json().nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('batch durability across SIGKILL', () => {
  it('every item stored by the batches answered before SIGKILL is there after a restart, byte for byte; no refused one is', async () => {
    const dataDir = pool.dir();
    const first = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const t = await createTenant(adminOf(first.url, dataDir));
    const target = `/ingestion/${t.channelId}/batch`;
    // Four batches of 300 at once, every 7th line refused (a media type not agreed); the first full answer kills.
    const batches = Array.from({ length: 4 }, (_, b) => Array.from({ length: 300 }, (_, i) => {
      const bytes = Buffer.concat([Buffer.from(`{"b":${b},"i":${i},"x":"`), Buffer.from(randomBytes(24).toString('hex')), Buffer.from('"}')]);
      return { bytes, line: JSON.stringify({ mediaType: i % 7 === 3 ? 'text/csv' : 'application/json', transactionId: `kill-${b}-${i}`, bodyBase64: bytes.toString('base64') }) };
    }));
    let killed = false;
    const post = (srv: ServerProcess, lines: string[]): Promise<RawResponse> => rawRequest({
      method: 'POST', url: srv.url + target, body: `${lines.join('\n')}\n`,
      headers: { ...signedHeaders({ baseUrl: srv.url, target, creds: t.sender }), 'content-type': 'application/x-ndjson' },
    });
    const answered: { batch: number; json: any }[] = [];
    await Promise.allSettled(batches.map(async (items, b) => {
      const r = await post(first, items.map((x) => x.line));
      expect(r.status, r.text).toBe(200);
      answered.push({ batch: b, json: r.json() });
      if (!killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }));
    expect(killed).toBe(true);
    expect(await first.exited).toBe(null);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(answered.length).toBeGreaterThanOrEqual(1);

    const second = await pool.spawn({ VAULTGATE_DATA_DIR: dataDir });
    const stored = await vaultIds(second.url, t);
    let checked = 0;
    for (const { batch, json } of answered) {
      expect(json.items).toHaveLength(300);
      for (const item of json.items) {
        const source = batches[batch]![item.index]!;
        if (item.index % 7 === 3) {
          expect(item.code).toBe('MEDIA_TYPE_NOT_AGREED');
          continue;
        }
        expect(item.status).toBe('stored');
        expect(stored.get(item.receipt.messageId)).toBe(sha(source.bytes));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(300 - 43);
    // The refused items' transaction ids are still free: the restarted server stores them now.
    const refusedLines = batches[answered[0]!.batch]!.filter((_, i) => i % 7 === 3).map((x) => x.line.replace('"text/csv"', '"application/json"'));
    const again = await post(second, refusedLines);
    expect(again.json().stored).toBe(refusedLines.length);
  }, 90_000);
});
