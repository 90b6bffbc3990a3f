import { useT } from '../i18n/index.js';
import { CopyButton } from './copy-button.js';

/**
 * A secret the server shows once (a token, a key, a client secret): the value (selectable, monospace), a copy button
 * and the warning that it is not shown again. The caller drops it from state when the user leaves.
 */
export function SecretOnce({ secret, label }: { secret: string; label?: string }) {
  const t = useT();
  return (
    <section class="secret-once" aria-label={label ?? t('common.secretLabel')}>
      <p class="warning" role="status">{t('common.secretOnceWarning')}</p>
      <p><span class="secret-label">{label ?? t('common.secretLabel')}:</span> <code class="secret" data-testid="secret">{secret}</code></p>
      <CopyButton text={secret} />
    </section>
  );
}
