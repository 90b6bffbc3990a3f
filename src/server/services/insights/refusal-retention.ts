import type { Clock } from '../../../protocol/index.js';
import type { Store } from '../../../store/index.js';

const BATCH = 500;

/**
 * Deletes refused ingestion requests older than `days` (VAULTGATE_INGESTION_REFUSAL_RETENTION_DAYS), in
 * transactions of at most 500 rows with a turn of the event loop between them; returns how many. Run by a
 * PeriodicTask every VAULTGATE_RETENTION_SWEEP_S (app.ts).
 */
export async function pruneIngestionRefusals(d: { store: Store; clock: Clock; days: number; stopped?: () => boolean }): Promise<number> {
  const before = new Date(d.clock.now() - d.days * 86_400_000).toISOString();
  let total = 0;
  for (let n = BATCH; n === BATCH && !d.stopped?.(); ) {
    n = await d.store.pruneIngestionRefusals(before, BATCH);
    total += n;
    await new Promise((r) => setImmediate(r));
  }
  return total;
}
