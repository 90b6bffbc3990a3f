import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createSigner, createVerifier, httpbis, type Request as SigRequest, type Response as SigResponse } from 'http-message-signatures';
import { parseDictionary, isInnerList, Token } from 'structured-headers';
import { VaultgateError } from './errors.js';

/*
 * HTTP Message Signatures (RFC 9421) for ingestion: a third authentication scheme beside the Netvisor MAC and bearer
 * tokens. Signature bases, signing and verification are the `http-message-signatures` library's (dhensby; RFC 9421
 * final, passes Appendix B); Signature-Input is parsed with `structured-headers` (RFC 9651). What is ours is the
 * policy: which components and parameters a signature must carry, and the clock window of `created`.
 */

/** The algorithms a party may register a key for (RFC 9421 §3.3; HTTP Signature Algorithms registry names). */
export const HTTP_SIGNATURE_ALGORITHMS = ['hmac-sha256', 'ed25519', 'ecdsa-p256-sha256'] as const;
export type HttpSignatureAlgorithm = (typeof HTTP_SIGNATURE_ALGORITHMS)[number];

/** Components every ingestion signature covers: the request is bound to its method, full URL, body and media type. */
export const REQUIRED_SIGNATURE_COMPONENTS = ['@method', '@target-uri', 'content-digest', 'content-type'] as const;
/** Parameters every ingestion signature carries: `nonce` is consumed once per party like a MAC TransactionId. */
export const REQUIRED_SIGNATURE_PARAMETERS = ['created', 'nonce', 'keyid'] as const;

/** The one signature of a request, as its Signature-Input describes it. */
export interface SignatureInput {
  label: string;
  /** Covered component identifiers, in order (without their parameters). */
  components: string[];
  /** Unix seconds. */
  created: number | undefined;
  expires: number | undefined;
  nonce: string | undefined;
  keyid: string | undefined;
  alg: string | undefined;
}

type Headers = Record<string, string | string[] | undefined>;
const text = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);
const MAX_FIELD_CHARS = 8192;

/** Whether a request chose this scheme: it carries Signature-Input (or Signature). */
export function usesHttpSignature(headers: Headers): boolean {
  return headers['signature-input'] !== undefined || headers.signature !== undefined;
}

/**
 * Reads the request's one signature from Signature-Input and Signature (RFC 9421 §4).
 *
 * Errors: SIGNATURE_INVALID when either field is missing, over 8 KiB or not a Structured Field dictionary, when
 * there is not exactly one label, when the labels of the two fields differ, or a parameter has the wrong type.
 *
 * @example
 * readSignatureInput({ 'signature-input': 'sig1=("@method");created=1;keyid="k";nonce="n"', signature: 'sig1=:AA==:' });
 */
