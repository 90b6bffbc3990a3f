import { closeSync, existsSync, openSync, readSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { request } from 'undici';
import { signRequest, type MacCredentials } from './mac-signer.js';

export interface ExportOptions {
  baseUrl: string;
  credentials: MacCredentials;
  out: string;
  filters?: { channelId?: string; messageType?: string; from?: string; to?: string };
  onProgress?: (written: number) => void;
}

/** A coded error from the server. */
export class VaultgateApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly body: unknown) {
    super(`${code} (HTTP ${status})`);
    this.name = 'VaultgateApiError';
  }
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

/**
 * Streams a vault export into `out` (NDJSON, one message per line), resuming after the last whole line when the
 * file already exists. Memory stays flat: lines are written as they arrive. Resolves with the number of messages
 * written by this run.
 */
export async function exportVaultToFile(o: ExportOptions): Promise<{ written: number; resumedFrom: string | undefined }> {
  const resumedFrom = resumePoint(o.out);
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(o.filters ?? {})) if (v !== undefined) q.set(k, v);
  if (resumedFrom) q.set('cursor', resumedFrom);
  const url = `${o.baseUrl.replace(/\/+$/, '')}/vault/v1/export${q.size ? `?${q}` : ''}`;
  const res = await request(url, { headers: { ...signRequest(o.credentials, url), accept: 'application/json' } });
  if (res.statusCode !== 200) {
    const body = (await res.body.json().catch(() => ({}))) as { code?: string };
    throw new VaultgateApiError(res.statusCode, body.code ?? 'HTTP_ERROR', body);
  }
  const fd = openSync(o.out, 'a');
  let written = 0;
  let complete = false;
  let pending = '';
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of res.body) {
      pending += decoder.write(chunk as Buffer);
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith('{"complete":true')) {
          complete = true;
          continue;
        }
        writeSync(fd, `${line}\n`);
        written++;
        if (written % 1000 === 0) o.onProgress?.(written);
      }
    }
  } finally {
    closeSync(fd);
  }
  if (!complete) throw new Error(`the export was cut short after ${written} messages; run it again to resume`);
  o.onProgress?.(written);
  return { written, resumedFrom };
}
