import {
  parseContentDigest, usesBearerScheme, usesHttpSignature, verifyContentDigest, VaultgateError, WANT_CONTENT_DIGEST,
  type ContentDigests, type HeaderBag,
} from '../../protocol/index.js';
import type { ChannelRecord, Store } from '../../store/index.js';
import { refuseSuspended } from './accounts/people.js';
import type { AuthDeps, Principal, RequestOrigin } from './authenticate-request.js';
import { authenticateSignature, type SignaturePrincipal } from './authenticate-signature.js';
import type { RegistryCache } from './registry-cache.js';

/*
 * Body integrity on ingestion (issue 17, docs/http-signatures.md): Content-Digest (RFC 9530) checked against the body
 * as received, a channel's rule requiring it, and the HTTP message signature scheme. Both HTTP paths reach this
 * through acceptIngestion and ingestAccepted; the batch route calls the same functions.
 */

/** Who an ingestion request comes from: the MAC or bearer principal, or a signed request's party. */
export type IngestionPrincipal = Principal | SignaturePrincipal;

const NOT_REQUIRED = { requireContentDigest: false } as const;

/**
 * Authenticates an ingestion request: by its HTTP message signature when it carries Signature-Input or Signature
 * (and no Authorization: Bearer, which keeps precedence), otherwise by `authenticate` (MAC or bearer). Throttled and
 * refused for a suspended party like the other schemes.
 */
export async function acceptSignedOrAuthenticate(
  d: AuthDeps,
  headers: HeaderBag,
  rawTarget: string,
  mac: boolean,
  origin: RequestOrigin | undefined,
  authenticate: (d: AuthDeps, headers: HeaderBag, rawTarget: string, mac: boolean, origin?: RequestOrigin) => Promise<Principal>,
): Promise<IngestionPrincipal> {
  if (usesBearerScheme(headers) || !usesHttpSignature(headers)) return authenticate(d, headers, rawTarget, mac, origin);
  const verify = (): Promise<SignaturePrincipal> => authenticateSignature(d, headers, rawTarget);
  const p = d.throttle
    ? await d.throttle.guard({ scheme: 'http-signature', credential: () => keyIdOf(headers), address: origin?.address, requestId: origin?.requestId }, verify)
    : await verify();
  await refuseSuspended(d, [p.party.id]);
  return p;
}

/** The keyid a Signature-Input names, unverified (for the throttle and its log line; never a secret). */
function keyIdOf(headers: HeaderBag): string | undefined {
  const v = headers['signature-input'];
  return /keyid="([^"]{1,80})"/.exec(Array.isArray(v) ? v.join(',') : v ?? '')?.[1];
}

/**
 * Before the body is read: parses Content-Digest (CONTENT_DIGEST_INVALID when malformed) and refuses a request
 * without a known digest when the channel requires one or the request is signed (a signature covers content-digest,
 * so the digest is what binds the body to it): CONTENT_DIGEST_REQUIRED with `Want-Content-Digest` (RFC 9530 §4).
 * Returns the digests to check against the body.
 */
export async function readBodyIntegrity(
  d: { store: Store; cache: RegistryCache },
  channel: ChannelRecord,
  headers: HeaderBag,
  signed: boolean,
): Promise<ContentDigests | undefined> {
  const digests = parseContentDigest(headers['content-digest']);
  if (digests !== undefined && digests.length > 0) return digests;
  const rule = signed ? undefined : await d.cache.get(`channel-integrity:${channel.id}`, async () => (await d.store.getChannelIntegrity(channel.id)) ?? NOT_REQUIRED);
  if (signed || rule!.requireContentDigest) {
    throw new VaultgateError('CONTENT_DIGEST_REQUIRED', {
      detail: digests === undefined
        ? (signed ? 'A signed request must carry Content-Digest.' : 'This channel requires Content-Digest.')
        : 'Content-Digest names no algorithm this server verifies (sha-256, sha-512).',
      headers: { 'want-content-digest': WANT_CONTENT_DIGEST },
    });
  }
  return undefined;
}

/** After the body is read, before anything is stored: the body as received matches every known digest (CONTENT_DIGEST_MISMATCH). */
export function checkBodyIntegrity(digests: ContentDigests | undefined, received: Buffer): void {
  if (digests !== undefined) verifyContentDigest(digests, received);
}
