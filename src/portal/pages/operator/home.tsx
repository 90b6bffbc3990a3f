import { Empty } from '../../components/empty.js';
import { useT } from '../../i18n/index.js';

/** Placeholder of the operator pages: replaced by the engineer who builds them. */
export function OperatorHome() {
  const t = useT();
  return (
    <>
      <h1>{t('operator.home')}</h1>
      <Empty text={t('common.nothingYet')} />
    </>
  );
}
