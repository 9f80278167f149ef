import { z } from 'zod';

// KPI formulas of digital urban management (CJ/T 292-2008 and deployments' monthly reports), as a
// table of ratios over counts. The counting (which cases are "due", "on time") is the case
// service's job; this module only divides, rounds and scores.

/** The counts KPIs are computed from, for one place subtree, department and period. */
export const kpiCountKeys = [
  'reported', // 上报数
  'validReported', // 有效上报数
  'received', // 受理数
  'registered', // 立案数
  'registeredOnTime', // 按时立案数
  'inspectorReported', // 监督员上报数 (立案 cases reported by inspectors/grid workers)
  'publicReported', // 公众上报数 (立案 cases reported by the public, hotline, media)
  'dueDispatch', // 应派遣数
  'dispatchedAccurately', // 准确派遣数 (not returned as out of remit)
  'dispatchedOnTime', // 按时派遣数
  'dueHandling', // 应处置数
  'handled', // 处置数
  'handledOnTime', // 按期处置数
  'overdueUnhandled', // 超期待处置数: past the deadline and still not handled (red lights)
  'extended', // 延期数 (extensions granted)
  'dueVerification', // 应核查数
  'verifiedOnTime', // 按时核查数
  'dueClosing', // 应结案数
  'closed', // 结案数
  'closedOnTime', // 按期结案数
  'closedOverdue', // 超期结案数
  'unclosed', // 未结案数
  'reworked', // 返工数
  'evaluated', // 评价数 (回访 with a rating)
  'satisfied', // 满意数
] as const;
export type KpiCountKey = (typeof kpiCountKeys)[number];

/** Counts for a period; a count left out makes the KPIs that need it null. */
export const kpiCountsSchema = z.partialRecord(z.enum(kpiCountKeys), z.number().int().nonnegative());
export type KpiCounts = z.infer<typeof kpiCountsSchema>;

/** A KPI as a ratio of two counts, shown as a percentage. */
export type KpiDefinition<K extends string = string> = {
  key: K;
  name: string;
  numerator: KpiCountKey;
  denominator: KpiCountKey;
  /** Denominators marked local are set by each city; ours are documented here. */
  local?: boolean;
};

/** The KPI table (DOMAIN.md "KPIs"); pass another table to `computeKpis` for local variants. */
export const kpiDefinitions = [
  { key: 'handlingRate', name: '处置率', numerator: 'handled', denominator: 'dueHandling' },
  { key: 'onTimeHandlingRate', name: '按期处置率', numerator: 'handledOnTime', denominator: 'dueHandling' },
  { key: 'closingRate', name: '结案率', numerator: 'closed', denominator: 'dueClosing' },
  { key: 'onTimeClosingRate', name: '按期结案率', numerator: 'closedOnTime', denominator: 'dueClosing' },
  { key: 'overdueClosingRate', name: '超期结案率', numerator: 'closedOverdue', denominator: 'dueClosing' },
  { key: 'unclosedRate', name: '未结案率', numerator: 'unclosed', denominator: 'reported' },
  { key: 'accurateDispatchRate', name: '准确派遣率', numerator: 'dispatchedAccurately', denominator: 'dueDispatch' },
  { key: 'onTimeDispatchRate', name: '按期派遣率', numerator: 'dispatchedOnTime', denominator: 'dueDispatch' },
  { key: 'onTimeRegistrationRate', name: '按时立案率', numerator: 'registeredOnTime', denominator: 'registered' },
  { key: 'validReportRate', name: '有效上报率', numerator: 'validReported', denominator: 'reported' },
  { key: 'onTimeVerificationRate', name: '按期核查率', numerator: 'verifiedOnTime', denominator: 'dueVerification' },
  { key: 'inspectorReportShare', name: '监督员上报占比', numerator: 'inspectorReported', denominator: 'registered' },
  { key: 'publicReportShare', name: '公众上报占比', numerator: 'publicReported', denominator: 'registered' },
  // Local denominators: ours follow the district scorecard in DOMAIN.md where it names one.
  { key: 'registrationRate', name: '立案率', numerator: 'registered', denominator: 'received', local: true },
  { key: 'reworkRate', name: '返工率', numerator: 'reworked', denominator: 'dueClosing', local: true },
  { key: 'satisfactionRate', name: '满意率', numerator: 'satisfied', denominator: 'evaluated', local: true },
  { key: 'extensionRate', name: '延期率', numerator: 'extended', denominator: 'dueHandling', local: true },
  {
    key: 'overdueUnhandledRate',
    name: '超期待处置率',
    numerator: 'overdueUnhandled',
    denominator: 'dueHandling',
    local: true,
  },
] as const satisfies readonly KpiDefinition[];

