import { z } from 'zod';
import cnHolidays2026 from './data/cn-holidays-2026.json' with { type: 'json' };

// A working calendar (工作日历) for time limits: weekends and public holidays off, make-up working
// days (调休) on, working hours inside each working day, in one fixed-offset time zone.
// Every instant is a UTC `Date`; "local" means wall-clock time in the calendar's zone.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How far any search for a working day may go before the calendar is declared broken. */
const MAX_SCAN_DAYS = 3 * 366;

const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((s) => dayKey(dayFromKey(s)) === s, 'not a real calendar date');

const timeOfDaySchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');

/**
 * One year's official holiday schedule, in the format of `data/cn-holidays-2026.json` (the State
 * Council's yearly notice): holiday ranges (inclusive, local dates) and make-up working days.
 */
export const holidayYearSchema = z
  .object({
    source: z.string().optional(),
    year: z.number().int().min(1970).max(2200),
    holidays: z.array(
      z
        .object({ name: z.string().min(1), from: localDateSchema, to: localDateSchema })
        .refine((h) => h.from <= h.to, { message: '`from` is after `to`', path: ['to'] }),
    ),
    makeUpWorkdays: z.array(localDateSchema),
  })
  .superRefine((year, ctx) => {
    const off = holidayDates(year);
    year.makeUpWorkdays.forEach((day, i) => {
      if (off.has(day))
        ctx.addIssue({ code: 'custom', message: `${day} is also a holiday`, path: ['makeUpWorkdays', i] });
    });
  });

/** A validated holiday year. */
export type HolidayYear = z.infer<typeof holidayYearSchema>;

/** Validates an imported holiday file (e.g. uploaded by an admin for next year); throws a ZodError. */
export function parseHolidayYear(json: unknown): HolidayYear {
  return holidayYearSchema.parse(json);
}

/** The schedules shipped with the app (2026). Admins import further years. */
export const bundledHolidayYears: readonly HolidayYear[] = [parseHolidayYear(cnHolidays2026)];

/** Settings of a working calendar; every field has the district default. */
export const calendarOptionsSchema = z
  .object({
    /** Official schedules; dates outside them fall back to plain weekends (see `hasSchedule`). */
    years: z.array(holidayYearSchema).default(() => [...bundledHolidayYears]),
    /** Working periods of a working day, local time, in order; default 09:00–12:00, 13:30–18:00. */
    workingHours: z
      .array(z.object({ start: timeOfDaySchema, end: timeOfDaySchema }))
      .min(1)
      .default([
        { start: '09:00', end: '12:00' },
        { start: '13:30', end: '18:00' },
      ]),
    /** IANA zone without daylight saving time, or a fixed offset such as `+08:00`. */
    timeZone: z.string().default('Asia/Shanghai'),
    /** 事不隔夜 cut-off, local time: cases received before it are due the same working day. */
    cutOff: timeOfDaySchema.default('16:00'),
  })
  .superRefine((o, ctx) => {
    let previousEnd = 0;
    o.workingHours.forEach((p, i) => {
      const [start, end] = [minutesOf(p.start), minutesOf(p.end)];
      if (start < previousEnd || end <= start) {
        ctx.addIssue({ code: 'custom', message: 'periods must be ordered and not overlap', path: ['workingHours', i] });
      }
      previousEnd = end;
    });
    if (minutesOf(o.cutOff) > previousEnd) {
      ctx.addIssue({ code: 'custom', message: 'cut-off is after the end of working hours', path: ['cutOff'] });
    }
  });

/** Input accepted by `createWorkingCalendar`. */
export type CalendarOptions = z.input<typeof calendarOptionsSchema>;

