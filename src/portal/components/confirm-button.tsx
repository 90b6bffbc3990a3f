import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { midSentence } from '../lib/mid-sentence.js';

/**
 * A destructive action with a confirm step: the first press asks "Really …?" with Confirm and Cancel; Confirm runs
 * `onConfirm`. Focus moves to Confirm so a keyboard user can answer at once. `kind: 'primary'` for a weighty but
 * not destructive action (approving a registration): the buttons in the primary style instead of the danger one.
 */
export function ConfirmButton({ label, onConfirm, disabled, kind = 'danger' }: { label: string; onConfirm: () => void | Promise<void>; disabled?: boolean; kind?: 'danger' | 'primary' }) {
  const cls = kind === 'danger' ? 'danger' : undefined;
  const t = useT();
  const [asking, setAsking] = useState(false);
  if (!asking) return <button type="button" class={cls} disabled={disabled} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span class="confirm" role="group" aria-label={t('common.reallyDo', { action: midSentence(label) })}>
      <span>{t('common.reallyDo', { action: midSentence(label) })}</span>{' '}
      <button type="button" class={cls} autoFocus onClick={async () => { setAsking(false); await onConfirm(); }}>{t('common.confirm')}</button>{' '}
      <button type="button" class="secondary" onClick={() => setAsking(false)}>{t('common.cancel')}</button>
    </span>
  );
}