/** Keys of the default KPIs. */
export type KpiKey = (typeof kpiDefinitions)[number]['key'];

/** `numerator / denominator`, or null when the denominator is zero or a count is missing. */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | null {
  if (numerator === undefined || denominator === undefined || denominator === 0) return null;
  return numerator / denominator;
}

/**
 * The ratio as a percentage with 2 decimals, rounded half up exactly as the published reports
 * (911 / 972 → 93.72); null when the denominator is zero. Counts must be non-negative integers.
 */
export function percent(numerator: number | undefined, denominator: number | undefined): number | null {
  if (numerator === undefined || denominator === undefined || denominator === 0) return null;
  for (const n of [numerator, denominator]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`counts must be non-negative integers, got ${n}`);
  }
  // Integer arithmetic: in floating point 57 / 800 × 10000 is 712.4999…, and 7.125 % would round down.
  return Math.floor((numerator * 20_000 + denominator) / (2 * denominator)) / 100;
}

/** Every KPI of `definitions` (default: `kpiDefinitions`) from `counts`, in percent, null where not computable. */
export function computeKpis(counts: KpiCounts): Record<KpiKey, number | null>;
export function computeKpis<K extends string>(
  counts: KpiCounts,
  definitions: readonly KpiDefinition<K>[],
): Record<K, number | null>;
export function computeKpis(
  counts: KpiCounts,
  definitions: readonly KpiDefinition[] = kpiDefinitions,
): Record<string, number | null> {
  return Object.fromEntries(definitions.map((d) => [d.key, percent(counts[d.numerator], counts[d.denominator])]));
}

/** `93.72` → `'93.72%'`, null → `'—'`; for tables and CSV export. */
export function formatPercent(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(2)}%`;
}

/** One line of a scorecard: a KPI, its weight, and whether a high value earns or loses points. */
export type ScorecardItem = { kpi: KpiKey; weight: number; better: 'higher' | 'lower' };

/**
 * One district's scorecard, out of 100 (DOMAIN.md "KPIs"): 处置率 ×30, 按期处置率 ×20,
 * (1 − 返工率) ×20, (1 − 超期待处置率) ×20, (1 − 延期率) ×10.
 */
export const districtScorecard: readonly ScorecardItem[] = [
  { kpi: 'handlingRate', weight: 30, better: 'higher' },
  { kpi: 'onTimeHandlingRate', weight: 20, better: 'higher' },
  { kpi: 'reworkRate', weight: 20, better: 'lower' },
  { kpi: 'overdueUnhandledRate', weight: 20, better: 'lower' },
  { kpi: 'extensionRate', weight: 10, better: 'lower' },
];

/** A computed scorecard, with each line's exact ratio (null if nothing was due) and points. */
export type Scorecard = {
  score: number;
  items: { kpi: KpiKey; name: string; weight: number; ratio: number | null; points: number }[];
};

/**
 * Scores counts on `items`. Uses exact ratios, capped to 0–1 (carried-over cases can push 处置率
 * past 100 %), and rounds only the results, to 2 decimals. A KPI with nothing due (null) earns
 * its full weight: no case, no failure.
 */
export function scoreDistrict(counts: KpiCounts, items: readonly ScorecardItem[] = districtScorecard): Scorecard {
  const lines = items.map((item) => {
    const definition = kpiDefinitions.find((d) => d.key === item.kpi)!;
    const r = ratio(counts[definition.numerator], counts[definition.denominator]);
    const capped = r === null ? null : Math.min(1, Math.max(0, r));
    const earned = capped === null ? 1 : item.better === 'higher' ? capped : 1 - capped;
    return { kpi: item.kpi, name: definition.name, weight: item.weight, ratio: r, points: earned * item.weight };
  });
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    score: round(lines.reduce((sum, line) => sum + line.points, 0)),
    items: lines.map((line) => ({ ...line, points: round(line.points) })),
  };
}
