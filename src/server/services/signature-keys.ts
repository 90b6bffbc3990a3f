import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { HTTP_SIGNATURE_ALGORITHMS, newId, VaultgateError, type Clock, type Environment, type HttpSignatureAlgorithm } from '../../protocol/index.js';
import type { ChannelIntegrityRecord, SignatureKeyRecord, Store } from '../../store/index.js';
import { SYSTEM_CONTEXT, type AuditContext, type AuditTrail } from './audit/audit-trail.js';
import { signatureKeyAad } from './authenticate-signature.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../crypto/vault-crypto.js';
import { checkId } from './ids.js';
import type { RegistryCache } from './registry-cache.js';

/*
 * Keys a party signs ingestion requests with (issue 17, RFC 9421), and a channel's Content-Digest rule. Used by the
 * admin routes (/admin/v1/parties/{id}/signature-keys, /admin/v1/channels/{id}/integrity) and the self-service
 * routes of a vendor's administrators (/api/v1/organisations/{id}/signature-keys). Every change is audited and
 * clears the registry cache, so a disabled key is refused from the next request on.
 */

export interface SignatureKeysDeps {
  store: Store;
  cache: RegistryCache;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  audit: AuditTrail;
}

/** A key as the API shows it: never the secret. `publicJwk` for public keys. */
export interface SignatureKeyView {
  keyId: string;
  partyId: string;
  algorithm: HttpSignatureAlgorithm;
  label: string;
  publicJwk?: Record<string, unknown>;
  status: 'active' | 'disabled';
  createdAt: string;
  disabledAt: string | null;
}

/** Most keys a party may hold (active and disabled): a party needs one or two, rotation included. */
export const MAX_SIGNATURE_KEYS = 100;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

const view = (k: SignatureKeyRecord): SignatureKeyView => ({
  keyId: k.id, partyId: k.partyId, algorithm: k.algorithm, label: k.label,
  ...(k.publicJwk ? { publicJwk: JSON.parse(k.publicJwk) as Record<string, unknown> } : {}),
  status: k.status as 'active' | 'disabled', createdAt: k.createdAt, disabledAt: k.disabledAt,
});

/**
 * The public key of an upload as a JWK, checked against the algorithm: Ed25519 for ed25519, P-256 for
 * ecdsa-p256-sha256. `key` is a JWK object or a PEM SubjectPublicKeyInfo. SIGNATURE_KEY_INVALID otherwise
 * (private keys included: a private JWK member or a PEM private key is refused, never stored).
 */
export function publicJwkFor(algorithm: HttpSignatureAlgorithm, key: unknown): Record<string, unknown> {
  const bad = (detail: string): VaultgateError => new VaultgateError('SIGNATURE_KEY_INVALID', { detail });
  let k: KeyObject;
  if (typeof key === 'string') {
    if (/PRIVATE KEY/.test(key)) throw bad('That is a private key: upload the public key only, and keep the private key to yourself.');
    try {
      k = createPublicKey(key);
    } catch {
      throw bad('publicKey is not a PEM public key (-----BEGIN PUBLIC KEY-----).');
    }
  } else if (typeof key === 'object' && key !== null && !Array.isArray(key)) {
    if (PRIVATE_MEMBERS.some((m) => m in key)) throw bad('The JWK holds private members: upload the public key only.');
    try {
      k = createPublicKey({ key: key as never, format: 'jwk' });
    } catch {
      throw bad('publicKey is not a usable public JWK.');
    }
  } else {
    throw bad(`${algorithm} needs publicKey: a JWK object or PEM text.`);
  }
  const ok = algorithm === 'ed25519' ? k.asymmetricKeyType === 'ed25519'
    : k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (!ok) throw bad(`The key is ${k.asymmetricKeyType}${k.asymmetricKeyDetails?.namedCurve ? ` ${k.asymmetricKeyDetails.namedCurve}` : ''}, not a key for ${algorithm}.`);
  return k.export({ format: 'jwk' }) as Record<string, unknown>;
}

export class SignatureKeys {
  constructor(private readonly d: SignatureKeysDeps) {}

