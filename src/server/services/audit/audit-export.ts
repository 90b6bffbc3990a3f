import type { AuditRecord } from '../../../protocol/index.js';
import type { AuditTrail } from './audit-trail.js';
import type { AuditCheckpoints } from './audit-checkpoints.js';

/** Events read per store query while exporting. */
const PAGE = 1000;

/**
 * The chain as NDJSON (docs/audit.md, "Export"): a header line with the format and the public keys, the
 * checkpoints (first, so a verifier reading the stream once knows them before the events), one line per event in
 * seq order, and an end line with the count. With `tenant`, other companies' events are replaced by their links. Streamed a page at a time. Pure data: the
 * offline verifier (`vaultgate audit verify --export`) reads exactly this.
 */
export async function* exportAudit(d: { audit: AuditTrail; checkpoints: AuditCheckpoints }, afterSeq: number, tenant?: string): AsyncGenerator<Buffer> {
  const line = (o: unknown): Buffer => Buffer.from(`${JSON.stringify(o)}\n`, 'utf8');
  // A company's export carries its own events whole and only the links (seq, prevHash, hash) of the others: it
  // verifies against the same checkpoints without showing another company's event.
  const shown = (e: AuditRecord): object => (tenant === undefined || e.tenants.includes(tenant) ? { type: 'event', ...e } : { type: 'link', seq: e.seq, prevHash: e.prevHash, hash: e.hash });
  yield line({ type: 'header', format: 'vaultgate-audit-export', version: 1, afterSeq, ...(tenant === undefined ? {} : { tenant }), keys: (await d.checkpoints.jwks()).keys });
  for (const cp of await d.checkpoints.list()) yield line({ type: 'checkpoint', ...cp });
  let after = afterSeq;
  let count = 0;
  for (;;) {
    const events = await d.audit.chain(after, PAGE);
    if (events.length === 0) break;
    yield Buffer.concat(events.map((e) => line(shown(e))));
    count += events.length;
    after = events[events.length - 1]!.seq;
  }
  yield line({ type: 'end', events: count });
}