/** A working calendar; all methods are pure functions of their arguments. */
export interface WorkingCalendar {
  /** The zone name or offset the calendar was built with. */
  readonly timeZone: string;
  /** The zone's fixed offset from UTC, in minutes (480 for China). */
  readonly offsetMinutes: number;
  /** Whether an official schedule was loaded for `year`; without one only weekends are off. */
  hasSchedule(year: number): boolean;
  /** The local date (YYYY-MM-DD) of an instant. */
  localDate(at: Date): string;
  /** Whether the local day of `at` (an instant, or a local date YYYY-MM-DD) is a working day. */
  isWorkingDay(at: Date | string): boolean;
  /** The end of working hours on the local day of `at`, or on the next working day if that day is off. */
  endOfWorkingDay(at: Date): Date;
  /**
   * `hours` (≥ 0, fractional allowed) of working time after `start`; time outside working periods
   * does not count. A result that falls exactly on the end of a period stays there (12:00, not 13:30).
   */
  addWorkingHours(start: Date, hours: number): Date;
  /**
   * The end of working hours of the `days`-th working day after the local day of `start` (the start
   * day itself never counts); `days = 0` is `endOfWorkingDay(start)`.
   */
  addWorkingDays(start: Date, days: number): Date;
  /**
   * 事不隔夜: received on a working day before the cut-off → end of that working day; otherwise
   * (at or after the cut-off, or on a day off) → end of the next working day.
   */
  sameDayDeadline(receivedAt: Date): Date;
  /** Working hours elapsed between two instants (negative if `to` is before `from`). */
  workingHoursBetween(from: Date, to: Date): number;
}

/**
 * Builds a working calendar. Throws on invalid options, on conflicting schedules (a date off in
 * one year's file and on in another's, or one year loaded twice) and on zones with DST.
 */
export function createWorkingCalendar(options: CalendarOptions = {}): WorkingCalendar {
  const o = calendarOptionsSchema.parse(options);
  const offsetMinutes = resolveFixedOffset(o.timeZone);
  const offset = offsetMinutes * MINUTE;
  const periods = o.workingHours.map((p) => ({ start: minutesOf(p.start) * MINUTE, end: minutesOf(p.end) * MINUTE }));
  const lastEnd = periods[periods.length - 1]!.end;
  const cutOff = minutesOf(o.cutOff) * MINUTE;

  const years = new Set<number>();
  const off = new Set<string>();
  const on = new Set<string>();
  for (const year of o.years) {
    if (years.has(year.year)) throw new RangeError(`holiday year ${year.year} loaded twice`);
    years.add(year.year);
    for (const day of holidayDates(year)) off.add(day);
    for (const day of year.makeUpWorkdays) on.add(day);
  }
  for (const day of on) if (off.has(day)) throw new RangeError(`${day} is both a holiday and a make-up working day`);

  const dayOf = (at: Date): number => Math.floor((at.getTime() + offset) / DAY);
  const isWorking = (day: number): boolean => {
    const key = dayKey(day);
    if (on.has(key)) return true;
    if (off.has(key)) return false;
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    return weekday !== 0 && weekday !== 6;
  };
  const nextWorkingDay = (day: number, includeSelf: boolean): number => {
    for (let d = includeSelf ? day : day + 1, i = 0; i <= MAX_SCAN_DAYS; d++, i++) if (isWorking(d)) return d;
    throw new RangeError(`no working day within ${MAX_SCAN_DAYS} days of ${dayKey(day)}`);
  };
  const instant = (day: number, msOfDay: number): number => day * DAY + msOfDay - offset;
  const endOf = (day: number): Date => new Date(instant(day, lastEnd));
  const requireInstant = (at: Date, name: string): number => {
    const t = at.getTime();
    if (!Number.isFinite(t)) throw new RangeError(`${name} is an invalid date`);
    return t;
  };

  const workingMsBetween = (from: number, to: number): number => {
    let total = 0;
    for (let d = Math.floor((from + offset) / DAY); instant(d, 0) < to; d++) {
      if (!isWorking(d)) continue;
      for (const p of periods) {
        const s = Math.max(from, instant(d, p.start));
        const e = Math.min(to, instant(d, p.end));
        if (e > s) total += e - s;
      }
    }
    return total;
  };

  return {
    timeZone: o.timeZone,
    offsetMinutes,
    hasSchedule: (year) => years.has(year),
    localDate: (at) => dayKey(dayOf(at)),
    isWorkingDay: (at) => isWorking(typeof at === 'string' ? dayFromKey(localDateSchema.parse(at)) : dayOf(at)),
    endOfWorkingDay: (at) => endOf(nextWorkingDay(dayOf(at), true)),
    addWorkingHours(start, hours) {
      const t = requireInstant(start, 'start');
      if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be ≥ 0, got ${hours}`);
      let remaining = Math.round(hours * HOUR);
      for (let d = nextWorkingDay(dayOf(start), true); ; d = nextWorkingDay(d, false)) {
        for (const p of periods) {
          const end = instant(d, p.end);
          if (end <= t) continue;
          const from = Math.max(t, instant(d, p.start));
          if (remaining <= end - from) return new Date(from + remaining);
          remaining -= end - from;
        }
      }
    },
    addWorkingDays(start, days) {
      requireInstant(start, 'start');
      if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be an integer ≥ 0, got ${days}`);
      let d = nextWorkingDay(dayOf(start), days === 0);
      for (let i = 1; i < days; i++) d = nextWorkingDay(d, false);
      return endOf(d);
    },
    sameDayDeadline(receivedAt) {
      const t = requireInstant(receivedAt, 'receivedAt');
      const day = dayOf(receivedAt);
      const msOfDay = t + offset - day * DAY;
      return isWorking(day) && msOfDay < cutOff ? endOf(day) : endOf(nextWorkingDay(day, false));
    },
    workingHoursBetween(from, to) {
      const [a, b] = [requireInstant(from, 'from'), requireInstant(to, 'to')];
      return (a <= b ? workingMsBetween(a, b) : -workingMsBetween(b, a)) / HOUR;
    },
  };
}

