import { inScope } from '../kernel/auth/principal.ts';
import { findUserById, findUsersByIds, type UserRow } from '../kernel/auth/store.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { findGrid } from '../twin/store.ts';
import { onDuty } from './roster.ts';
import type { DepartmentRow } from './store.ts';
import * as store from './store.ts';

// Who gets a case (派遣), ARCHITECTURE.md "How a signal becomes a pushed case" step 4:
// 1. a category owned by a department (环卫 owns garbage …) goes to that department's handlers
//    whose scope covers the case, the least loaded first;
// 2. otherwise the grid of the case's point: whoever the duty roster has on duty now (least loaded);
// 3. else the grid's worker (grids.worker_id); 4. else the grid head (grids.head_id).
// Nobody found: the case stays registered in the dispatchers' queue.

/** The dispatch rules' choice, and which rule chose. */
export type DispatchChoice = {
  userId: string;
  departmentId: string | null;
  via: 'department' | 'roster' | 'grid-worker' | 'grid-head';
};

/** The department that owns a category, if any. */
export async function departmentOwning(db: Executor, category: string): Promise<DepartmentRow | undefined> {
  return (await store.listDepartments(db)).find((d) => (JSON.parse(d.categories) as string[]).includes(category));
}

const active = (u: UserRow | undefined): u is UserRow => u !== undefined && u.disabled === 0;

async function leastLoaded(db: Executor, users: UserRow[]): Promise<UserRow | undefined> {
  const load = await store.openLoad(
    db,
    users.map((u) => u.id),
  );
  return [...users].sort(
    (a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.username.localeCompare(b.username),
  )[0];
}

/** Chooses the assignee of a case by the rules above; null when nobody qualifies. */
export async function dispatchTarget(
  db: Executor,
  c: { category: string; gridId: string | null; path: string },
  at: Date,
  offsetMinutes: number,
): Promise<DispatchChoice | null> {
  const department = await departmentOwning(db, c.category);
  if (department) {
    const members = await store.membersOf(db, [department.id]);
    const handlers: UserRow[] = [];
    for (const m of members) {
      const u = await findUserById(db, m.user_id);
      if (!active(u) || u.role !== 'handler') continue;
      if (inScope({ placeId: null, path: u.scope_path, gridId: null }, { path: c.path, gridId: null }))
        handlers.push(u);
    }
    const chosen = await leastLoaded(db, handlers);
    if (chosen) return { userId: chosen.id, departmentId: department.id, via: 'department' };
  }
  if (!c.gridId) return null;
  const shifts = await store.shiftsOfGrids(db, [c.gridId]);
  const dutyIds = onDuty(shifts, at, offsetMinutes);
  if (dutyIds.length > 0) {
    const chosen = await leastLoaded(db, (await findUsersByIds(db, dutyIds)).filter(active));
    if (chosen) return { userId: chosen.id, departmentId: null, via: 'roster' };
  }
  const grid = await findGrid(db, c.gridId);
  for (const [id, via] of [
    [grid?.worker_id, 'grid-worker'],
    [grid?.head_id, 'grid-head'],
  ] as const) {
    if (!id) continue;
    const [u] = await findUsersByIds(db, [id]);
    if (active(u)) return { userId: u.id, departmentId: null, via };
  }
  return null;
}
