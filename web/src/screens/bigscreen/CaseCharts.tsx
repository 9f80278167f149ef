import { useEffect, useMemo, useState } from 'react';
import { type CaseCategory, caseCategories } from '../../api/cases.ts';
import { api } from '../../api/client.ts';
import { EChart } from '../../components/charts/EChart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { type CaseTrend, type CommunityOnTime, caseTrendOption, onTimeOption } from './case-trend-options.ts';

/** GETs `path` again whenever `refreshKey` changes; null while loading, refused (403) or absent. */
function useStats<T>(path: string, refreshKey: number): T | null {
  const [data, setData] = useState<T | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the live feed's nudge to re-fetch
  useEffect(() => {
    const abort = new AbortController();
    api<T>(path, { signal: abort.signal }).then(
      (d) => !abort.signal.aborted && setData(d),
      () => !abort.signal.aborted && setData(null),
    );
    return () => abort.abort();
  }, [path, refreshKey]);
  return data;
}

/**
 * 案件趋势: cases per category per day, the last 14 days (stacked bars); hidden when refused.
 * `data-total` says how many cases the drawn bars add up to (tests wait for it after a report).
 */
export function CaseTrendChart({ refreshKey }: { refreshKey: number }) {
  const { t, locale } = useI18n();
  const trend = useStats<CaseTrend>('/api/cases/stats/trend?days=14', refreshKey);
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  useEffect(() => {
    caseCategories().then(setCategories, () => setCategories([]));
  }, []);
  const option = useMemo(() => {
    if (!trend) return null;
    const names = new Map(categories.map((c) => [c.code, locale === 'en' ? c.nameEn : c.name]));
    return caseTrendOption(trend, (code) => names.get(code) ?? code, t('screen.chart.otherCategories'));
  }, [trend, categories, locale, t]);
  if (!option || !trend) return null;
  const total = trend.series.reduce((sum, s) => sum + s.counts.reduce((a, b) => a + b, 0), 0);
  return (
    <section className="panel panel--chart" data-chart="case-trend" data-total={total}>
      <h2 className="panel__title">{t('screen.chart.caseTrend')}</h2>
      <EChart className="chart" option={option} label={t('screen.chart.caseTrend')} />
    </section>
  );
}

/** 各社区按期处置率: the last 30 days, per community; hidden when refused. */
export function OnTimeChart({ refreshKey }: { refreshKey: number }) {
  const { t } = useI18n();
  const data = useStats<{ communities: CommunityOnTime[] }>('/api/cases/stats/on-time-by-community', refreshKey);
  const option = useMemo(() => (data ? onTimeOption(data.communities, t('screen.chart.onTimeRate')) : null), [data, t]);
  if (!option || !data) return null;
  const due = data.communities.some((c) => c.onTimeHandlingRate !== null);
  return (
    <section className="panel panel--chart" data-chart="on-time" data-due={due}>
      <h2 className="panel__title">{t('screen.chart.onTimeByCommunity')}</h2>
      {/* Empty axes would read as "0 %" at a glance: say that nothing was due instead. */}
      {due ? (
        <EChart className="chart" option={option} label={t('screen.chart.onTimeByCommunity')} />
      ) : (
        <p className="chart-empty">{t('screen.chart.noneDue')}</p>
      )}
    </section>
  );
}
