import { z } from 'zod';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { badRequest } from '../kernel/problems.ts';
import type { WorkingCalendar } from './calendar.ts';
import { countCases } from './kpi-counts.ts';
import { casesForKpis } from './kpi-store.ts';
import { computeKpis, kpiCountKeys, kpiDefinitions, scoreDistrict } from './kpis.ts';
import { type Cell, csvOf, xlsxOf } from './table-files.ts';

// `GET /api/kpis`: the KPIs of a place subtree (and department) for a period, as JSON, CSV or XLSX.

const dateOrTime = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.iso.datetime({ offset: true })]);

/** Query of `GET /api/kpis`. */
export const kpiQuery = z.object({
  place: z.string().optional().describe('place id (default: your scope’s root, or the whole system)'),
  department: z.string().optional().describe('department code'),
  from: dateOrTime
    .optional()
    .describe('start, inclusive: a local date (YYYY-MM-DD) or an instant; default: this month'),
  to: dateOrTime.optional().describe('end, exclusive: a local date or an instant; default: next month’s first day'),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
export type KpiQuery = z.infer<typeof kpiQuery>;

/** One KPI line. */
export const kpiLine = z.object({
  key: z.string(),
  name: z.string(),
  value: z.number().nullable().describe('percent, 2 decimals, half up'),
  numerator: z.string(),
  denominator: z.string(),
  local: z.boolean(),
});

/** The KPI report. */
export const kpiReportView = z.object({
  place: z.object({ id: z.string(), name: z.string() }).nullable(),
  department: z.object({ code: z.string(), name: z.string() }).nullable(),
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  counts: z.record(z.string(), z.number()),
  kpis: z.array(kpiLine),
  meanResponseMinutes: z.number().nullable(),
  meanHandlingMinutes: z.number().nullable(),
  score: z.number().describe('district scorecard, out of 100 (kpis.ts)'),
});
export type KpiReport = z.infer<typeof kpiReportView>;

/** A local date (start of that day in the calendar's zone) or an instant. */
function instantOf(value: string, calendar: WorkingCalendar, pointer: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    const at = new Date(Date.UTC(y!, m! - 1, d!) - calendar.offsetMinutes * 60_000);
    if (calendar.localDate(at) !== value)
      throw badRequest(`${value} is not a date`, [{ pointer, detail: 'not a date' }]);
    return at;
  }
  return new Date(value);
}

/** The period of a query: given bounds, or the current local month. */
export function kpiPeriod(q: Pick<KpiQuery, 'from' | 'to'>, now: Date, calendar: WorkingCalendar) {
  const month = calendar.localDate(now).slice(0, 7);
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y! + 1}-01-01` : `${y}-${String(m! + 1).padStart(2, '0')}-01`;
  const from = instantOf(q.from ?? `${month}-01`, calendar, '/query/from');
  const to = instantOf(q.to ?? next, calendar, '/query/to');
  if (!(from < to))
    throw badRequest('`from` must be before `to`', [{ pointer: '/query/to', detail: 'not after from' }]);
  if (to.getTime() - from.getTime() > 366 * 86_400_000 * 5)
    throw badRequest('the period is longer than five years', [{ pointer: '/query/to', detail: 'too long' }]);
  return { from, to };
}

/** Counts and computes the KPIs (kpi-counts.ts says how each count is derived). */
export async function kpiReporter(
  db: Executor,
  f: {
    place: { id: string; name: string; path: string } | null;
    department: { id: string; code: string; name: string } | null;
    from: Date;
    to: Date;
    now: Date;
  },
): Promise<KpiReport> {
  const rows = await casesForKpis(db, {
    path: f.place?.path ?? null,
    departmentId: f.department?.id ?? null,
    from: f.from.toISOString(),
    to: f.to.toISOString(),
  });
  const { counts, meanResponseMinutes, meanHandlingMinutes } = countCases(rows, f);
  const values = computeKpis(counts);
  return {
    place: f.place ? { id: f.place.id, name: f.place.name } : null,
    department: f.department ? { code: f.department.code, name: f.department.name } : null,
    from: f.from.toISOString(),
    to: f.to.toISOString(),
    asOf: new Date(Math.min(f.to.getTime(), f.now.getTime())).toISOString(),
    counts: Object.fromEntries(kpiCountKeys.filter((k) => counts[k] !== undefined).map((k) => [k, counts[k]!])),
    kpis: kpiDefinitions.map((d) => ({
      key: d.key,
      name: d.name,
      value: values[d.key],
      numerator: d.numerator,
      denominator: d.denominator,
      local: 'local' in d && d.local === true,
    })),
    meanResponseMinutes,
    meanHandlingMinutes,
    score: scoreDistrict(counts).score,
  };
}

function rowsOf(r: KpiReport): Cell[][] {
  return [
    ['指标 KPI', 'key', '值 value (%)', '分子 numerator', '分母 denominator'],
    ...r.kpis.map((k) => [k.name, k.key, k.value, r.counts[k.numerator] ?? null, r.counts[k.denominator] ?? null]),
    ['平均响应时间 mean response (min)', 'meanResponseMinutes', r.meanResponseMinutes, null, null],
    ['平均处置时间 mean handling (min)', 'meanHandlingMinutes', r.meanHandlingMinutes, null, null],
    ['综合得分 score', 'score', r.score, null, null],
  ];
}

/** The report as CSV (table-files.ts: UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese). */
export function kpiCsv(r: KpiReport): string {
  const head = [`# ${r.place?.name ?? '全部 all'}${r.department ? ` / ${r.department.name}` : ''}`, r.from, r.to];
  return csvOf([head, ...rowsOf(r)]);
}

/** The report as an XLSX workbook: the KPIs, and the counts they come from. */
export function kpiXlsx(r: KpiReport): Promise<Buffer> {
  return xlsxOf([
    {
      name: 'KPIs',
      rows: [[r.place?.name ?? '全部 all', r.department?.name ?? '', r.from, r.to], ...rowsOf(r)],
      widths: [34, 18, 18, 18, 18],
    },
    { name: 'Counts', rows: [['count', 'value'], ...Object.entries(r.counts)] },
  ]);
}
