import { CompactSign, exportJWK, generateKeyPair, importPKCS8, exportPKCS8, type CryptoKey, type JWK } from 'jose';
import { CHECKPOINT_TYP, newId, type AuditCheckpoint, type CheckpointClaims, type Clock, type Environment } from '../../../protocol/index.js';
import type { AuditKeyRecord, Store } from '../../../store/index.js';
import { SYSTEM_OWNER, type VaultCrypto } from '../../crypto/vault-crypto.js';

export interface AuditCheckpointsDeps {
  store: Store;
  crypto: VaultCrypto;
  clock: Clock;
  environment: Environment;
  onCheckpoint?: (cp: AuditCheckpoint) => void;
  /** Runs after each timed checkpoint (audit retention pruning). */
  afterCheckpoint?: () => Promise<void>;
  onError?: (err: unknown) => void;
}

const aad = (kid: string): string => `audit-key:${kid}`;

/**
 * Signed checkpoints of the audit chain (issue 13 §3): a compact JWS (RFC 7515, alg EdDSA with an Ed25519 key,
 * RFC 8037) over {seq, headHash, at, environment}. The key pair is made on first start and kept in the database
 * with the private key sealed by the system data key (as the token signing keys are), so every gateway process
 * signs with the same key and a database copy alone cannot forge a checkpoint. The public keys are published as a
 * JWKS (GET /.well-known/vaultgate-audit-keys) for offline verification.
 */
export class AuditCheckpoints {
  #key: { record: AuditKeyRecord; private: CryptoKey } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastSeq = -1;

  constructor(private readonly d: AuditCheckpointsDeps) {}

  /**
   * Generates the audit key when the database has none (first start); true when this call created it. An existing
   * key's private part is opened only when a checkpoint is signed (a server that cannot open it still serves).
   */
  async ensureKey(): Promise<boolean> {
    const keys = await this.d.store.listAuditKeys();
    if (keys.length > 0) return false;
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = newId('auditKey', this.d.environment);
    const candidate: AuditKeyRecord = {
      kid, publicJwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }),
      privateKeyCiphertext: await this.d.crypto.seal(SYSTEM_OWNER, Buffer.from(await exportPKCS8(privateKey), 'utf8'), aad(kid)),
      createdAt: new Date(this.d.clock.now()).toISOString(),
    };
    // Another process may have stored its own first: then that one is the key.
    const record = await this.d.store.ensureAuditKey(candidate);
    if (record.kid === kid) this.#key = { record, private: privateKey };
    return record.kid === kid;
  }

  /** The newest audit key with its private part opened. */
  async #signingKey(): Promise<{ record: AuditKeyRecord; private: CryptoKey }> {
    if (this.#key) return this.#key;
    await this.ensureKey();
    const record = (await this.d.store.listAuditKeys()).at(-1)!;
    const pem = await this.d.crypto.open(record.privateKeyCiphertext, aad(record.kid), SYSTEM_OWNER);
    this.#key = { record, private: await importPKCS8(pem.toString('utf8'), 'EdDSA') };
    return this.#key;
  }

  /** The published keys (JWKS): every audit key ever used, so old checkpoints stay verifiable. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.d.store.listAuditKeys()).map((k) => JSON.parse(k.publicJwk) as JWK) };
  }

  /** Signs the chain's current head and stores the checkpoint; null when the chain is empty. */
  async checkpoint(): Promise<AuditCheckpoint | null> {
    const key = await this.#signingKey();
    const head = await this.d.store.auditHead();
    if (!head) return null;
    const claims: CheckpointClaims = { seq: head.seq, headHash: head.hash, at: new Date(this.d.clock.now()).toISOString(), environment: this.d.environment };
    const jws = await new CompactSign(Buffer.from(JSON.stringify(claims), 'utf8'))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.record.kid, typ: CHECKPOINT_TYP })
      .sign(key.private);
    const cp: AuditCheckpoint = { ...claims, kid: key.record.kid, jws };
    await this.d.store.addAuditCheckpoint(cp);
    this.#lastSeq = head.seq;
    this.d.onCheckpoint?.(cp);
    return cp;
  }

  list(): Promise<AuditCheckpoint[]> {
    return this.d.store.listAuditCheckpoints();
  }

  /** Takes a checkpoint every `intervalS` seconds when events were added since the last one (0: never). */
  start(intervalS: number): void {
    if (intervalS <= 0 || this.#timer) return;
    this.#timer = setInterval(() => {
      void (async () => {
        const head = await this.d.store.auditHead();
        if (head && head.seq !== this.#lastSeq) await this.checkpoint();
        await this.d.afterCheckpoint?.();
      })().catch((err: unknown) => this.d.onError?.(err));
    }, intervalS * 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