export function readSignatureInput(headers: Headers): SignatureInput {
  const input = text(headers['signature-input']);
  const signature = text(headers.signature);
  const invalid = (detail: string): VaultgateError => new VaultgateError('SIGNATURE_INVALID', { detail });
  if (input === undefined || signature === undefined) throw invalid('Send both Signature-Input and Signature (RFC 9421 §4).');
  if (input.length > MAX_FIELD_CHARS || signature.length > MAX_FIELD_CHARS) throw invalid(`Signature-Input and Signature are at most ${MAX_FIELD_CHARS} characters.`);
  let inputs: ReturnType<typeof parseDictionary>;
  let signatures: ReturnType<typeof parseDictionary>;
  try {
    inputs = parseDictionary(input);
    signatures = parseDictionary(signature);
  } catch {
    throw invalid('Signature-Input or Signature is not a Structured Field dictionary (RFC 9651).');
  }
  if (inputs.size !== 1 || signatures.size !== 1) throw invalid('Send exactly one signature (one label in Signature-Input and Signature).');
  const [label, member] = [...inputs][0]!;
  const sig = signatures.get(label);
  if (!sig || !(sig[0] instanceof ArrayBuffer)) throw invalid(`Signature must carry the label ${label} as a byte sequence (:base64:).`);
  if (!isInnerList(member)) throw invalid('Signature-Input must be an inner list of component identifiers.');
  const components: string[] = [];
  for (const [item] of member[0]) {
    if (typeof item !== 'string') throw invalid('Component identifiers are strings, e.g. "@method".');
    components.push(item);
  }
  const params = member[1];
  const int = (k: string): number | undefined => {
    const v = params.get(k);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${k} must be an integer (Unix seconds).`);
    return v;
  };
  const str = (k: string): string | undefined => {
    const v = params.get(k);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (v instanceof Token) return v.toString();
    throw invalid(`${k} must be a string.`);
  };
  return { label, components, created: int('created'), expires: int('expires'), nonce: str('nonce'), keyid: str('keyid'), alg: str('alg') };
}

/**
 * The ingestion policy on a signature's input: every required component and parameter present, `created` within
 * `windowS` seconds of `nowMs`, an `expires` not passed, a nonce of 1–64 visible characters.
 *
 * Errors: SIGNATURE_COMPONENT_MISSING naming the first missing component or parameter; SIGNATURE_CREATED_OUT_OF_WINDOW;
 * SIGNATURE_INVALID for a bad nonce or an unknown alg.
 *
 * @example
 * checkSignaturePolicy(readSignatureInput(headers), Date.now(), 300);
 */
export function checkSignaturePolicy(s: SignatureInput, nowMs: number, windowS: number): void {
  for (const c of REQUIRED_SIGNATURE_COMPONENTS) {
    if (!s.components.includes(c)) throw new VaultgateError('SIGNATURE_COMPONENT_MISSING', { detail: `The signature must cover "${c}".`, extra: { missing: c } });
  }
  for (const p of REQUIRED_SIGNATURE_PARAMETERS) {
    if (s[p] === undefined) throw new VaultgateError('SIGNATURE_COMPONENT_MISSING', { detail: `The signature must carry the parameter ${p}.`, extra: { missing: p } });
  }
  if (s.alg !== undefined && !(HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(s.alg)) {
    throw new VaultgateError('SIGNATURE_INVALID', { detail: `alg ${JSON.stringify(s.alg.slice(0, 40))} is not one of ${HTTP_SIGNATURE_ALGORITHMS.join(', ')}.` });
  }
  if (!/^[\x21-\x7e]{1,64}$/.test(s.nonce!)) throw new VaultgateError('SIGNATURE_INVALID', { detail: 'nonce must be 1–64 visible ASCII characters.' });
  const now = Math.floor(nowMs / 1000);
  if (Math.abs(now - s.created!) > windowS) {
    throw new VaultgateError('SIGNATURE_CREATED_OUT_OF_WINDOW', { detail: `created is ${s.created! - now} s from server time; the window is ±${windowS} s.` });
  }
  if (s.expires !== undefined && s.expires < now) throw new VaultgateError('SIGNATURE_CREATED_OUT_OF_WINDOW', { detail: 'The signature expired.' });
}

/** Verification key material: the HMAC secret bytes, or a public key (KeyObject, JWK object or PEM text). */
export type SignatureKeyMaterial = Buffer | KeyObject | string | Record<string, unknown>;

/** A public key from a JWK object or PEM text (throws on anything else). */
export function importSignaturePublicKey(key: KeyObject | string | Record<string, unknown>): KeyObject {
  if (typeof key === 'object' && 'asymmetricKeyType' in key) return key as KeyObject;
  return typeof key === 'string' ? createPublicKey(key) : createPublicKey({ key: key as never, format: 'jwk' });
}

/**
 * Verifies the signature of `message` (a request, or a response with the request it answers) with one key of
 * `algorithm`, by the library's signature base (RFC 9421 §2.5). `url` of a request is its full target URI. Returns
 * true when the signature verifies; false when it does not. Policy checks are checkSignaturePolicy's.
 *
 * Errors: SIGNATURE_INVALID when the base cannot be built (a covered field is absent) or the key does not suit.
 *
 * @example
 * await verifyHttpSignature({ method: 'POST', url: 'https://h/ingestion/ch_x', headers }, 'ed25519', jwk);
 */
export async function verifyHttpSignature(
  message: SigRequest | SigResponse,
  algorithm: HttpSignatureAlgorithm,
  key: SignatureKeyMaterial,
  request?: SigRequest,
): Promise<boolean> {
  const material = algorithm === 'hmac-sha256' ? key as Buffer : importSignaturePublicKey(key as KeyObject);
  const verify = createVerifier(material as never, algorithm);
  try {
    const config = {
      // Time is the caller's (checkSignaturePolicy, with the server's clock): the library's own check uses Date.now().
      notAfter: Number.MAX_SAFE_INTEGER,
      keyLookup: async () => ({ algs: [algorithm], verify }),
    };
    const ok = request ? await httpbis.verifyMessage(config, message as SigResponse, request) : await httpbis.verifyMessage(config, message as SigRequest);
    return ok === true;
  } catch (e) {
    if (e instanceof VaultgateError) throw e;
    throw new VaultgateError('SIGNATURE_INVALID', { detail: 'The signature could not be checked: a covered component is missing from the request, or the key does not suit the algorithm.', cause: e });
  }
}

/** What the SDK signs with: the key id registered on the server, its algorithm, and the secret or private key. */
export interface HttpSignatureKey {
  keyId: string;
  algorithm: HttpSignatureAlgorithm;
  /** hmac-sha256: the secret bytes (as shown once on creation, base64url-decoded); otherwise a private key (PEM, JWK or KeyObject). */
  key: Buffer | KeyObject | string | Record<string, unknown>;
}

/**
 * Signs a request (RFC 9421) over @method, @target-uri, content-digest and content-type, with created, nonce, keyid
 * and alg. `headers` must already hold Content-Digest and Content-Type. Returns the Signature-Input and Signature
 * header values (label `sig1`).
 *
 * @example
 * const h = await signHttpRequest({ method: 'POST', url, headers }, { keyId, algorithm: 'ed25519', key: pem }, { nonce: 'n1', createdS: 1700000000 });
 */
export async function signHttpRequest(
  request: { method: string; url: string; headers: Record<string, string> },
  key: HttpSignatureKey,
  params: { nonce: string; createdS: number },
): Promise<{ 'signature-input': string; signature: string }> {
  const material = key.algorithm === 'hmac-sha256' ? key.key
    : typeof key.key === 'object' && !Buffer.isBuffer(key.key) && !('asymmetricKeyType' in key.key) ? createPrivateKey({ key: key.key as never, format: 'jwk' }) : key.key;
  const signer = createSigner(material as never, key.algorithm, key.keyId);
  const signed = await httpbis.signMessage({
    key: signer,
    name: 'sig1',
    fields: [...REQUIRED_SIGNATURE_COMPONENTS],
    params: ['created', 'nonce', 'keyid', 'alg'],
    paramValues: { created: new Date(params.createdS * 1000), nonce: params.nonce, keyid: key.keyId, alg: key.algorithm },
  }, { method: request.method, url: request.url, headers: { ...request.headers } });
  return { 'signature-input': String(signed.headers['Signature-Input'] ?? signed.headers['signature-input']), signature: String(signed.headers.Signature ?? signed.headers.signature) };
}
