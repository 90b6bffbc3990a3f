import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { Empty, Loading } from '../../components/empty.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatDateTime, formatNumber, useT } from '../../i18n/index.js';
import { useCompany } from './org.js';
import { TrafficChart } from './traffic-chart.js';
import type { DayCount } from './traffic-series.js';

interface Stats {
  days: DayCount[];
  lastIngestion: { channelId: string; at: string; messageType: string }[];
  failures24h: { code: string; count: number }[];
}
interface Refusal { code: string; title: string; remedy: string }

/**
 * The company home (GET …/ingestion/stats?days=14): a chart of the messages received per day, channel and message
 * type with the same numbers as a table, the last message per channel, and the refusals of the last 24 h by code
 * with each code's title and remedy (from GET …/ingestion/refusals?since=, in the user's language).
 */
export function CompanyDashboard() {
  const t = useT();
  const { base, id } = useCompany();
  const [stats, setStats] = useState<Stats | undefined>();
  const [remedies, setRemedies] = useState<Record<string, Refusal>>({});
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!id) return;
    setError(undefined);
    void (async () => {
      try {
        setStats(await api<Stats>('GET', `${base}/ingestion/stats`, { query: { days: 14 } }));
        const since = new Date(Date.now() - 24 * 3600_000).toISOString();
        const r = await api<Page<Refusal>>('GET', `${base}/ingestion/refusals`, { query: { since, limit: 1000 } });
        const byCode: Record<string, Refusal> = {};
        for (const x of r.items) byCode[x.code] ??= x;
        setRemedies(byCode);
      } catch (e) { setError(e); }
    })();
  }, [id]);

  return (
    <>
      <h1>{t('company.dashboard.title')}</h1>
      <ErrorBox error={error} />
      {!stats && !error && <Loading />}
      {stats && (
        <>
          <section aria-labelledby="traffic">
            <h2 id="traffic">{t('company.dashboard.traffic')}</h2>
            {stats.days.length === 0 ? <Empty text={t('company.dashboard.noTraffic')} /> : (
              <>
                <TrafficChart days={stats.days} span={14} />
                <div class="table-wrap">
                  <table>
                    <caption>{t('company.dashboard.trafficTable')}</caption>
                    <thead><tr>
                      <th scope="col">{t('company.dashboard.date')}</th><th scope="col">{t('company.channel')}</th>
                      <th scope="col">{t('company.messageType')}</th><th scope="col">{t('company.dashboard.count')}</th>
                    </tr></thead>
                    <tbody>
                      {stats.days.map((d) => (
                        <tr key={`${d.date}|${d.channelId}|${d.messageType}`}><td>{d.date}</td><td>{d.channelId}</td><td>{d.messageType}</td><td>{formatNumber(d.count)}</td></tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
          <section aria-labelledby="last">
            <h2 id="last">{t('company.dashboard.last')}</h2>
            {stats.lastIngestion.length === 0 ? <Empty text={t('company.dashboard.noTraffic')} /> : (
              <div class="table-wrap">
                <table>
                  <caption>{t('company.dashboard.last')}</caption>
                  <thead><tr><th scope="col">{t('company.channel')}</th><th scope="col">{t('company.dashboard.at')}</th><th scope="col">{t('company.messageType')}</th></tr></thead>
                  <tbody>{stats.lastIngestion.map((l) => <tr key={l.channelId}><td>{l.channelId}</td><td>{formatDateTime(l.at)}</td><td>{l.messageType}</td></tr>)}</tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="failures">
            <h2 id="failures">{t('company.dashboard.failures')}</h2>
            {stats.failures24h.length === 0 ? <Empty text={t('company.dashboard.noFailures')} /> : (
              <div class="table-wrap">
                <table>
                  <caption>{t('company.dashboard.failures')}</caption>
                  <thead><tr>
                    <th scope="col">{t('common.errorCode')}</th><th scope="col">{t('company.dashboard.count')}</th>
                    <th scope="col">{t('company.dashboard.meaning')}</th><th scope="col">{t('common.errorRemedy')}</th>
                  </tr></thead>
                  <tbody>
                    {stats.failures24h.map((f) => (
                      <tr key={f.code}><td><code>{f.code}</code></td><td>{formatNumber(f.count)}</td><td>{remedies[f.code]?.title ?? '–'}</td><td>{remedies[f.code]?.remedy ?? '–'}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
