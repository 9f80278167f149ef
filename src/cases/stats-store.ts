import { sql } from 'kysely';
import type { Principal } from '../kernel/auth/principal.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { openStates, unhandledStates, visibleTo } from './store.ts';

// SQL of the big screen's case statistics: group-bys over `cases`, narrowed like the case list.

/** Open and overdue cases of one place (not rolled up: the caller maps places to compounds). */
export type PlaceCaseStats = { placeId: string; open: number; overdue: number };

/**
 * Open cases per place the viewer may see, and of them the overdue ones (still unhandled with the
 * handling deadline before `now`, the console's red light — same predicate as `overdueAt` in store.ts).
 */
export async function caseStatsByPlace(
  db: Executor,
  viewer: Principal,
  departmentIds: readonly string[],
  now: string,
): Promise<PlaceCaseStats[]> {
  const unhandled = sql.join(unhandledStates.map((s) => sql`${s}`));
  const rows = await visibleTo(db.selectFrom('cases'), viewer, departmentIds)
    .where('state', 'in', openStates)
    .select([
      'place_id',
      sql<number | string>`count(*)`.as('open'),
      sql<
        number | string
      >`sum(case when state in (${unhandled}) and handle_by is not null and handle_by < ${now} then 1 else 0 end)`.as(
        'overdue',
      ),
    ])
    .groupBy('place_id')
    .orderBy('place_id')
    .execute();
  // PostgreSQL returns bigint counts as strings.
  return rows.map((r) => ({ placeId: r.place_id, open: Number(r.open), overdue: Number(r.overdue ?? 0) }));
}

/** The big screen's case tiles: cases reported today (not voided), open cases, overdue ones. */
export type CaseSummary = { reportedToday: number; open: number; overdue: number };

/**
 * Counts of the cases the viewer may see: reported since `dayStart` and not voided (the trend's
 * rule), open (any state but closed, evaluated, voided), and overdue (the predicate of
 * `caseStatsByPlace`: still unhandled with the handling deadline before `now`).
 */
export async function caseSummary(
  db: Executor,
  viewer: Principal,
  departmentIds: readonly string[],
  dayStart: string,
  now: string,
): Promise<CaseSummary> {
  const open = sql.join(openStates.map((s) => sql`${s}`));
  const unhandled = sql.join(unhandledStates.map((s) => sql`${s}`));
  const row = await visibleTo(db.selectFrom('cases'), viewer, departmentIds)
    .where((eb) => eb.or([eb('created_at', '>=', dayStart), eb('state', 'in', openStates)]))
    .select([
      sql<number | string>`sum(case when created_at >= ${dayStart} and voided_at is null then 1 else 0 end)`.as(
        'today',
      ),
      sql<number | string>`sum(case when state in (${open}) then 1 else 0 end)`.as('open'),
      sql<
        number | string
      >`sum(case when state in (${unhandled}) and handle_by is not null and handle_by < ${now} then 1 else 0 end)`.as(
        'overdue',
      ),
    ])
    .executeTakeFirst();
  // sum() over no rows is NULL; PostgreSQL returns bigint sums as strings.
  return { reportedToday: Number(row?.today ?? 0), open: Number(row?.open ?? 0), overdue: Number(row?.overdue ?? 0) };
}

/** Cases reported in one UTC hour of one category (the caller buckets hours into local days). */
export type HourlyCategoryCount = { hour: string; category: string; count: number };

/**
 * Cases created in [from, to), not voided, per category and UTC hour: `substr(created_at, 1, 13)`
 * of the ISO text is portable across SQLite and PostgreSQL, where a local-day expression is not;
 * the route folds hours into the working calendar's local days (UTC+8 has no half-hour zones).
 */
export async function casesPerCategoryHour(
  db: Executor,
  viewer: Principal,
  departmentIds: readonly string[],
  from: string,
  to: string,
): Promise<HourlyCategoryCount[]> {
  const hour = sql<string>`substr(created_at, 1, 13)`;
  const rows = await visibleTo(db.selectFrom('cases'), viewer, departmentIds)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .where('voided_at', 'is', null)
    .select([hour.as('hour'), 'category', sql<number | string>`count(*)`.as('count')])
    .groupBy([hour, 'category'])
    .execute();
  return rows.map((r) => ({ hour: r.hour, category: r.category, count: Number(r.count) }));
}

/** 应处置数 and 按期处置数 of one place. */
export type PlaceOnTimeCounts = { placeId: string; dueHandling: number; handledOnTime: number };

/**
 * Per place: cases whose handling deadline falls in [from, to), not voided (应处置数), and of them
 * those handled no later than the deadline (按期处置数) — the definitions of kpi-counts.ts.
 */
export async function onTimeCountsByPlace(
  db: Executor,
  viewer: Principal,
  departmentIds: readonly string[],
  from: string,
  to: string,
): Promise<PlaceOnTimeCounts[]> {
  const rows = await visibleTo(db.selectFrom('cases'), viewer, departmentIds)
    .where('handle_by', '>=', from)
    .where('handle_by', '<', to)
    .where('voided_at', 'is', null)
    .select([
      'place_id',
      sql<number | string>`count(*)`.as('due'),
      sql<
        number | string
      >`sum(case when handled_at is not null and handled_at <= handle_by and handled_at < ${to} then 1 else 0 end)`.as(
        'onTime',
      ),
    ])
    .groupBy('place_id')
    .execute();
  return rows.map((r) => ({ placeId: r.place_id, dueHandling: Number(r.due), handledOnTime: Number(r.onTime ?? 0) }));
}
