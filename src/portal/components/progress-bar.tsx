import { useT } from '../i18n/index.js';

/**
 * Progress of a long operation: determinate with `value`/`max` (a native <progress>, announced), or indeterminate
 * without `value` (aria-busy). `label` names it.
 */
export function ProgressBar({ value, max = 100, label }: { value?: number | undefined; max?: number; label?: string }) {
  const t = useT();
  const name = label ?? t('common.progress');
  return value === undefined
    ? <progress class="progress" aria-label={name} aria-busy="true" />
    : <progress class="progress" aria-label={name} value={value} max={max} />;
}
