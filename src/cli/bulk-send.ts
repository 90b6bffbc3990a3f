/**
 * Bulk send: many messages from a folder (one file each) or an NDJSON file (one line each), with bounded
 * concurrency. Resumable without a state file: each message's transaction id is derived from the channel, the
 * message type, its position (file name / line number) and its content, so a re-run sends every message under the
 * same id, and the server's ledger refuses the ones already stored (`REQUEST_NOT_UNIQUE`), which count as done.
 * When the server offers batches (issue 17), messages go `batchSize` per request with a result per message.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { VaultgateApiError, VaultgateNetworkError, type VaultgateClient } from '../sdk/index.js';

export interface BulkItem {
  /** File name (folder) or `line <n>` (NDJSON): where the message came from. */
  position: string;
  load(): Buffer;
}

export interface BulkSummary {
  total: number;
  /** Stored by this run. */
  sent: number;
  /** Stored by an earlier run (the server knew the transaction id): done, but not sent now. */
  alreadyStored: number;
  /** Refused, or not delivered after every retry. */
  failed: number;
  /** Not tried at all: the run stopped first (see `stopped`). */
  notAttempted: number;
  failures: { position: string; code: string; message: string }[];
  /** Set when the run stopped early because the server could not be reached. */
  stopped?: { consecutiveUnreachable: number; lastError: string };
  seconds: number;
}

/** The counts of a run so far, apart (the progress line and the summary show each). */
export interface BulkCounts {
  sent: number;
  alreadyStored: number;
  failed: number;
}

/**
 * The transaction id of one message of a bulk run: stable across runs for the same content at the same position.
 *
 * @example
 * bulkTransactionId('ch_test_…', 'TransportOrder', 'order-0001.json', body); // 'vgb1-3f…' (44 characters)
 */
export function bulkTransactionId(channelId: string, messageType: string | undefined, position: string, body: Buffer): string {
  const content = createHash('sha256').update(body).digest('hex');
  const id = createHash('sha256').update(`${channelId}\n${messageType ?? ''}\n${position}\n${content}`).digest('hex');
  return `vgb1-${id.slice(0, 40)}`;
}

/** Every regular file directly in `dir`, sorted by name. */
export function folderItems(dir: string): BulkItem[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => ({ position: f, load: () => readFileSync(join(dir, f)) }));
}

/** Every non-empty line of an NDJSON file, streamed; each line (without its newline) is one message. */
export async function* ndjsonItems(file: string): AsyncGenerator<BulkItem> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    const body = Buffer.from(line, 'utf8');
    yield { position: `line ${n}`, load: () => body };
  }
}

/** Every non-empty line of NDJSON already read (stdin: `--ndjson -`), positions as ndjsonItems gives them. */
export function ndjsonBufferItems(data: Buffer): BulkItem[] {
  const out: BulkItem[] = [];
  data.toString('utf8').split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const body = Buffer.from(line, 'utf8');
    out.push({ position: `line ${i + 1}`, load: () => body });
  });
  return out;
}

/** Counts the messages of an NDJSON file (for the progress bar's total and ETA). */
export async function countNdjson(file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line.trim() !== '') n++;
  return n;
}

export interface BulkOptions {
  client: VaultgateClient;
  channelId: string;
  messageType: string | undefined;
  mediaType: string;
  concurrency: number;
  total: number;
  /**
   * Stop after this many messages in a row could not be delivered because the server could not be reached
   * (connection refused/reset/timed out after every retry, or 502/503/504 from a gateway after every retry). The
   * messages not yet tried are left for the next run. Default 5.
   */
  maxUnreachable?: number;
  onProgress?: (counts: BulkCounts) => void;
  /**
   * Messages per request when the server offers batches (issue 17: POST /ingestion/{channelId}/batch, at most its
   * maxItems); `concurrency` is then the number of batch requests in flight. 1, or a server without batches: one
   * request per message. Default 1000.
   */
  batchSize?: number;
}

/** Whether a send failed because the server could not be reached (as opposed to the server refusing the message). */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof VaultgateNetworkError) return true;
  return err instanceof VaultgateApiError && [502, 503, 504].includes(err.status) && err.code.startsWith('HTTP_');
}

/**
 * Sends every item with at most `concurrency` in flight; never throws for one message's failure. Stops taking new
 * items after `maxUnreachable` consecutive unreachable-server failures (`summary.stopped`); what is in flight ends.
 */
