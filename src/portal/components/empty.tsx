import { useT } from '../i18n/index.js';

/** An empty list or page: a short sentence (default common.empty). */
export function Empty({ text }: { text?: string }) {
  const t = useT();
  return <p class="empty">{text ?? t('common.empty')}</p>;
}

/** Loading: an indeterminate, announced status. */
export function Loading() {
  const t = useT();
  return <p class="loading" role="status" aria-live="polite">{t('common.loading')}</p>;
}
