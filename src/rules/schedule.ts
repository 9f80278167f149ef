import type { Schedule } from './schema.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const isoDay: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// Readings come in time order mostly: remember the last minute looked up per zone.
const lastMinute = new Map<string, { bucket: number; value: { day: number; minute: number } }>();

/** ISO weekday (1 = Monday) and minute of the day of an instant in a time zone. */
export function localTime(atMs: number, timeZone: string): { day: number; minute: number } {
  const bucket = Math.floor(atMs / 60_000);
  const cached = lastMinute.get(timeZone);
  if (cached?.bucket === bucket) return cached.value;
  let day = 1;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timeZone).formatToParts(atMs)) {
    if (part.type === 'weekday') day = isoDay[part.value] ?? 1;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  const value = { day, minute: hour * 60 + minute };
  lastMinute.set(timeZone, { bucket, value });
  return value;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether a schedule is active at an instant. A window running over midnight (22:00–06:00)
 * belongs to the day it starts: Friday 22:00–06:00 covers Saturday 03:00.
 */
export function scheduleActive(schedule: Schedule, atMs: number): boolean {
  const { day, minute } = localTime(atMs, schedule.timezone);
  const from = minutes(schedule.from);
  const to = minutes(schedule.to);
  const dayOk = (d: number) => !schedule.days || schedule.days.includes(d);
  if (from === to) return dayOk(day);
  if (from < to) return dayOk(day) && minute >= from && minute < to;
  if (minute >= from) return dayOk(day);
  if (minute < to) return dayOk(day === 1 ? 7 : day - 1);
  return false;
}
