import { Empty } from '../../components/empty.js';
import { useT } from '../../i18n/index.js';

/** Placeholder of the data-user pages: replaced by the engineer who builds them. */
export function DataUserHome() {
  const t = useT();
  return (
    <>
      <h1>{t('dataUser.home')}</h1>
      <Empty text={t('common.nothingYet')} />
    </>
  );
}
