import {
  checkSignaturePolicy, originForm, parseId, readSignatureInput, verifyHttpSignature, VaultgateError, type HeaderBag, type SignatureInput,
} from '../../protocol/index.js';
import type { PartyRecord, SignatureKeyRecord } from '../../store/index.js';
import { SYSTEM_OWNER } from '../crypto/vault-crypto.js';
import type { MacAuthDeps } from './authenticate-mac.js';

/*
 * The third ingestion authentication scheme (issue 17): HTTP Message Signatures (RFC 9421), docs/http-signatures.md.
 * The signature binds the request to the party that registered the key; which company it sends for comes from the
 * channel, as on the bearer path (the channel is the company's consent). Its nonce is the request's transaction id:
 * consumed once per party with the message (the MAC TransactionId's ledger), so a replay is REQUEST_NOT_UNIQUE.
 */

/** Who a verified signed request comes from. */
export interface SignaturePrincipal {
  scheme: 'http-signature';
  party: PartyRecord;
  key: Omit<SignatureKeyRecord, 'secretCiphertext'>;
  input: SignatureInput;
}

/** The AAD sealing an HMAC signature key's secret to its key id. */
export const signatureKeyAad = (keyId: string): string => `signature-key:${keyId}`;

interface ResolvedKey {
  key: SignatureKeyRecord;
  party: PartyRecord | undefined;
  /** The HMAC secret, or the public JWK. */
  material: Buffer | Record<string, unknown>;
}

/**
 * Verifies a signed request: Signature-Input well-formed and covering what ingestion requires, created within the
 * MAC timestamp window, keyid an active key of an active party in this environment, the signature valid over the
 * request as received (the target URI is the public base URL plus the request-target). Content-Digest against the
 * body is checked once the body is read (acceptIngestion / ingestAccepted).
 *
 * Errors: SIGNATURE_INVALID, SIGNATURE_COMPONENT_MISSING, SIGNATURE_CREATED_OUT_OF_WINDOW, SIGNATURE_KEY_UNKNOWN
 * (unknown, disabled, other environment, or its party disabled: one code, so key ids cannot be probed).
 */
export async function authenticateSignature(d: MacAuthDeps, headers: HeaderBag, rawTarget: string, method = 'POST'): Promise<SignaturePrincipal> {
  const input = readSignatureInput(headers);
  checkSignaturePolicy(input, d.clock.now(), d.timestampWindowS);
  const keyid = input.keyid!;
  const unknown = (reason: string): VaultgateError => new VaultgateError('SIGNATURE_KEY_UNKNOWN', { logReason: reason });
  if (!parseId(keyid, 'signatureKey', d.environment).ok) throw unknown(`keyid ${keyid.slice(0, 60)} is not a signature key id of this environment`);
  const r = await d.cache.get(`signature-key:${keyid}`, () => resolveKey(d, keyid));
  if (!r) throw unknown(`no signature key ${keyid}`);
  if (r.key.status !== 'active') throw unknown(`signature key ${keyid} is disabled`);
  if (!r.party || r.party.status !== 'active') throw unknown(`the party of signature key ${keyid} is not active`);
  if (input.alg !== undefined && input.alg !== r.key.algorithm) {
    throw new VaultgateError('SIGNATURE_INVALID', { detail: `alg ${input.alg} is not the key's algorithm (${r.key.algorithm}).` });
  }
  const url = `${d.publicBaseUrl()}${originForm(rawTarget).target}`;
  const ok = await verifyHttpSignature({ method, url, headers: headers as Record<string, string | string[]> }, r.key.algorithm, r.material);
  if (!ok) throw new VaultgateError('SIGNATURE_INVALID', { detail: `The signature does not verify over the request (target URI ${url}).`, logReason: `signature mismatch for ${keyid}` });
  const { secretCiphertext: _secret, ...key } = r.key;
  return { scheme: 'http-signature', party: r.party, key, input };
}

async function resolveKey(d: MacAuthDeps, keyid: string): Promise<ResolvedKey | undefined> {
  const key = await d.store.getSignatureKey(keyid);
  if (!key) return undefined;
  const party = await d.store.getParty(key.partyId);
  const material = key.secretCiphertext
    ? await d.crypto.open(key.secretCiphertext, signatureKeyAad(key.id), SYSTEM_OWNER)
    : JSON.parse(key.publicJwk!) as Record<string, unknown>;
  return { key, party, material };
}
