import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { Loading } from '../../components/empty.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatDateTime, formatNumber, useT } from '../../i18n/index.js';

interface SigningKey { kid: string; alg: string; createdAt: string; retiredAt: string | null; publishUntil: string | null; current: boolean }
interface KeyStatus { currentMasterKey: string; previousMasterKeys: string[]; source: 'file' | 'configuration'; dataKeysByMasterKey: Record<string, number>; rewrapped?: number }
interface Checkpoint { seq: number; headHash: string; at: string; kid: string }
interface Jwk { kid?: string; kty?: string; crv?: string }

/** A section's data: loaded once, reloaded after an action; undefined while loading, an error when refused. */
function useLoad<T>(load: () => Promise<T>, key: number): { data: T | undefined; error: unknown } {
  const [s, set] = useState<{ data: T | undefined; error: unknown }>({ data: undefined, error: undefined });
  useEffect(() => { load().then((data) => set({ data, error: undefined }), (error: unknown) => set({ data: undefined, error })); }, [key]);
  return s;
}

/**
 * Keys and rotation, over /admin/v1 with the operator's session: the built-in issuer's signing keys
 * (GET /admin/v1/oauth/signing-keys, POST …/rotate), the master keys (GET /admin/v1/keys, POST /admin/v1/keys/rotate-master),
 * the audit checkpoint keys (GET /.well-known/vaultgate-audit-keys) and checkpoints (GET/POST /admin/v1/audit/checkpoints).
 * Only ids and public data are shown: no key material leaves the server. Errors: STATE_CONFLICT, ADMIN_UNAUTHORIZED.
 */
export function Keys() {
  const t = useT();
  const [n, setN] = useState(0);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const signing = useLoad(() => api<{ items: SigningKey[] }>('GET', '/admin/v1/oauth/signing-keys'), n);
  const master = useLoad(() => api<KeyStatus>('GET', '/admin/v1/keys'), n);
  const auditKeys = useLoad(() => api<{ keys: Jwk[] }>('GET', '/.well-known/vaultgate-audit-keys'), n);
  const checkpoints = useLoad(() => api<{ items: Checkpoint[] }>('GET', '/admin/v1/audit/checkpoints'), n);
  const run = async (path: string, message: (r: Record<string, unknown>) => string) => {
    setError(undefined);
    setDone(undefined);
    try {
      const r = await api<Record<string, unknown>>('POST', path, { body: {} });
      setDone(message(r));
      setN((x) => x + 1);
    } catch (e) { setError(e); }
  };
  const lastCheckpoint = checkpoints.data?.items.at(-1);
  return (
    <>
      <h1>{t('operator.keys.title')}</h1>
      <ErrorBox error={error} />
      <p role="status" class="status">{done ?? ''}</p>

      <section aria-labelledby="signing-keys">
        <h2 id="signing-keys">{t('operator.keys.signing')}</h2>
        <p>{t('operator.keys.signingIntro')}</p>
        <ErrorBox error={signing.error} />
        {!signing.data && !signing.error && <Loading />}
        {signing.data && (
          <div class="table-wrap"><table>
            <caption>{t('operator.keys.signing')}</caption>
            <thead><tr><th scope="col">{t('operator.keys.kid')}</th><th scope="col">{t('operator.keys.alg')}</th><th scope="col">{t('operator.reg.created')}</th><th scope="col">{t('operator.keys.state')}</th></tr></thead>
            <tbody>{signing.data.items.map((k) => (
              <tr key={k.kid}><td><code>{k.kid}</code></td><td>{k.alg}</td><td>{formatDateTime(k.createdAt)}</td>
                <td>{k.current ? t('operator.keys.current') : t('operator.keys.retired', { until: formatDateTime(k.publishUntil) })}</td></tr>
            ))}</tbody>
          </table></div>
        )}
        <ConfirmButton label={t('operator.keys.rotateSigning')} onConfirm={() => run('/admin/v1/oauth/signing-keys/rotate', (r) => t('operator.keys.rotatedSigning', { kid: String(r.kid) }))} />
      </section>

      <section aria-labelledby="master-keys">
        <h2 id="master-keys">{t('operator.keys.master')}</h2>
        <ErrorBox error={master.error} />
        {!master.data && !master.error && <Loading />}
        {master.data && (
          <dl class="facts">
            <dt>{t('operator.keys.currentMaster')}</dt><dd><code>{master.data.currentMasterKey}</code> ({master.data.source})</dd>
            <dt>{t('operator.keys.previousMaster')}</dt><dd>{master.data.previousMasterKeys.join(', ') || '–'}</dd>
            <dt>{t('operator.keys.dataKeys')}</dt>
            <dd>{Object.entries(master.data.dataKeysByMasterKey).map(([k, c]) => `${k}: ${formatNumber(c)}`).join(', ') || '–'}</dd>
          </dl>
        )}
        <p>{t('operator.keys.masterIntro')}</p>
        <ConfirmButton label={t('operator.keys.rotateMaster')} onConfirm={() => run('/admin/v1/keys/rotate-master', (r) => t('operator.keys.rotatedMaster', { n: Number(r.rewrapped ?? 0) }))} />
      </section>

      <section aria-labelledby="audit-keys">
        <h2 id="audit-keys">{t('operator.keys.audit')}</h2>
        <ErrorBox error={auditKeys.error ?? checkpoints.error} />
        {auditKeys.data && <p>{t('operator.keys.auditKeys')}: {auditKeys.data.keys.map((k) => <code key={k.kid}>{k.kid} ({k.crv})</code>)}</p>}
        {checkpoints.data && (
          <p>{lastCheckpoint
            ? t('operator.keys.lastCheckpoint', { seq: lastCheckpoint.seq, at: formatDateTime(lastCheckpoint.at), count: checkpoints.data.items.length })
            : t('operator.keys.noCheckpoint')}</p>
        )}
        <button type="button" onClick={() => void run('/admin/v1/audit/checkpoints', (r) => t('operator.keys.checkpointed', { seq: Number(r.seq) }))}>{t('operator.keys.checkpoint')}</button>
      </section>
    </>
  );
}
