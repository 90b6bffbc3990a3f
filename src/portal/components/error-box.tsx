import { ApiError, NETWORK_ERROR } from '../api/client.js';
import { useT } from '../i18n/index.js';

/**
 * A failed request, shown to the user (role=alert): the problem's title (translated by the server), its code, detail
 * and remedy (docs/errors.md). Renders nothing for `error` undefined/null.
 */
export function ErrorBox({ error }: { error: unknown }) {
  const t = useT();
  if (error === undefined || error === null) return null;
  const e = error instanceof ApiError ? error : undefined;
  const title = e?.code === NETWORK_ERROR ? t('common.networkError') : e ? e.title : String((error as Error).message ?? error);
  return (
    <div class="error-box" role="alert">
      <p class="error-title">{title}</p>
      {e && e.code !== NETWORK_ERROR && <p class="error-code">{t('common.errorCode')}: <code>{e.code}</code></p>}
      {e?.detail && <p class="error-detail">{e.detail}</p>}
      {e?.remedy && <p class="error-remedy"><strong>{t('common.errorRemedy')}:</strong> {e.remedy}</p>}
    </div>
  );
}