export async function bulkSend(items: Iterable<BulkItem> | AsyncIterable<BulkItem>, o: BulkOptions): Promise<BulkSummary> {
  const started = Date.now();
  const s: BulkSummary = { total: o.total, sent: 0, alreadyStored: 0, failed: 0, notAttempted: 0, failures: [], seconds: 0 };
  const maxUnreachable = o.maxUnreachable ?? 5;
  let unreachableInARow = 0;
  let stop = false;
  const source = (Symbol.asyncIterator in items ? items : (async function* () { yield* items; })())[Symbol.asyncIterator]();
  // --- batches (issue 17): when the server offers them, `batchSize` messages per request ---
  // A probe that fails (server unreachable, refused) means single requests, whose failures are counted as usual.
  const cap = (o.batchSize ?? 1000) > 1 ? await o.client.batchCapability(o.channelId).catch(() => null) : null;
  const batchWorker = async (size: number): Promise<void> => {
    while (!stop) {
      const chunk: { item: BulkItem; body: Buffer }[] = [];
      while (chunk.length < size) {
        const next = await source.next();
        if (next.done) break;
        chunk.push({ item: next.value, body: next.value.load() });
      }
      if (chunk.length === 0) return;
      const fail = (position: string, code: string, message: string): void => {
        s.failed++;
        if (s.failures.length < 1000) s.failures.push({ position, code, message });
      };
      try {
        const results = await o.client.sendBatch(o.channelId, chunk.map(({ item, body }) => ({
          body, mediaType: o.mediaType, messageType: o.messageType, transactionId: bulkTransactionId(o.channelId, o.messageType, item.position, body),
        })));
        unreachableInARow = 0;
        for (const r of results) {
          if (r.status === 'stored') {
            if (r.alreadyStored) s.alreadyStored++;
            else s.sent++;
          } else if (r.code === 'REQUEST_NOT_UNIQUE' && r.messageId) s.alreadyStored++; // stored by an earlier, interrupted run
          else fail(chunk[r.index]!.item.position, r.code, `${r.code}: ${r.title}${r.detail ? ` ${r.detail}` : ''}`);
        }
      } catch (err) {
        const code = err instanceof VaultgateApiError ? err.code : (err as Error).name;
        for (const { item } of chunk) fail(item.position, code, (err as Error).message);
        if (!isUnreachable(err)) unreachableInARow = 0;
        else if ((unreachableInARow += chunk.length) >= maxUnreachable && !stop) {
          stop = true;
          s.stopped = { consecutiveUnreachable: unreachableInARow, lastError: (err as Error).message };
        }
      }
      o.onProgress?.({ sent: s.sent, alreadyStored: s.alreadyStored, failed: s.failed });
    }
  };
  // --- end batches ---
  const worker = cap ? () => batchWorker(Math.min(o.batchSize ?? 1000, cap.maxItems)) : async (): Promise<void> => {
    while (!stop) {
      const next = await source.next();
      if (next.done) return;
      const item = next.value;
      try {
        const body = item.load();
        const transactionId = bulkTransactionId(o.channelId, o.messageType, item.position, body);
        const r = await o.client.send(o.channelId, body, { mediaType: o.mediaType, transactionId, ...(o.messageType ? { messageType: o.messageType } : {}) });
        if (r.alreadyStored) s.alreadyStored++;
        else s.sent++;
        unreachableInARow = 0;
      } catch (err) {
        if (err instanceof VaultgateApiError && err.code === 'REQUEST_NOT_UNIQUE' && err.messageId) {
          s.alreadyStored++; // stored by an earlier, interrupted run
          unreachableInARow = 0;
        } else {
          s.failed++;
          const code = err instanceof VaultgateApiError ? err.code : (err as Error).name;
          if (s.failures.length < 1000) s.failures.push({ position: item.position, code, message: (err as Error).message });
          if (!isUnreachable(err)) unreachableInARow = 0;
          else if (++unreachableInARow >= maxUnreachable && !stop) {
            stop = true;
            s.stopped = { consecutiveUnreachable: unreachableInARow, lastError: (err as Error).message };
          }
        }
      }
      o.onProgress?.({ sent: s.sent, alreadyStored: s.alreadyStored, failed: s.failed });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  s.notAttempted = Math.max(0, s.total - s.sent - s.alreadyStored - s.failed);
  s.seconds = (Date.now() - started) / 1000;
  return s;
}
