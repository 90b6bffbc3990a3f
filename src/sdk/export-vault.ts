import { closeSync, existsSync, openSync, readSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { VaultgateClient } from './client.js';
import type { VaultgateCredentials } from './auth.js';

export interface ExportOptions {
  baseUrl: string;
  credentials: VaultgateCredentials;
  out: string;
  filters?: { channelId?: string; messageType?: string; from?: string; to?: string };
  /** Export another owner's vault (its company id) within your active grants, instead of your own. */
  owner?: string | undefined;
  onProgress?: (written: number) => void;
  /** Accept-Language of the requests (the language of the server's error messages), as in VaultgateClientOptions. */
  acceptLanguage?: string | undefined;
}

/**
 * Finds where an interrupted export file stops: drops a partial last line and returns the cursor of the last
 * whole line (undefined for an empty or new file).
 */
export function resumePoint(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    // Read backwards (in bytes) until the last two newlines are seen: the end of the last whole line and its start.
    let tail = Buffer.alloc(0);
    let end = size;
    const newlines = (b: Buffer): number => b.reduce((n, x) => n + (x === 0x0a ? 1 : 0), 0);
    while (end > 0 && newlines(tail) < 2) {
      const start = Math.max(0, end - 64 * 1024);
      const chunk = Buffer.alloc(end - start);
      readSync(fd, chunk, 0, chunk.length, start);
      tail = Buffer.concat([chunk, tail]);
      end = start;
    }
    const lastNewline = tail.lastIndexOf(0x0a);
    const keep = lastNewline === -1 ? 0 : end + lastNewline + 1;
    if (keep !== size) ftruncateSync(fd, keep);
    if (lastNewline === -1) return undefined;
    const previous = tail.lastIndexOf(0x0a, lastNewline - 1);
    const last = tail.subarray(previous + 1, lastNewline).toString('utf8');
    return last ? (JSON.parse(last) as { cursor?: string }).cursor : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Lines are appended to the file in writes of about this many bytes (one system call each, not one per line). */
const WRITE_CHUNK_BYTES = 256 * 1024;

/**
 * Streams a vault export into `out` (NDJSON, one message per line), resuming after the last whole line when the
 * file already exists. Memory stays flat: lines are written as they arrive, in writes of about 256 KiB (whole lines
 * only, so an interrupted run leaves at most a partial last line, which the next run drops). `onProgress` is called
 * with the number of lines written to the file. Resolves with the number of messages written by this run.
 *
 * @example
 * const { written } = await exportVaultToFile({ baseUrl, credentials, out: 'vault.ndjson' });
 */
export async function exportVaultToFile(o: ExportOptions): Promise<{ written: number; resumedFrom: string | undefined }> {
  const resumedFrom = resumePoint(o.out);
  const client = new VaultgateClient({ baseUrl: o.baseUrl, credentials: o.credentials, acceptLanguage: o.acceptLanguage });
  const fd = openSync(o.out, 'a');
  let written = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    writeSync(fd, pending.join(''));
    written += pending.length;
    pending = [];
    pendingBytes = 0;
    o.onProgress?.(written);
  };
  try {
    const from = resumedFrom ? { cursor: resumedFrom } : {};
    const lines = o.owner === undefined ? client.exportLines(o.filters ?? {}, from) : client.exportSharedLines(o.owner, o.filters ?? {}, from);
    for await (const line of lines) {
      pending.push(`${line}\n`);
      pendingBytes += line.length + 1;
      if (pendingBytes >= WRITE_CHUNK_BYTES) flush();
    }
  } finally {
    // Whole lines received before an error are kept: a resumed run continues after them.
    try {
      flush();
    } finally {
      closeSync(fd);
      await client.close();
    }
  }
  o.onProgress?.(written);
  return { written, resumedFrom };
}
