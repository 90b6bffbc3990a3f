import { useState } from 'preact/hooks';
import { apiRaw } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { formatNumber, useT } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { fetchAuditKeys, ndjsonLines, verifyAuditExport, type AuditVerifyResult } from '../../lib/audit-verify.js';

/**
 * Verify the audit trail in this browser: streams GET /admin/v1/audit/export and checks it with lib/audit-verify.ts
 * against the published checkpoint keys (GET /.well-known/vaultgate-audit-keys), as `vaultgate audit verify --export`
 * does: progress by events, then the verdict (events, checkpoints, first/last seq, the first break with its seq). A
 * chain that holds but has no signed checkpoint yet (a new install) is said so, with a link to the Keys page to sign
 * one, not shown as broken.
 */
export function AuditVerify() {
  const t = useT();
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState(0);
  const [result, setResult] = useState<AuditVerifyResult | undefined>();
  const [error, setError] = useState<unknown>();
  const verify = async () => {
    setRunning(true);
    setResult(undefined);
    setError(undefined);
    setProgress(0);
    try {
      const keys = await fetchAuditKeys();
      const res = await apiRaw('GET', '/admin/v1/audit/export', { headers: { accept: 'application/x-ndjson' } });
      setResult(await verifyAuditExport(ndjsonLines(res.body!), { keys, onProgress: setProgress, progressEvery: 200 }));
    } catch (e) { setError(e); } finally { setRunning(false); }
  };
  const n = (x: number | null) => (x === null ? '–' : formatNumber(x));
  // The chain holds but no checkpoint was signed yet (a new install): not a broken trail, an unanchored one.
  const unanchored = !!result && !result.ok && result.problems.length > 0 && result.problems.every((p) => p.kind === 'unanchored');
  const verdictClass = result?.ok ? 'verdict ok' : unanchored ? 'verdict' : 'verdict broken';
  return (
    <section aria-labelledby="verify">
      <h2 id="verify">{t('operator.verify.title')}</h2>
      <p>{t('operator.verify.intro')}</p>
      <button type="button" onClick={() => void verify()} disabled={running}>{t('operator.verify.run')}</button>
      {running && (
        <p role="status">
          <ProgressBar label={t('operator.verify.progress')} />{' '}{t('operator.verify.checked', { n: formatNumber(progress) })}
        </p>
      )}
      <ErrorBox error={error} />
      {result && (
        <div class={verdictClass} role={result.ok || unanchored ? 'status' : 'alert'} data-testid="verdict">
          <p class="verdict-title"><strong>{result.ok ? t('operator.verify.ok') : unanchored ? t('operator.verify.unanchored') : t('operator.verify.broken')}</strong></p>
          {unanchored && <p>{t('operator.verify.unanchoredHelp')} <a href={href('/operator/keys')}>{t('operator.verify.signOne')}</a></p>}
          <dl class="facts">
            <dt>{t('operator.verify.events')}</dt><dd>{n(result.events)}</dd>
            <dt>{t('operator.verify.checkpoints')}</dt><dd>{n(result.checkpoints)}</dd>
            <dt>{t('operator.verify.firstSeq')}</dt><dd>{n(result.firstSeq)}</dd>
            <dt>{t('operator.verify.lastSeq')}</dt><dd>{n(result.lastSeq)}</dd>
            <dt>{t('operator.verify.lastCheckpoint')}</dt><dd>{n(result.lastCheckpointSeq)}</dd>
          </dl>
          {result.problems.length > 0 && !unanchored && (
            <ul class="problems">
              {result.problems.map((p) => (
                <li key={`${p.seq}:${p.kind}`}>
                  {p.afterSeq !== undefined ? t('operator.verify.brokenAfter', { seq: p.afterSeq }) : t('operator.verify.brokenAt', { seq: p.seq })}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
