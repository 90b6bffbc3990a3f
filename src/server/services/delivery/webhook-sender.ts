import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { Webhook } from 'standardwebhooks';
import { guardedConnector, type AddressPolicy } from './address-policy.js';
import { parseRetryAfter } from './retry-schedule.js';

/*
 * One HTTP attempt of a webhook delivery (issue 15): POST of the payload with the Standard Webhooks headers, signed
 * by the `standardwebhooks` library (v1, HMAC-SHA256). Through an undici Agent whose connections are checked against
 * the address policy after DNS resolution; redirects are not followed (a 3xx is a failure); the whole exchange is
 * bounded by a timeout and at most MAX_RESPONSE_BYTES of the answer are read (and dropped).
 */

/** Bytes of a receiver's answer read before the rest is discarded. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface AttemptResult {
  /** HTTP status, or null when there was no answer. */
  statusCode: number | null;
  durationMs: number;
  /** What went wrong, for the delivery log (never a secret); null on success. */
  error: string | null;
  /** A 429/503 answer's Retry-After in ms. */
  retryAfterMs: number | null;
  ok: boolean;
}

/**
 * The webhook-signature header value: one `v1,<base64>` per secret, space-separated (Standard Webhooks: during a
 * rotation's overlap the receiver accepts either).
 */
export function signatureHeader(secrets: readonly string[], webhookId: string, timestamp: Date, payload: string): string {
  return secrets.map((s) => new Webhook(s).sign(webhookId, timestamp, payload)).join(' ');
}

export class WebhookSender {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(o: { policy: AddressPolicy; ca?: Buffer | undefined; timeoutMs: number }) {
    this.#timeoutMs = o.timeoutMs;
    this.#agent = new Agent({
      connect: guardedConnector(o.policy, { ca: o.ca, timeoutMs: o.timeoutMs }), headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs,
      connections: 16,
    });
  }

  /** Sends one attempt; never throws (a failure is a result). */
  async send(url: string, h: { webhookId: string; timestamp: Date; secrets: readonly string[] }, payload: string, nowMs: number): Promise<AttemptResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    try {
      const res = await request(url, {
        method: 'POST', dispatcher: this.#agent, signal: AbortSignal.timeout(this.#timeoutMs),
        headers: {
          'content-type': 'application/json', 'user-agent': 'Vaultgate-Webhooks/1', 'webhook-id': h.webhookId,
          'webhook-timestamp': String(Math.floor(h.timestamp.getTime() / 1000)), 'webhook-signature': signatureHeader(h.secrets, h.webhookId, h.timestamp, payload),
        },
        body: payload,
      });
      let read = 0;
      for await (const chunk of res.body) {
        read += (chunk as Buffer).length;
        if (read >= MAX_RESPONSE_BYTES) {
          res.body.destroy();
          break;
        }
      }
      const code = res.statusCode;
      const ok = code >= 200 && code < 300;
      const retryAfterMs = code === 429 || code === 503 ? parseRetryAfter(res.headers['retry-after'], nowMs) : null;
      const error = ok ? null : code >= 300 && code < 400 ? `HTTP ${code} (redirects are not followed)` : `HTTP ${code}`;
      return { statusCode: code, durationMs: took(), error, retryAfterMs, ok };
    } catch (err) {
      const e = err as Error & { code?: string; cause?: Error & { code?: string } };
      const inner = e.cause ?? e;
      const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${this.#timeoutMs} ms` : `${inner.code ?? e.code ?? e.name}: ${inner.message ?? e.message}`;
      return { statusCode: null, durationMs: took(), error: reason.slice(0, 500), retryAfterMs: null, ok: false };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
