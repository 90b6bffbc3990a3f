import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import { buildMacHeaders, computeMac, formatMacTimestamp, type MacAlgorithm } from '../../src/protocol/index.js';

export type { MacCredentials } from '../../src/sdk/index.js';
import type { MacCredentials } from '../../src/sdk/index.js';

export interface MacRequestOptions {
  method?: string;
  /** Base URL the request is sent to, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Request target as sent on the wire (already percent-encoded). */
  target: string;
  /** The URL that goes into the MAC; defaults to baseUrl + decoded target. */
  signedUrl?: string;
  creds: MacCredentials;
  body?: Buffer | string;
  headers?: Record<string, string>;
  algorithm?: MacAlgorithm;
  sender?: string;
  language?: string;
  transactionId?: string;
  timestampMs?: number;
  timestamp?: string;
  useHttpStatusCodes?: boolean;
  json?: boolean;
  /** Replace or drop (undefined) signed headers after signing. */
  override?: Record<string, string | undefined>;
  ca?: Buffer;
  /** The client's own address to connect from (127.0.0.x on loopback): a distinct client address for the server. */
  localAddress?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): any;
}

/** Signs and sends a request with the X-Netvisor-Authentication-* scheme, bytes as a client would put them. */
export function macRequest(o: MacRequestOptions): Promise<RawResponse> {
  const algorithm = o.algorithm ?? 'SHA256';
  const now = o.timestampMs ?? Date.now();
  const timestamp = o.timestamp ?? formatMacTimestamp(now);
  const input = {
    url: o.signedUrl ?? o.baseUrl + decodeURIComponent(o.target),
    sender: o.sender ?? 'Vaultgate tests',
    customerId: o.creds.customerId,
    timestamp,
    language: o.language ?? 'EN',
    organisationId: o.creds.organisationId,
    transactionId: o.transactionId ?? randomUUID(),
    timestampUnix: String(Math.floor(now / 1000)),
    customerKey: o.creds.customerKey,
    partnerKey: o.creds.partnerKey,
  };
  const mac = computeMac(input, algorithm);
  const headers: Record<string, string> = {
    ...buildMacHeaders(input, { partnerId: o.creds.partnerId, algorithm, mac, useHttpStatusCodes: o.useHttpStatusCodes ?? true }),
    ...(o.json === false ? {} : { accept: 'application/json' }),
    ...(o.headers ?? {}),
  };
  for (const [k, v] of Object.entries(o.override ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return rawRequest({ method: o.method ?? (o.body === undefined ? 'GET' : 'POST'), url: o.baseUrl + o.target, headers, body: o.body, ca: o.ca, localAddress: o.localAddress });
}

/**
 * A plain HTTP(S) request through node:http on a fresh connection; header values are written as ISO-8859-1 bytes.
 * `onHead` is called synchronously the moment the status line and headers arrive, before the body is read; the
 * promise rejects if the connection breaks before the response ends.
 */
export function rawRequest(o: {
  method: string; url: string; headers?: Record<string, string>; body?: Buffer | string | undefined; ca?: Buffer | undefined;
  localAddress?: string | undefined;
  onHead?: (status: number) => void;
}): Promise<RawResponse> {
  const u = new URL(o.url);
  const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = fn(
      { method: o.method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: o.headers, ...(o.ca ? { ca: o.ca } : {}), ...(o.localAddress ? { localAddress: o.localAddress } : {}), agent: false },
      (res) => {
        o.onHead?.(res.statusCode ?? 0);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')) });
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}
