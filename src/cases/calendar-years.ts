import { ZodError } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { badRequest, toPointer } from '../kernel/problems.ts';
import {
  bundledHolidayYears,
  createWorkingCalendar,
  type HolidayYear,
  holidayYearSchema,
  type WorkingCalendar,
} from './calendar.ts';
import * as store from './store.ts';

// The working calendar the case engine uses: the bundled holiday years merged with the years an
// admin imported (`POST /api/calendar/years`); an imported year replaces a bundled one (a revised
// State Council notice).

// Keyed by the imported years' text, so several databases in one process (tests) and several
// nodes over one database (each re-reads the small table) never share a stale calendar.
const cache = new Map<string, WorkingCalendar>();

/** The holiday years in force: bundled years, overridden and extended by imported ones. */
export async function holidayYears(db: Executor): Promise<{ year: HolidayYear; imported: boolean }[]> {
  return mergeYears(await store.listCalendarYears(db));
}

function mergeYears(rows: { data: string }[]): { year: HolidayYear; imported: boolean }[] {
  const byYear = new Map<number, { year: HolidayYear; imported: boolean }>();
  for (const y of bundledHolidayYears) byYear.set(y.year, { year: y, imported: false });
  for (const r of rows) {
    const y = holidayYearSchema.parse(JSON.parse(r.data));
    byYear.set(y.year, { year: y, imported: true });
  }
  return [...byYear.values()].sort((a, b) => a.year.year - b.year.year);
}

/** Within one transaction the calendar cannot change but by an import, which runs alone. */
const perTransaction = new WeakMap<object, WorkingCalendar>();

/** The working calendar in force (bundled and imported years, district working hours). */
export async function workingCalendar(db: Executor): Promise<WorkingCalendar> {
  const known = db.isTransaction ? perTransaction.get(db) : undefined;
  if (known) return known;
  const rows = await store.listCalendarYears(db);
  const key = rows.map((r) => r.data).join('\n');
  const hit = cache.get(key);
  const calendar = hit ?? createWorkingCalendar({ years: mergeYears(rows).map((y) => y.year) });
  if (!hit) {
    if (cache.size > 50) cache.clear();
    cache.set(key, calendar);
  }
  if (db.isTransaction) perTransaction.set(db, calendar);
  return calendar;
}

/**
 * Imports one year's holiday schedule (admin): validated like the bundled file, checked against
 * the other years (no date both off and on), stored, audited. 400 with JSON pointers when invalid.
 */
export async function calendarYearImporter(unit: Unit, json: unknown): Promise<HolidayYear> {
  let year: HolidayYear;
  try {
    year = holidayYearSchema.parse(json);
  } catch (err) {
    if (err instanceof ZodError)
      throw badRequest(
        'not a valid holiday schedule',
        err.issues.map((i) => ({ pointer: toPointer(i.path), detail: i.message })),
      );
    throw err;
  }
  const others = (await holidayYears(unit.tx)).map((y) => y.year).filter((y) => y.year !== year.year);
  try {
    createWorkingCalendar({ years: [...others, year] });
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : 'conflicting schedules', [
      { pointer: '', detail: 'conflict' },
    ]);
  }
  const before = (await holidayYears(unit.tx)).find((y) => y.year.year === year.year)?.year;
  await store.upsertCalendarYear(unit.tx, {
    year: year.year,
    data: JSON.stringify(year),
    imported_at: unit.clock.now().toISOString(),
    imported_by: unit.actor,
  });
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'calendar.import-year',
    subjectType: 'calendar-year',
    subjectId: String(year.year),
    ...(before ? { before } : {}),
    after: year,
  });
  return year;
}
