import { useT } from '../i18n/index.js';

/** Cursor paging of `{items, nextCursor}` answers: "First page" when not on the first, "Next page" when there is one. */
export function Pager({ nextCursor, atFirst, onNext, onFirst }: { nextCursor: string | null; atFirst: boolean; onNext: (cursor: string) => void; onFirst: () => void }) {
  const t = useT();
  if (atFirst && !nextCursor) return null;
  return (
    <nav class="pager" aria-label={t('common.pager')}>
      {!atFirst && <button type="button" class="secondary" onClick={onFirst}>{t('common.first')}</button>}
      {nextCursor && <button type="button" class="secondary" onClick={() => onNext(nextCursor)}>{t('common.next')}</button>}
    </nav>
  );
}
