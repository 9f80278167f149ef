import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../kernel/audit/audit.ts';
import { findUsersByIds } from '../kernel/auth/store.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { badRequest } from '../kernel/problems.ts';
import type { ShiftRow } from './store.ts';
import * as store from './store.ts';

// Duty rosters (值班表): who is on duty for a grid when. A shift is dated (one local date) or
// weekly (ISO weekdays); times are local wall-clock times of the working calendar's zone; a shift
// whose end is before its start runs past midnight. On a date that has dated shifts for a grid,
// those replace the weekly pattern for that grid (holiday rosters).

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');

/** One shift as clients send and see it. */
export const shiftSchema = z
  .object({
    userId: z.string().min(1),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
      .optional(),
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional().describe('ISO weekdays, 1 = Monday'),
    start: hhmm,
    end: hhmm,
  })
  .refine((s) => (s.date === undefined) !== (s.weekdays === undefined), {
    message: 'give either date or weekdays',
    path: ['date'],
  })
  .refine((s) => s.start !== s.end, { message: 'a shift cannot be empty', path: ['end'] });
export type Shift = z.infer<typeof shiftSchema>;

/** `PUT /api/rosters`: the whole roster of one grid. */
export const rosterInput = z.object({ gridId: z.string().min(1), shifts: z.array(shiftSchema).max(500) });
export type RosterInput = z.infer<typeof rosterInput>;

/** A grid's roster as clients see it. */
export const rosterView = z.object({
  gridId: z.string(),
  shifts: z.array(
    z.object({
      id: z.string(),
      userId: z.string(),
      date: z.string().optional(),
      weekdays: z.array(z.number().int()).optional(),
      start: z.string(),
      end: z.string(),
    }),
  ),
  onDutyNow: z.array(z.string()).describe('user ids on duty at the time of the request'),
});

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** The local date, ISO weekday (1 = Monday) and minute of day of an instant. */
export function localTime(at: Date, offsetMinutes: number): { date: string; weekday: number; minute: number } {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const day = local.getUTCDay();
  return {
    date: local.toISOString().slice(0, 10),
    weekday: day === 0 ? 7 : day,
    minute: local.getUTCHours() * 60 + local.getUTCMinutes(),
  };
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** Whether a shift covers the local time `t` (its own day, or its after-midnight tail). */
function covers(s: Pick<ShiftRow, 'date' | 'weekdays' | 'start_time' | 'end_time'>, t: ReturnType<typeof localTime>) {
  const start = minutes(s.start_time);
  const end = minutes(s.end_time);
  const days: number[] = s.weekdays ? JSON.parse(s.weekdays) : [];
  const onDay = s.date !== null ? s.date === t.date : days.includes(t.weekday);
  const onDayBefore =
    s.date !== null ? s.date === previousDate(t.date) : days.includes(t.weekday === 1 ? 7 : t.weekday - 1);
  if (start < end) return onDay && t.minute >= start && t.minute < end;
  return (onDay && t.minute >= start) || (onDayBefore && t.minute < end);
}

/**
 * Who is on duty at `at` among a grid's shifts: dated shifts of the day (or reaching into it)
 * replace the weekly pattern; otherwise the weekly shifts that cover the time. Ordered as given.
 */
export function onDuty(shifts: readonly ShiftRow[], at: Date, offsetMinutes: number): string[] {
  const t = localTime(at, offsetMinutes);
  const dated = shifts.filter((s) => s.date !== null && (s.date === t.date || s.date === previousDate(t.date)));
  const pool = dated.some((s) => s.date === t.date) ? dated : shifts;
  return [...new Set(pool.filter((s) => covers(s, t)).map((s) => s.user_id))];
}

/** Shift rows as clients see them. */
export function presentShift(s: ShiftRow) {
  return {
    id: s.id,
    userId: s.user_id,
    ...(s.date !== null ? { date: s.date } : {}),
    ...(s.weekdays !== null ? { weekdays: JSON.parse(s.weekdays) as number[] } : {}),
    start: s.start_time,
    end: s.end_time,
  };
}

/** Replaces a grid's roster (audited). Everyone on it must be an active worker or handler. */
export async function rosterReplacer(unit: Unit, input: RosterInput): Promise<ShiftRow[]> {
  const ids = [...new Set(input.shifts.map((s) => s.userId))];
  const users = new Map((await findUsersByIds(unit.tx, ids)).map((u) => [u.id, u]));
  input.shifts.forEach((s, i) => {
    const u = users.get(s.userId);
    if (!u || u.disabled || !['worker', 'handler'].includes(u.role))
      throw badRequest(`user ${s.userId} is not an active grid worker or handler`, [
        { pointer: `/shifts/${i}/userId`, detail: 'not a worker or handler' },
      ]);
  });
  const before = await store.shiftsOfGrids(unit.tx, [input.gridId]);
  const now = unit.clock.now().toISOString();
  const rows: ShiftRow[] = input.shifts.map((s) => ({
    id: randomUUID(),
    user_id: s.userId,
    grid_id: input.gridId,
    date: s.date ?? null,
    weekdays: s.weekdays ? JSON.stringify([...new Set(s.weekdays)].sort()) : null,
    start_time: s.start,
    end_time: s.end,
    created_at: now,
  }));
  await store.replaceShifts(unit.tx, input.gridId, rows);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'roster.replace',
    subjectType: 'grid',
    subjectId: input.gridId,
    before: before.map(presentShift),
    after: rows.map(presentShift),
  });
  return rows;
}

/** The rosters of some grids, with who is on duty now. */
export async function rostersOf(db: Executor, gridIds: string[], now: Date, offsetMinutes: number) {
  const shifts = await store.shiftsOfGrids(db, gridIds);
  return gridIds.map((gridId) => {
    const mine = shifts.filter((s) => s.grid_id === gridId);
    return { gridId, shifts: mine.map(presentShift), onDutyNow: onDuty(mine, now, offsetMinutes) };
  });
}
