import { contentDigestHeader, signHttpRequest, type HttpSignatureKey } from '../protocol/index.js';

/**
 * The headers that sign one ingestion attempt with HTTP Message Signatures (RFC 9421), docs/http-signatures.md:
 * Content-Digest (sha-256 of the body as sent), then Signature-Input and Signature over @method, @target-uri,
 * content-digest and content-type, with created (now, Unix seconds), nonce (the transaction id: the server consumes
 * it once, like a MAC TransactionId, so a retry of the same message carries the same nonce) and keyid.
 *
 * @example
 * const h = await httpSignatureHeaders({ keyId: 'hsk_test_…', algorithm: 'ed25519', key: privatePem },
 *   { method: 'POST', url, contentType: 'application/json', body, nonce: transactionId, nowMs: Date.now() });
 */
export async function httpSignatureHeaders(
  key: HttpSignatureKey,
  r: { method: string; url: string; contentType: string; body: Uint8Array; nonce: string; nowMs: number; headers?: Record<string, string> },
): Promise<Record<string, string>> {
  const headers = { 'content-type': r.contentType, 'content-digest': contentDigestHeader(r.body) };
  const sig = await signHttpRequest({ method: r.method, url: r.url, headers }, key, { nonce: r.nonce, createdS: Math.floor(r.nowMs / 1000) });
  return { ...headers, ...sig };
}
