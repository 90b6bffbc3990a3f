import { connect } from 'node:net';
import { computeMac, formatMacTimestamp, type MacAlgorithm } from '../../src/protocol/index.js';
import type { MacCredentials, RawResponse } from './mac-request.js';

/** The MAC a conforming client computes for macRequest's defaults (sender, language) and these values. */
export function expectedMac(o: {
  url: string;
  creds: MacCredentials;
  transactionId: string;
  timestampMs: number;
  algorithm?: MacAlgorithm;
  sender?: string;
  language?: string;
}): string {
  return computeMac({
    url: o.url, sender: o.sender ?? 'Vaultgate tests', customerId: o.creds.customerId, timestamp: formatMacTimestamp(o.timestampMs),
    language: o.language ?? 'EN', organisationId: o.creds.organisationId, transactionId: o.transactionId,
    timestampUnix: String(Math.floor(o.timestampMs / 1000)), customerKey: o.creds.customerKey, partnerKey: o.creds.partnerKey,
  }, o.algorithm ?? 'SHA256');
}

/**
 * The bytes of an HTTP/1.1 request, written by hand: the request line and header lines encoded as `encoding`
 * (`latin1`: one byte per character, e.g. 0xE4 for ä; `utf8`: what a careless client would send), then the body.
 * `headers` as a list of [name, value] field lines sends them exactly so, repeated names included.
 */
export function requestBytes(
  o: { method: string; target: string; host: string; headers: Record<string, string> | readonly (readonly [string, string])[]; body?: Buffer },
  encoding: 'latin1' | 'utf8' = 'latin1',
): Buffer {
  const body = o.body ?? Buffer.alloc(0);
  const lines = [`${o.method} ${o.target} HTTP/1.1`, `Host: ${o.host}`, 'Connection: close', `Content-Length: ${body.length}`];
  for (const [k, v] of Array.isArray(o.headers) ? o.headers : Object.entries(o.headers)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, encoding), body]);
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    const size = parseInt(b.subarray(i, eol).toString('latin1'), 16);
    if (!size) return Buffer.concat(out);
    out.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/** Writes `bytes` to the server's TCP socket as they are, and parses the response once the server closes. */
export function socketRequest(baseUrl: string, bytes: Buffer): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect({ host: u.hostname, port: Number(u.port) }, () => sock.end(bytes));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP response: ${all.toString('latin1')}`));
      const [statusLine, ...headerLines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const c = l.indexOf(':');
        headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      let body: Buffer = all.subarray(split + 4);
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
      else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
        headers, body, text: body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')),
      });
    });
  });
}