  #now(): string {
    return new Date(this.d.clock.now()).toISOString();
  }

  async #activeParty(partyId: string): Promise<void> {
    checkId(partyId, 'party', this.d.environment);
    const party = await this.d.store.getParty(partyId);
    if (!party) throw new VaultgateError('NOT_FOUND', { detail: `No party ${partyId}.` });
    if (party.status !== 'active') throw new VaultgateError('STATE_CONFLICT', { detail: `The party ${partyId} is disabled.` });
  }

  /**
   * Registers a key. hmac-sha256: the server generates a 32-byte secret, returned once as `secret` (base64url) and
   * stored sealed. ed25519 / ecdsa-p256-sha256: `publicKey` (JWK or PEM) is required. Errors: NOT_FOUND,
   * STATE_CONFLICT (disabled party or too many keys), SIGNATURE_KEY_INVALID, INVALID_REQUEST.
   */
  async create(partyId: string, input: { algorithm: string; label?: string; publicKey?: unknown }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<SignatureKeyView & { secret?: string }> {
    await this.#activeParty(partyId);
    if (!(HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(input.algorithm)) {
      throw new VaultgateError('INVALID_REQUEST', { detail: `algorithm must be one of ${HTTP_SIGNATURE_ALGORITHMS.join(', ')}.` });
    }
    const algorithm = input.algorithm as HttpSignatureAlgorithm;
    if ((await this.d.store.listSignatureKeys(partyId)).length >= MAX_SIGNATURE_KEYS) {
      throw new VaultgateError('STATE_CONFLICT', { detail: `A party holds at most ${MAX_SIGNATURE_KEYS} signature keys.` });
    }
    const id = newId('signatureKey', this.d.environment);
    let secret: Buffer | undefined;
    let publicJwk: string | null = null;
    if (algorithm === 'hmac-sha256') {
      if (input.publicKey !== undefined) throw new VaultgateError('SIGNATURE_KEY_INVALID', { detail: 'hmac-sha256 takes no key: the server generates the secret.' });
      secret = randomBytes(32);
    } else {
      publicJwk = JSON.stringify(publicJwkFor(algorithm, input.publicKey));
    }
    const rec: SignatureKeyRecord = {
      id, partyId, algorithm, label: input.label ?? '', publicJwk, status: 'active', createdAt: this.#now(), createdBy: `${ctx.actor.kind}:${ctx.actor.id}`, disabledAt: null,
      secretCiphertext: secret ? await this.d.crypto.seal(SYSTEM_OWNER, secret, signatureKeyAad(id)) : null,
    };
    await this.d.store.insertSignatureKey(rec, this.d.audit.event(ctx, {
      action: 'signature-key.create', subject: id, tenants: [], details: { partyId, algorithm, label: rec.label },
    }));
    this.d.cache.clear();
    return { ...view(rec), ...(secret ? { secret: secret.toString('base64url') } : {}) };
  }

  /** A party's keys, oldest first. */
  async list(partyId: string): Promise<SignatureKeyView[]> {
    checkId(partyId, 'party', this.d.environment);
    return (await this.d.store.listSignatureKeys(partyId)).map(view);
  }

  /** Disables a key of the party: requests it signs are refused from the next one on. NOT_FOUND when it is not the party's. */
  async disable(partyId: string, keyId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<SignatureKeyView> {
    checkId(partyId, 'party', this.d.environment);
    checkId(keyId, 'signatureKey', this.d.environment);
    const key = await this.d.store.getSignatureKey(keyId);
    if (!key || key.partyId !== partyId) throw new VaultgateError('NOT_FOUND', { detail: `No signature key ${keyId} of ${partyId}.` });
    if (key.status === 'active') {
      await this.d.store.disableSignatureKey(partyId, keyId, this.#now(), this.d.audit.event(ctx, {
        action: 'signature-key.disable', subject: keyId, tenants: [], details: { partyId },
      }));
      this.d.cache.clear();
    }
    return view((await this.d.store.getSignatureKey(keyId))!);
  }

  /** A channel's Content-Digest rule (not required when never set). NOT_FOUND for an unknown channel. */
  async getChannelIntegrity(channelId: string): Promise<{ channelId: string; requireContentDigest: boolean }> {
    checkId(channelId, 'channel', this.d.environment);
    if (!(await this.d.store.getChannel(channelId))) throw new VaultgateError('NOT_FOUND', { detail: `No channel ${channelId}.` });
    const r = await this.d.store.getChannelIntegrity(channelId);
    return { channelId, requireContentDigest: r?.requireContentDigest ?? false };
  }

  /** Sets a channel's Content-Digest rule; audited with the channel's company as tenant. */
  async setChannelIntegrity(channelId: string, requireContentDigest: boolean, ctx: AuditContext = SYSTEM_CONTEXT): Promise<{ channelId: string; requireContentDigest: boolean }> {
    checkId(channelId, 'channel', this.d.environment);
    const channel = await this.d.store.getChannel(channelId);
    if (!channel) throw new VaultgateError('NOT_FOUND', { detail: `No channel ${channelId}.` });
    const r: ChannelIntegrityRecord = { channelId, requireContentDigest, updatedAt: this.#now(), updatedBy: `${ctx.actor.kind}:${ctx.actor.id}` };
    await this.d.store.setChannelIntegrity(r, this.d.audit.event(ctx, {
      action: 'channel.integrity', subject: channelId, tenants: [channel.companyId], details: { requireContentDigest },
    }));
    this.d.cache.clear();
    return { channelId, requireContentDigest };
  }
}
