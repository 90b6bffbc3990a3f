import type { Clock } from '../../../protocol/index.js';
import type { MessageTypeAgreement, Store } from '../../../store/index.js';

/** Audit retention in days: 0 keeps the trail forever (the default). */
export interface AuditRetentionDeps {
  store: Store;
  clock: Clock;
  days: number;
}

/** Why a message type's retention outlasts the audit retention, or undefined when it does not. */
export function outlastsAudit(t: MessageTypeAgreement, auditDays: number): string | undefined {
  if (auditDays <= 0) return undefined;
  const days = t.retention?.days;
  if (days === undefined) return `messages of type ${t.name} are kept without a time limit`;
  return days > auditDays ? `messages of type ${t.name} are kept ${days} days` : undefined;
}

/**
 * Refuses (a plain Error: a configuration mistake, at startup) an audit retention shorter than the longest message
 * retention of any channel: audit rows must outlive the data they concern (issue 13 §5).
 */
export async function checkAuditRetention(d: AuditRetentionDeps): Promise<void> {
  if (d.days <= 0) return;
  let cursor: string | undefined;
  do {
    const page = await d.store.listChannels({ cursor, limit: 500 });
    for (const c of page.items) {
      for (const t of c.messageTypes) {
        const why = outlastsAudit(t, d.days);
        if (why) throw new Error(`VAULTGATE_AUDIT_RETENTION_DAYS=${d.days} is shorter than the data it concerns: on channel ${c.id}, ${why}. Raise it, or set 0 (keep forever).`);
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * Prunes the audit trail at a checkpoint boundary: the newest checkpoint whose head event is older than the
 * retention becomes the chain's anchor; every event up to it (and the checkpoints before it) is deleted, so what is
 * left still verifies from that checkpoint. Returns how many events were deleted (0 with retention off).
 */
export async function pruneAudit(d: AuditRetentionDeps): Promise<number> {
  if (d.days <= 0) return 0;
  const cutoff = new Date(d.clock.now() - d.days * 86_400_000).toISOString();
  const checkpoints = await d.store.listAuditCheckpoints();
  // The newest event always stays: the next append links to it (an empty chain would start again at seq 1).
  const newest = (await d.store.auditHead())?.seq ?? 0;
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const cp = checkpoints[i]!;
    if (cp.seq >= newest) continue;
    const [head] = await d.store.readAuditChain(cp.seq - 1, 1);
    if (head && head.seq === cp.seq && head.at < cutoff) return d.store.pruneAudit(cp.seq);
  }
  return 0;
}