/** The calendar with all defaults: bundled schedules, 09:00–12:00 + 13:30–18:00, Asia/Shanghai, cut-off 16:00. */
export const defaultCalendar: WorkingCalendar = createWorkingCalendar();

/**
 * The fixed UTC offset, in minutes, of `+08:00`-style offsets, `UTC`, or an IANA zone name.
 * Limitation: without a time-zone library only zones with one offset all year are supported; an
 * IANA name is checked through `Intl` in January and July of 2000–2040 and refused if the offset
 * differs (DST, or a change of standard time). Asia/Shanghai (no DST since 1991) passes.
 */
export function resolveFixedOffset(timeZone: string): number {
  const fixed = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/.exec(timeZone);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    if (minutes > 14 * 60) throw new RangeError(`offset out of range: ${timeZone}`);
    return fixed[1] === '-' ? -minutes : minutes;
  }
  if (timeZone === 'UTC' || timeZone === 'Z') return 0;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  } catch {
    throw new RangeError(`unknown time zone: ${timeZone}`);
  }
  const offsets = new Set<number>();
  for (let year = 2000; year <= 2040; year++) {
    for (const month of [0, 6]) {
      const name = format.formatToParts(new Date(Date.UTC(year, month, 15))).find((p) => p.type === 'timeZoneName');
      const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name?.value ?? '');
      if (!m) throw new RangeError(`cannot read the offset of ${timeZone}`);
      const minutes = m[1] ? Number(m[2]) * 60 + Number(m[3]) : 0;
      offsets.add(m[1] === '-' ? -minutes : minutes);
    }
  }
  if (offsets.size !== 1)
    throw new RangeError(`${timeZone} changes its UTC offset; only fixed-offset zones are supported`);
  return [...offsets][0]!;
}

function holidayDates(year: Pick<HolidayYear, 'holidays'>): Set<string> {
  const days = new Set<string>();
  for (const h of year.holidays) for (let d = dayFromKey(h.from); d <= dayFromKey(h.to); d++) days.add(dayKey(d));
  return days;
}

/** Days since 1970-01-01 → YYYY-MM-DD. */
function dayKey(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** YYYY-MM-DD → days since 1970-01-01. */
function dayFromKey(key: string): number {
  const [y, m, d] = key.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d!) / DAY;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}
