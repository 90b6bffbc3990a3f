/** One bar of GET …/ingestion/stats `days`: messages of one UTC day (YYYY-MM-DD), channel and message type. */
export interface DayCount { date: string; channelId: string; messageType: string; count: number }

/** The `span` UTC days (YYYY-MM-DD) ending with `last`, oldest first. */
function daysEnding(last: string, span: number): string[] {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: span }, (_, i) => new Date(end - (span - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/**
 * The series of the chart: one per channel and message type, a value per day of the `span` UTC days ending today
 * (`today`, YYYY-MM-DD UTC; or the newest day given, when later), 0 on days without messages.
 */
export function seriesOf(days: DayCount[], span = 14, today = new Date().toISOString().slice(0, 10)): { dates: string[]; series: { label: string; values: number[] }[] } {
  const newest = days.reduce((m, d) => (d.date > m ? d.date : m), today);
  const dates = [...new Set([...daysEnding(newest, span), ...days.map((d) => d.date)])].sort();
  const keys = [...new Set(days.map((d) => `${d.channelId} · ${d.messageType}`))].sort();
  const series = keys.map((label) => ({ label, values: dates.map(() => 0) }));
  for (const d of days) series[keys.indexOf(`${d.channelId} · ${d.messageType}`)]!.values[dates.indexOf(d.date)]! += d.count;
  return { dates, series };
}
