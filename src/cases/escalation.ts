import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { listUsers } from '../kernel/auth/store.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import { type Executor, inTransaction, type Unit } from '../kernel/db/unit-of-work.ts';
import type { OutboxListener } from '../kernel/events/outbox.ts';
import { findGrid, findPlace } from '../twin/store.ts';
import { workingCalendar } from './calendar-years.ts';
import { caseChangeRecorder, systemActor } from './case-steps.ts';
import { caseSettings } from './settings.ts';
import type { CaseRow, TimerRow } from './store.ts';
import * as store from './store.ts';

// Escalation (升级) and reminders (督办), as on-call tools do it (DOMAIN.md "Escalation"): timers
// are rows in `case_timers`, written in the transaction that sets the deadlines and polled by the
// scheduler, so they survive restarts and several nodes never fire one twice (`claimTimer`).
//
// | timer         | due                                   | if the case still …       | then                                  |
// | ------------- | ------------------------------------- | ------------------------- | ------------------------------------- |
// | `accept`      | accept-by (签收时限)                   | is dispatched, not signed | level 1: notify the grid head         |
// | `handle`      | handle-by (处置时限)                   | is not handled            | level 2: notify the community; start `subdistrict` and `remind` |
// | `subdistrict` | handle-by + N working hours (setting) | is not handled            | level 3: notify the sub-district      |
// | `remind`      | every M working hours (setting)       | is not handled            | 督办: remind the accountable people    |
//
// Grid head = `grids.head_id` of the case's grid. Community / sub-district = the active users with
// role leader or dispatcher whose scope root is exactly that community / sub-district (the place
// of that kind on the case's path). A level with nobody passes to the next one up.

const nowIsoOf = (d: Date) => d.toISOString();

/** Every timer kind. */
export const timerKinds = ['accept', 'handle', 'subdistrict', 'remind'] as const;
export type TimerKind = (typeof timerKinds)[number];

/** Changes to a case's timers, applied in the transaction of the change that causes them. */
export type TimerPlan = { cancel: readonly TimerKind[]; add: { kind: TimerKind; dueAt: string }[] };

/** Applies a timer plan. */
export async function timerPlanner(unit: Unit, caseId: string, plan: TimerPlan): Promise<void> {
  const now = unit.clock.now().toISOString();
  await store.cancelTimers(unit.tx, caseId, plan.cancel, now);
  await store.insertTimers(
    unit.tx,
    plan.add.map(
      (t): TimerRow => ({
        id: randomUUID(),
        case_id: caseId,
        kind: t.kind,
        due_at: t.dueAt,
        done_at: null,
        outcome: null,
        created_at: now,
      }),
    ),
  );
}

const levelLabels = ['', '网格长 grid head', '社区 community', '街道 sub-district'];

/** The people to notify at an escalation level (1 grid head, 2 community, 3 sub-district). */
export async function escalationTargets(db: Executor, c: CaseRow, level: number): Promise<string[]> {
  if (level === 1) {
    const grid = c.grid_id ? await findGrid(db, c.grid_id) : undefined;
    return grid?.head_id ? [grid.head_id] : [];
  }
  const kind = level === 2 ? 'community' : 'subdistrict';
  for (const id of c.path.split('/').filter(Boolean)) {
    const place = await findPlace(db, id);
    if (place?.kind !== kind) continue;
    const ids: string[] = [];
    for (const role of ['leader', 'dispatcher']) {
      const { rows } = await listUsers(db, { scopePath: place.path, role, limit: 200, offset: 0 });
      for (const u of rows) if (u.scope_place_id === place.id && u.disabled === 0) ids.push(u.id);
    }
    return ids;
  }
  return [];
}

/** Escalates from `level` upwards until someone is found (or nobody is left to ask). */
async function firstTargets(db: Executor, c: CaseRow, level: number): Promise<{ level: number; to: string[] }> {
  for (let l = level; l <= 3; l++) {
    const to = await escalationTargets(db, c, l);
    if (to.length > 0) return { level: l, to };
  }
  return { level, to: [] };
}

