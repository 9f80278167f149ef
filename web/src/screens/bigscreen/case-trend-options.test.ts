import { describe, expect, it } from 'vitest';
import { caseTrendOption, maxTrendSeries, onTimeOption } from './case-trend-options.ts';

type Bar = { name?: string; data: unknown[]; stack?: string };

describe('caseTrendOption', () => {
  it('stacks the biggest categories and adds up the rest as "other"', () => {
    const days = ['2026-11-25', '2026-11-26'];
    const series = Array.from({ length: maxTrendSeries + 1 }, (_, i) => ({ category: `c${i}`, counts: [i, 1] }));
    const option = caseTrendOption({ days, series }, (c) => `名${c}`, '其他');
    const bars = option.series as Bar[];
    expect(bars).toHaveLength(maxTrendSeries);
    expect(bars.map((b) => b.name)).toEqual(['名c5', '名c4', '名c3', '名c2', '其他']);
    expect(bars.at(-1)?.data).toEqual([1, 2]); // c1 [1, 1] plus c0 [0, 1]
    expect(bars.every((b) => b.stack === 'cases')).toBe(true);
    expect((option.xAxis as { data: string[] }).data).toEqual(['11-25', '11-26']);
  });

  it('keeps every category when few', () => {
    const option = caseTrendOption(
      { days: ['2026-11-26'], series: [{ category: 'a', counts: [2] }] },
      (c) => c,
      '其他',
    );
    expect((option.series as Bar[]).map((b) => b.name)).toEqual(['a']);
  });
});

describe('onTimeOption', () => {
  it('leaves out communities with nothing due and colours by the SLA thresholds', () => {
    const option = onTimeOption(
      [
        { communityId: 'a', name: '甲', dueHandling: 4, onTimeHandlingRate: 100 },
        { communityId: 'b', name: '乙', dueHandling: 0, onTimeHandlingRate: null },
        { communityId: 'c', name: '丙', dueHandling: 3, onTimeHandlingRate: 66.67 },
      ],
      '按期处置率',
    );
    expect((option.yAxis as { data: string[] }).data).toEqual(['丙', '甲']);
    const data = (option.series as Bar[])[0]?.data as { value: number; itemStyle: { color: string } }[];
    expect(data.map((d) => d.value)).toEqual([66.67, 100]);
    expect(data[0]?.itemStyle.color).toBe('#ff5c5c');
    expect(data[1]?.itemStyle.color).toBe('#39d0a8');
  });
});
