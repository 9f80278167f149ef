import type { ChartOption } from '../../components/charts/EChart.tsx';

/** `GET /api/cases/stats/trend`: cases per category per local day. */
export type CaseTrend = { days: string[]; series: { category: string; counts: number[] }[] };
/** `GET /api/cases/stats/on-time-by-community`, the fields the chart uses. */
export type CommunityOnTime = {
  communityId: string;
  name: string;
  dueHandling: number;
  onTimeHandlingRate: number | null;
};

const axis = { axisLine: { lineStyle: { color: '#3b5578' } }, axisLabel: { color: '#a9bedb', fontSize: 12 } };
const split = { splitLine: { lineStyle: { color: '#1c2f4a' } } };
/** Beyond this many categories the smallest are added up as "other", so the legend fits a panel. */
export const maxTrendSeries = 5;

/**
 * Stacked bars of cases per category per day: the biggest `maxTrendSeries − 1` categories by
 * total, the rest summed into one "other" series; days shown as MM-DD.
 */
export function caseTrendOption(trend: CaseTrend, nameOf: (category: string) => string, other: string): ChartOption {
  const total = (c: number[]) => c.reduce((a, b) => a + b, 0);
  const sorted = [...trend.series].sort((a, b) => total(b.counts) - total(a.counts));
  const keep = sorted.length > maxTrendSeries ? sorted.slice(0, maxTrendSeries - 1) : sorted;
  const rest = sorted.slice(keep.length);
  const series = keep.map((s) => ({ name: nameOf(s.category), data: s.counts }));
  if (rest.length > 0)
    series.push({ name: other, data: trend.days.map((_, i) => total(rest.map((s) => s.counts[i] ?? 0))) });
  return {
    color: ['#2b8cff', '#39d0a8', '#ffd166', '#ff8a3d', '#7a5cff'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { color: '#c9d8ee', fontSize: 12 }, itemWidth: 12, itemHeight: 8 },
    grid: { left: 4, right: 8, top: 28, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: trend.days.map((d) => d.slice(5)), ...axis },
    yAxis: { type: 'value', minInterval: 1, ...axis, ...split },
    series: series.map((s) => ({ ...s, type: 'bar', stack: 'cases', barMaxWidth: 16 })),
  };
}

/** Horizontal bars of 按期处置率 per community (0–100 %); communities with nothing due are left out. */
export function onTimeOption(rows: CommunityOnTime[], seriesName: string): ChartOption {
  const shown = rows.filter((r) => r.onTimeHandlingRate !== null).reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => `${v}%` },
    grid: { left: 4, right: 40, top: 4, bottom: 4, containLabel: true },
    xAxis: {
      type: 'value',
      min: 0,
      max: 100,
      ...axis,
      ...split,
      axisLabel: { ...axis.axisLabel, formatter: '{value}%' },
    },
    yAxis: { type: 'category', data: shown.map((r) => r.name), ...axis },
    series: [
      {
        name: seriesName,
        type: 'bar',
        data: shown.map((r) => ({
          value: r.onTimeHandlingRate,
          // The console's SLA light colours: green from 90 %, yellow from 75 %, red below.
          itemStyle: {
            color:
              (r.onTimeHandlingRate ?? 0) >= 90 ? '#39d0a8' : (r.onTimeHandlingRate ?? 0) >= 75 ? '#ffd166' : '#ff5c5c',
          },
        })),
        label: { show: true, position: 'right', color: '#c9d8ee', formatter: '{c}%' },
        barMaxWidth: 16,
      },
    ],
  };
}
