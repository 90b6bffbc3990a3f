import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';

/*
 * A real local HTTPS webhook receiver for tests (issue 15): a self-signed certificate for 127.0.0.1 and localhost made
 * with the openssl CLI (trusted by the server through VAULTGATE_WEBHOOK_CA), every request kept with its raw body, and
 * an answer the test chooses per request.
 */

export interface Receipt {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long (ms) before answering. */
  delayMs?: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  receipts: Receipt[];
  /** Chooses the answer of each request (default 204). */
  answer: (r: Receipt) => Answer;
  /** Waits until `predicate` holds over the receipts (polling), or fails after `timeoutMs`. */
  waitFor(predicate: (rs: Receipt[]) => boolean, timeoutMs?: number): Promise<Receipt[]>;
  close(): Promise<void>;
}

/** Writes key.pem and cert.pem (self-signed, for 127.0.0.1 and localhost) into `dir`; returns the cert's path. */
export function selfSignedCert(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'receiver-cert.pem');
  const keyFile = join(dir, 'receiver-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}

export async function startWebhookReceiver(tls: { certFile: string; keyFile: string }): Promise<WebhookReceiver> {
  const receipts: Receipt[] = [];
  const r: WebhookReceiver = {
    url: '', port: 0, receipts, answer: () => ({ status: 204 }),
    async waitFor(predicate, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(receipts)) {
        if (Date.now() > until) throw new Error(`receiver: condition not met in ${timeoutMs} ms; ${receipts.length} receipts`);
        await new Promise((res) => setTimeout(res, 20));
      }
      return receipts;
    },
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(() => res()); }),
  };
  const server: Server = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receipt: Receipt = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '/', at: Date.now() };
      receipts.push(receipt);
      const a = r.answer(receipt);
      setTimeout(() => {
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body ?? '');
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const address = server.address();
  r.port = typeof address === 'object' && address ? address.port : 0;
  r.url = `https://127.0.0.1:${r.port}`;
  return r;
}
