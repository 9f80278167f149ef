import { describe, expect, it } from 'vitest';
import {
  computeKpis,
  districtScorecard,
  formatPercent,
  type KpiCountKey,
  type KpiDefinition,
  kpiCountsSchema,
  kpiDefinitions,
  percent,
  ratio,
  scoreDistrict,
} from './kpis.ts';

describe('the published monthly report (a city, December 2016)', () => {
  // 受理 1054, 立案 996, 应结案 972, 结案 911, 按期结案 737; inspectors 953, the public 43.
  const counts = {
    received: 1054,
    registered: 996,
    dueClosing: 972,
    closed: 911,
    closedOnTime: 737,
    closedOverdue: 911 - 737,
    inspectorReported: 953,
    publicReported: 43,
  };
  const kpis = computeKpis(counts);

  it.each([
    ['结案率', 'closingRate', 93.72],
    ['按期结案率', 'onTimeClosingRate', 75.82],
    ['监督员上报占比', 'inspectorReportShare', 95.68],
    ['公众上报占比', 'publicReportShare', 4.32],
  ] as const)('%s = %d %%', (_name, key, expected) => {
    expect(kpis[key]).toBe(expected);
  });

  it('derives the rest from the same counts', () => {
    expect(kpis.overdueClosingRate).toBe(17.9); // 174 / 972
    expect(kpis.registrationRate).toBe(94.5); // 996 / 1054, with our local denominator
    expect(formatPercent(kpis.closingRate)).toBe('93.72%');
  });

  it('leaves KPIs without their counts null', () => {
    expect(kpis.handlingRate).toBeNull();
    expect(kpis.satisfactionRate).toBeNull();
  });
});

describe('the KPI table', () => {
  // Formulas from DOMAIN.md, written out again so a change to the table fails here.
  it.each<[string, string, KpiCountKey, KpiCountKey]>([
    ['handlingRate', '处置率', 'handled', 'dueHandling'],
    ['onTimeHandlingRate', '按期处置率', 'handledOnTime', 'dueHandling'],
    ['closingRate', '结案率', 'closed', 'dueClosing'],
    ['onTimeClosingRate', '按期结案率', 'closedOnTime', 'dueClosing'],
    ['overdueClosingRate', '超期结案率', 'closedOverdue', 'dueClosing'],
    ['unclosedRate', '未结案率', 'unclosed', 'reported'],
    ['accurateDispatchRate', '准确派遣率', 'dispatchedAccurately', 'dueDispatch'],
    ['onTimeDispatchRate', '按期派遣率', 'dispatchedOnTime', 'dueDispatch'],
    ['onTimeRegistrationRate', '按时立案率', 'registeredOnTime', 'registered'],
    ['validReportRate', '有效上报率', 'validReported', 'reported'],
    ['onTimeVerificationRate', '按期核查率', 'verifiedOnTime', 'dueVerification'],
    ['inspectorReportShare', '监督员上报占比', 'inspectorReported', 'registered'],
    ['publicReportShare', '公众上报占比', 'publicReported', 'registered'],
    ['registrationRate', '立案率', 'registered', 'received'],
    ['reworkRate', '返工率', 'reworked', 'dueClosing'],
    ['satisfactionRate', '满意率', 'satisfied', 'evaluated'],
    ['extensionRate', '延期率', 'extended', 'dueHandling'],
    ['overdueUnhandledRate', '超期待处置率', 'overdueUnhandled', 'dueHandling'],
  ])('%s (%s) = %s / %s', (key, name, numerator, denominator) => {
    expect(kpiDefinitions.find((d) => d.key === key)).toMatchObject({ name, numerator, denominator });
    const kpis = computeKpis({ [numerator]: 3, [denominator]: 8 }) as Record<string, number | null>;
    expect(kpis[key]).toBe(37.5);
  });

  it('has exactly the KPIs listed above', () => {
    expect(kpiDefinitions).toHaveLength(18);
  });

  it('accepts a local table', () => {
    const local: KpiDefinition<'satisfaction'>[] = [
      { key: 'satisfaction', name: '满意率', numerator: 'satisfied', denominator: 'closed', local: true },
    ];
    expect(computeKpis({ satisfied: 45, closed: 50 }, local)).toEqual({ satisfaction: 90 });
  });
});

describe('percent', () => {
  it.each([
    [911, 972, 93.72],
    [737, 972, 75.82],
    [953, 996, 95.68],
    [1, 3, 33.33],
    [2, 3, 66.67],
    [57, 800, 7.13], // 7.125: half up, where floating point gives 7.12
    [23, 160, 14.38], // 14.375: toFixed(2) gives 14.37
    [0, 5, 0],
    [5, 5, 100],
    [6, 5, 120], // carried-over cases may exceed what was due
  ])('%i / %i = %d', (numerator, denominator, expected) => {
    expect(percent(numerator, denominator)).toBe(expected);
  });

  it('gives null when dividing by zero or a count is missing', () => {
    expect(percent(0, 0)).toBeNull();
    expect(percent(3, 0)).toBeNull();
    expect(percent(undefined, 4)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
    expect(formatPercent(null)).toBe('—');
  });

  it('refuses counts that are not non-negative integers', () => {
    expect(() => percent(-1, 4)).toThrow(RangeError);
    expect(() => percent(1.5, 4)).toThrow(RangeError);
    expect(kpiCountsSchema.safeParse({ closed: -1 }).success).toBe(false);
    expect(kpiCountsSchema.safeParse({ closed: 3, dueClosing: 4 }).success).toBe(true);
    expect(kpiCountsSchema.safeParse({ nonsense: 3 }).success).toBe(false);
  });
});

describe('district scorecard (out of 100)', () => {
  it('weights 30 / 20 / 20 / 20 / 10', () => {
    expect(districtScorecard.map((i) => [i.kpi, i.weight])).toEqual([
      ['handlingRate', 30],
      ['onTimeHandlingRate', 20],
      ['reworkRate', 20],
      ['overdueUnhandledRate', 20],
      ['extensionRate', 10],
    ]);
  });

  it('scores a month', () => {
    const card = scoreDistrict({
      dueHandling: 200,
      handled: 190, // 95 % × 30 = 28.5
      handledOnTime: 170, // 85 % × 20 = 17
      dueClosing: 180,
      reworked: 9, // (1 − 5 %) × 20 = 19
      overdueUnhandled: 6, // (1 − 3 %) × 20 = 19.4
      extended: 4, // (1 − 2 %) × 10 = 9.8
    });
    expect(card.items.map((i) => i.points)).toEqual([28.5, 17, 19, 19.4, 9.8]);
    expect(card.score).toBe(93.7);
    expect(card.items[2]).toMatchObject({ name: '返工率', ratio: 0.05 });
  });

  it.each([
    ['a perfect month', { dueHandling: 10, handled: 10, handledOnTime: 10, dueClosing: 10, reworked: 0 }, 100],
    ['nothing due: no case, no failure', {}, 100],
    [
      'nothing handled, all overdue and reworked',
      { dueHandling: 4, handled: 0, handledOnTime: 0, overdueUnhandled: 4, extended: 4, dueClosing: 2, reworked: 2 },
      0,
    ],
    ['carried-over cases cap 处置率 at 100 %', { dueHandling: 10, handled: 12, handledOnTime: 5 }, 90],
  ])('%s', (_label, counts, score) => {
    expect(scoreDistrict(counts).score).toBe(score);
  });
});