/** What the scheduler needs. */
export type EscalationDeps = { db: Kysely<Database>; clock: Clock; wake: OutboxListener };

/** Fires one due timer in its own transaction; returns what happened. */
async function fireTimer(deps: EscalationDeps, timer: TimerRow): Promise<string> {
  return inTransaction(deps.db, deps.clock, 'system:escalation', async (unit) => {
    const c = await store.findCase(unit.tx, timer.case_id);
    const now = unit.clock.now();
    const stillDue =
      c !== undefined && (timer.kind === 'accept' ? c.state === 'dispatched' : store.unhandledStates.includes(c.state));
    if (!(await store.claimTimer(unit.tx, timer.id, now.toISOString(), stillDue ? 'fired' : 'moot'))) return 'taken';
    if (!stillDue || !c) return 'moot';
    const settings = await caseSettings(unit.tx);
    const calendar = await workingCalendar(unit.tx);
    if (timer.kind === 'remind') {
      await caseChangeRecorder(
        unit,
        deps.wake,
        c,
        { ...c, reminder_count: c.reminder_count + 1 },
        {
          actor: systemActor,
          action: 'remind',
          note: `督办：已超过处置时限 ${c.handle_by}，请尽快处置 (reminder: overdue)`,
          data: { reminder: c.reminder_count + 1 },
        },
      );
      await timerPlanner(unit, c.id, {
        cancel: [],
        add: [{ kind: 'remind', dueAt: calendar.addWorkingHours(now, settings.remindEveryWorkingHours).toISOString() }],
      });
      return 'remind';
    }
    const wanted = timer.kind === 'accept' ? 1 : timer.kind === 'handle' ? 2 : 3;
    const { level, to } = await firstTargets(unit.tx, c, wanted);
    const reason = timer.kind === 'accept' ? 'accept-overdue' : 'handle-overdue';
    const what =
      timer.kind === 'accept'
        ? `超时未签收 (not accepted by ${c.accept_by})`
        : `超期未处置 (not handled by ${c.handle_by})`;
    await caseChangeRecorder(
      unit,
      deps.wake,
      c,
      { ...c, escalation_level: Math.max(c.escalation_level, level) },
      {
        actor: systemActor,
        action: 'escalate',
        note: `${what}，升级至${levelLabels[level]}${to.length === 0 ? '（无人可通知 nobody to notify）' : ''}`,
        data: { level, reason, to },
        notify: to,
      },
    );
    if (timer.kind === 'handle') {
      await timerPlanner(unit, c.id, {
        cancel: ['subdistrict', 'remind'],
        add: [
          {
            kind: 'subdistrict',
            dueAt: calendar
              .addWorkingHours(new Date(c.handle_by ?? nowIsoOf(now)), settings.subdistrictAfterWorkingHours)
              .toISOString(),
          },
          { kind: 'remind', dueAt: calendar.addWorkingHours(now, settings.remindEveryWorkingHours).toISOString() },
        ],
      });
    }
    return `escalate:${level}`;
  });
}

/**
 * The scheduler's timed task: fires every timer due at `now` (each in its own transaction, so one
 * bad case cannot hold up the others). Returns how many fired or were found moot.
 */
export async function escalationRunner(
  deps: EscalationDeps,
  now: Date,
  onError: (err: unknown) => void,
): Promise<number> {
  let handled = 0;
  for (let round = 0; round < 100; round++) {
    const due = await store.dueTimers(deps.db, now.toISOString(), 200);
    if (due.length === 0) break;
    for (const timer of due) {
      try {
        await fireTimer(deps, timer);
        handled += 1;
      } catch (err) {
        onError(err);
        // Leave it for the next run, but do not spin on it in this one.
        return handled;
      }
    }
  }
  return handled;
}
