import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';

/** Copies `text` to the clipboard; says "Copied" (aria-live) for a moment. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useT();
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      setTimeout(() => setDone(false), 2000);
    } catch { /* clipboard refused: the text is selectable on the page */ }
  };
  return (
    <button type="button" class="secondary" onClick={copy}>
      {label ?? t('common.copy')}<span class="live" aria-live="polite">{done ? ` ✓ ${t('common.copied')}` : ''}</span>
    </button>
  );
}
