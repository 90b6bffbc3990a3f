import { Empty } from '../../components/empty.js';
import { useT } from '../../i18n/index.js';

/** Placeholder of the company pages: replaced by the engineer who builds them. */
export function CompanyHome() {
  const t = useT();
  return (
    <>
      <h1>{t('company.home')}</h1>
      <Empty text={t('common.nothingYet')} />
    </>
  );
}
