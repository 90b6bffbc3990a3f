import { useEffect, useRef, useState } from 'preact/hooks';
import { apiRaw } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { formatNumber, useT } from '../../i18n/index.js';
import { organisationHeader, type Selection, type VaultBase } from './vault-source.js';

type State =
  | { kind: 'idle' }
  | { kind: 'running'; count: number; bytes: number }
  | { kind: 'done'; count: number; bytes: number; url: string; name: string }
  | { kind: 'stopped'; count: number; code: string; url: string; name: string }
  | { kind: 'cancelled' };

/**
 * Export of the filtered set (GET {base}/export, NDJSON: a line per message, then `{"complete":true,"count":N}`, or
 * `{"complete":false,"code":…}` when a grant ended mid-way). Reads the stream, shows messages and bytes so far with a
 * ProgressBar (the total is not known ahead: indeterminate), can be cancelled (aborts the request), and offers the
 * lines received as a file (Blob URL) when the stream ends.
 */
export function ExportPanel({ base, selection, fileStem }: { base: VaultBase; selection: Selection; fileStem: string }) {
  const t = useT();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [error, setError] = useState<unknown>();
  const abort = useRef<AbortController | undefined>();
  const url = useRef<string | undefined>();
  const revoke = () => { if (url.current) URL.revokeObjectURL(url.current); url.current = undefined; };
  useEffect(() => () => { abort.current?.abort(); revoke(); }, []);

  const start = async () => {
    revoke();
    setError(undefined);
    const controller = new AbortController();
    abort.current = controller;
    setState({ kind: 'running', count: 0, bytes: 0 });
    const chunks: Uint8Array[] = [];
    let bytes = 0; let count = 0; let partial = ''; let endLine: string | undefined;
    const take = (line: string) => {
      if (line.startsWith('{"complete"')) endLine = line;
      else if (line.length > 0) count++;
    };
    try {
      const res = await apiRaw('GET', `${base}/export`, { query: { ...selection }, headers: { ...organisationHeader(), accept: 'application/x-ndjson' }, signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let shown = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        const lines = (partial + decoder.decode(value, { stream: true })).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach(take);
        if (performance.now() - shown > 100) { shown = performance.now(); setState({ kind: 'running', count, bytes }); }
      }
      take(partial + decoder.decode());
      const end = endLine ? JSON.parse(endLine) as { complete: boolean; count?: number; code?: string } : undefined;
      const name = `${fileStem}-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
      url.current = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'application/x-ndjson' }));
      if (end?.complete) setState({ kind: 'done', count: end.count ?? count, bytes, url: url.current, name });
      else setState({ kind: 'stopped', count, code: end?.code ?? 'INCOMPLETE', url: url.current, name });
    } catch (e) {
      if ((e as Error).name === 'AbortError') setState({ kind: 'cancelled' });
      else { setState({ kind: 'idle' }); setError(e); }
    } finally {
      abort.current = undefined;
    }
  };

  return (
    <section class="vault-export" aria-labelledby="vault-export-heading">
      <h2 id="vault-export-heading">{t('vault.export')}</h2>
      <p>{t('vault.exportIntro')}</p>
      <ErrorBox error={error} />
      {state.kind === 'running'
        ? <button type="button" class="secondary" onClick={() => abort.current?.abort()}>{t('vault.exportCancel')}</button>
        : <button type="button" onClick={() => void start()}>{t('vault.exportStart')}</button>}
      <div role="status" aria-live="polite">
        {state.kind === 'running' && (
          <>
            <ProgressBar label={t('vault.export')} />
            <p>{t('vault.exportProgress', { count: formatNumber(state.count), bytes: formatNumber(state.bytes) })}</p>
          </>
        )}
        {state.kind === 'done' && <p class="ok">{t('vault.exportDone', { count: formatNumber(state.count), bytes: formatNumber(state.bytes) })}</p>}
        {state.kind === 'stopped' && <p class="warning">{t('vault.exportStopped', { code: state.code, count: formatNumber(state.count) })}</p>}
        {state.kind === 'cancelled' && <p>{t('vault.exportCancelled')}</p>}
      </div>
      {(state.kind === 'done' || state.kind === 'stopped') && <p><a href={state.url} download={state.name}>{t('vault.exportSave', { name: state.name })}</a></p>}
    </section>
  );
}
