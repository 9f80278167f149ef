import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import type { Principal } from '../kernel/auth/principal.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { caseVisibility } from './policy.ts';

// All SQL of the case engine's own tables. Other modules' data (places, grids, users) is read
// through their service and store functions.

export type CaseRow = Database['cases'];
export type TimelineRow = Database['case_timeline'];
export type CaseAlarmRow = Database['case_alarms'];
export type TimerRow = Database['case_timers'];
export type DepartmentRow = Database['departments'];
export type ShiftRow = Database['duty_shifts'];

type Page = { limit: number; offset: number };
type CasesQuery = SelectQueryBuilder<Database, 'cases', object>;

/** States in which a case is still open (not closed, evaluated or voided). */
export const openStates = ['reported', 'registered', 'dispatched', 'accepted', 'handled', 'verified', 'returned'];
/** States in which the assignee still owes the handling (处置). */
export const unhandledStates = ['dispatched', 'accepted'];

export async function insertCase(db: Executor, row: CaseRow): Promise<void> {
  await db.insertInto('cases').values(row).execute();
}

export async function insertCases(db: Executor, rows: CaseRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('cases')
      .values(rows.slice(i, i + 100))
      .execute();
}

export async function findCase(db: Executor, id: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Updates a case if nobody changed it since `version` was read; false when somebody did. */
export async function updateCase(db: Executor, id: string, version: number, patch: Partial<CaseRow>): Promise<boolean> {
  const r = await db
    .updateTable('cases')
    .set({ ...patch, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The next number of the local day's case codes. */
export async function nextCaseNumber(db: Executor, day: string): Promise<number> {
  const row = await db
    .insertInto('case_code_seq')
    .values({ day, seq: 1 })
    .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ seq: eb('case_code_seq.seq', '+', 1) })))
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** Narrows a case query to what the viewer may see (see `caseVisibility` in policy.ts). */
export function visibleTo(q: CasesQuery, viewer: Principal, departmentIds: readonly string[]): CasesQuery {
  const me = viewer.userId;
  const { path, gridId } = viewer.scope;
  return q.where((eb: ExpressionBuilder<Database, 'cases'>) => {
    const area = [
      ...(path !== null ? [eb('cases.path', 'like', `${path}%`)] : []),
      ...(gridId !== null ? [eb('cases.grid_id', '=', gridId)] : []),
    ];
    const involved = [
      eb('cases.assignee_id', '=', me),
      eb('cases.first_responsible_id', '=', me),
      eb('cases.handler_id', '=', me),
    ];
    switch (caseVisibility(viewer.role)) {
      case 'area':
        return eb.and(area);
      case 'grid':
        return eb.or([eb.and(area), ...involved]);
      case 'department':
        return departmentIds.length === 0
          ? eb.or(involved)
          : eb.or([eb.and([...area, eb('cases.department_id', 'in', [...departmentIds])]), ...involved]);
      case 'own':
        return eb('cases.reporter_id', '=', me);
    }
  });
}

/** Filters of the case list, already resolved (place → path). */
export type CaseFilter = {
  states?: string[] | undefined;
  category?: string | undefined;
  gridId?: string | undefined;
  placePath?: string | undefined;
  assigneeId?: string | undefined;
  overdueAt?: string | undefined;
  notOverdueAt?: string | undefined;
  source?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export async function listCases(
  db: Executor,
  viewer: Principal,
  departmentIds: readonly string[],
  f: CaseFilter,
  page: Page,
): Promise<{ rows: CaseRow[]; total: number }> {
  let q = visibleTo(db.selectFrom('cases'), viewer, departmentIds);
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.category) q = q.where('category', '=', f.category);
  if (f.gridId) q = q.where('grid_id', '=', f.gridId);
  if (f.placePath) q = q.where('path', 'like', `${f.placePath}%`);
  if (f.assigneeId) q = q.where('assignee_id', '=', f.assigneeId);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  if (f.overdueAt) q = q.where('state', 'in', unhandledStates).where('handle_by', '<', f.overdueAt);
  if (f.notOverdueAt)
    q = q.where((eb) =>
      eb.or([
        eb('state', 'not in', unhandledStates),
        eb('handle_by', 'is', null),
        eb('handle_by', '>=', f.notOverdueAt!),
      ]),
    );
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('code', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

/** The open case of a place and category created at or after `since`, to join an alarm to. */
export async function findJoinableCase(
  db: Executor,
  placeId: string,
  category: string,
  since: string,
): Promise<CaseRow | undefined> {
  return db
    .selectFrom('cases')
    .selectAll()
    .where('place_id', '=', placeId)
    .where('category', '=', category)
    .where('state', 'in', openStates)
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** How many open cases each user is assigned (to spread work evenly). */
export async function openLoad(db: Executor, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('cases')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('assignee_id', 'in', userIds)
    .where('state', 'in', ['dispatched', 'accepted'])
    .groupBy('assignee_id')
    .execute();
  return new Map(rows.map((r) => [r.assignee_id ?? '', Number(r.n)]));
}

// Timeline

export async function insertTimeline(db: Executor, row: TimelineRow): Promise<void> {
  await db.insertInto('case_timeline').values(row).execute();
}

export async function listTimeline(db: Executor, caseId: string): Promise<TimelineRow[]> {
  return db.selectFrom('case_timeline').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
}

// Alarms joined to cases

export async function findCaseAlarm(db: Executor, alarmId: string): Promise<CaseAlarmRow | undefined> {
  return db.selectFrom('case_alarms').selectAll().where('alarm_id', '=', alarmId).executeTakeFirst();
}

export async function insertCaseAlarm(db: Executor, row: CaseAlarmRow): Promise<void> {
  await db.insertInto('case_alarms').values(row).execute();
}

export async function updateCaseAlarm(db: Executor, alarmId: string, patch: Partial<CaseAlarmRow>): Promise<void> {
  await db.updateTable('case_alarms').set(patch).where('alarm_id', '=', alarmId).execute();
}

export async function listCaseAlarms(db: Executor, caseId: string): Promise<CaseAlarmRow[]> {
  return db.selectFrom('case_alarms').selectAll().where('case_id', '=', caseId).orderBy('joined_at').execute();
}

// Escalation timers

export async function insertTimers(db: Executor, rows: TimerRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('case_timers').values(rows).execute();
}

/** Cancels a case's pending timers of the given kinds. */
export async function cancelTimers(db: Executor, caseId: string, kinds: readonly string[], at: string): Promise<void> {
  if (kinds.length === 0) return;
  await db
    .updateTable('case_timers')
    .set({ done_at: at, outcome: 'cancelled' })
    .where('case_id', '=', caseId)
    .where('kind', 'in', [...kinds])
    .where('done_at', 'is', null)
    .execute();
}

/** Pending timers due at or before `now`, oldest first. */
export async function dueTimers(db: Executor, now: string, limit: number): Promise<TimerRow[]> {
  return db
    .selectFrom('case_timers')
    .selectAll()
    .where('done_at', 'is', null)
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Marks a timer done; false if another node (or an earlier run) already did. */
export async function claimTimer(db: Executor, id: string, at: string, outcome: string): Promise<boolean> {
  const r = await db
    .updateTable('case_timers')
    .set({ done_at: at, outcome })
    .where('id', '=', id)
    .where('done_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function pendingTimers(db: Executor, caseId: string): Promise<TimerRow[]> {
  return db
    .selectFrom('case_timers')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('done_at', 'is', null)
    .orderBy('due_at')
    .execute();
}

// Departments

export async function listDepartments(db: Executor): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().orderBy('code').execute();
}

export async function findDepartmentByCode(db: Executor, code: string): Promise<DepartmentRow | undefined> {
  return db.selectFrom('departments').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findDepartmentsByIds(db: Executor, ids: string[]): Promise<DepartmentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('departments').selectAll().where('id', 'in', ids).execute();
}

export async function upsertDepartment(db: Executor, row: DepartmentRow): Promise<void> {
  await db
    .insertInto('departments')
    .values(row)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet({ name: row.name, categories: row.categories, updated_at: row.updated_at }),
    )
    .execute();
}

export async function replaceMembers(db: Executor, departmentId: string, userIds: string[]): Promise<void> {
  await db.deleteFrom('department_members').where('department_id', '=', departmentId).execute();
  if (userIds.length > 0)
    await db
      .insertInto('department_members')
      .values(userIds.map((user_id) => ({ department_id: departmentId, user_id })))
      .execute();
}

export async function membersOf(
  db: Executor,
  departmentIds: string[],
): Promise<{ department_id: string; user_id: string }[]> {
  if (departmentIds.length === 0) return [];
  return db.selectFrom('department_members').selectAll().where('department_id', 'in', departmentIds).execute();
}

/** Ids of the departments a user belongs to. */
export async function departmentIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('department_members')
    .select('department_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.department_id);
}

// Duty rosters

export async function shiftsOfGrids(db: Executor, gridIds: string[]): Promise<ShiftRow[]> {
  if (gridIds.length === 0) return [];
  return db
    .selectFrom('duty_shifts')
    .selectAll()
    .where('grid_id', 'in', gridIds)
    .orderBy('grid_id')
    .orderBy('date')
    .orderBy('start_time')
    .execute();
}

export async function replaceShifts(db: Executor, gridId: string, rows: ShiftRow[]): Promise<void> {
  await db.deleteFrom('duty_shifts').where('grid_id', '=', gridId).execute();
  if (rows.length > 0) await db.insertInto('duty_shifts').values(rows).execute();
}

// Holiday years

export async function listCalendarYears(db: Executor) {
  return db.selectFrom('calendar_years').selectAll().orderBy('year').execute();
}

export async function upsertCalendarYear(db: Executor, row: Database['calendar_years']): Promise<void> {
  await db
    .insertInto('calendar_years')
    .values(row)
    .onConflict((oc) =>
      oc.column('year').doUpdateSet({ data: row.data, imported_at: row.imported_at, imported_by: row.imported_by }),
    )
    .execute();
}

/** Open cases in some states, oldest first (the demo's simulated workers). */
export async function casesInStates(db: Executor, states: string[], limit: number): Promise<CaseRow[]> {
  return db.selectFrom('cases').selectAll().where('state', 'in', states).orderBy('updated_at').limit(limit).execute();
}
