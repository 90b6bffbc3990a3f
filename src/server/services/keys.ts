import { VaultgateError, type Clock } from '../../protocol/index.js';
import type { Store } from '../../store/index.js';
import { addFileMasterKey, pruneFileMasterKeys } from '../crypto/keyring.js';
import type { VaultCrypto } from '../crypto/vault-crypto.js';
import { SYSTEM_CONTEXT, type AuditContext } from './audit/audit-trail.js';
import { checkId } from './ids.js';
import type { RegistryDeps } from './registry.js';

export interface KeyStatus {
  currentMasterKey: string;
  previousMasterKeys: string[];
  source: 'file' | 'configuration';
  dataKeysByMasterKey: Record<string, number>;
}

/** The operator's key management: master-key rotation and per-vault data-key rotation. */
export class KeyAdmin {
  #rotating: Promise<unknown> | undefined;

  constructor(private readonly d: Pick<RegistryDeps, 'store' | 'clock' | 'environment' | 'audit'> & { crypto: VaultCrypto; store: Store; clock: Clock }) {}

  async status(): Promise<KeyStatus> {
    const k = this.d.crypto.keyring;
    return {
      currentMasterKey: k.current.id,
      previousMasterKeys: k.previous.map((p) => p.id),
      source: k.file ? 'file' : 'configuration',
      dataKeysByMasterKey: await this.d.crypto.countByMasterKey(),
    };
  }

  /**
   * Re-wraps every data key under the current master key. With `newKey` (key-file deployments), first generates a
   * new master key and keeps the old one only until the re-wrap is done. Safe to interrupt and run again.
   */
  async rotateMaster(o: { newKey: boolean }, ctx: AuditContext = SYSTEM_CONTEXT): Promise<KeyStatus & { rewrapped: number }> {
    if (this.#rotating) throw new VaultgateError('STATE_CONFLICT', { detail: 'A master-key rotation is already running.' });
    // The key store and key file are outside the database: the event is written first (no event, no rotation).
    const run = this.d.audit.around(ctx, { action: 'keys.rotate-master', subject: this.d.crypto.keyring.current.id, details: { newKey: o.newKey } }, async () => {
      const c = this.d.crypto;
      if (o.newKey) {
        if (!c.keyring.file) {
          throw new VaultgateError('STATE_CONFLICT', {
            detail: 'The master key comes from VAULTGATE_MASTER_KEY: put the new key there and the old one in VAULTGATE_MASTER_KEY_PREVIOUS, restart, then run rotate-master without --new-key.',
          });
        }
        c.useKeyring(addFileMasterKey(c.keyring));
      }
      const from = c.keyring.previous.map((k) => k.id);
      const { rewrapped } = await c.rewrapAll();
      const counts = await c.countByMasterKey();
      if (Object.keys(counts).every((id) => id === c.keyring.current.id)) c.useKeyring(pruneFileMasterKeys(c.keyring));
      return { ...(await this.status()), rewrapped, from };
    }, (r) => ({ rewrapped: r.rewrapped, from: r.from, currentMasterKey: r.currentMasterKey }));
    this.#rotating = run;
    try {
      const { from: _from, ...result } = await run;
      return result;
    } finally {
      this.#rotating = undefined;
    }
  }

  /** Starts a new data key for a company's vault; older messages stay readable under their own keys. */
  async rotateVault(companyId: string, ctx: AuditContext = SYSTEM_CONTEXT): Promise<{ companyId: string; dataKeyId: string; createdAt: string }> {
    checkId(companyId, 'company', this.d.environment);
    const company = await this.d.store.getCompany(companyId);
    if (!company) throw new VaultgateError('NOT_FOUND', { detail: `No company ${companyId}.` });
    if (company.deletedAt) throw new VaultgateError('STATE_CONFLICT', { detail: `Company ${companyId} is deleted.` });
    const rec = await this.d.audit.around(ctx, { action: 'keys.rotate-vault', subject: companyId, tenants: [companyId] }, () => this.d.crypto.rotateOwner(companyId),
      (r) => ({ dataKeyId: r.id.split(':')[1] }));
    return { companyId, dataKeyId: rec.id.split(':')[1]!, createdAt: rec.createdAt };
  }
}
