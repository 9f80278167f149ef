import { describe, expect, it } from 'vitest';
import {
  bundledHolidayYears,
  defaultCalendar as cal,
  createWorkingCalendar,
  type HolidayYear,
  parseHolidayYear,
  resolveFixedOffset,
} from './calendar.ts';

/** A Beijing wall-clock time as a UTC instant: `bj('2026-09-30 16:30')`. */
const bj = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
/** An instant back to Beijing wall-clock time, for readable expectations. */
const fmt = (at: Date): string => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('isWorkingDay (2026 State Council schedule)', () => {
  it.each([
    ['2026-01-01', false, '元旦 (Thursday)'],
    ['2026-01-02', false, '元旦 (Friday)'],
    ['2026-01-04', true, '调休: Sunday worked for 元旦'],
    ['2026-01-05', true, 'ordinary Monday'],
    ['2026-02-14', true, '调休: Saturday before 春节'],
    ['2026-02-15', false, '春节 first day (Sunday)'],
    ['2026-02-17', false, '春节 (Tuesday)'],
    ['2026-02-23', false, '春节 last day (Monday)'],
    ['2026-02-24', true, 'first working day after 春节'],
    ['2026-02-28', true, '调休: Saturday after 春节'],
    ['2026-03-01', false, 'ordinary Sunday'],
    ['2026-05-05', false, '劳动节 last day (Tuesday)'],
    ['2026-05-09', true, '调休: Saturday after 劳动节'],
    ['2026-09-19', false, 'ordinary Saturday'],
    ['2026-09-20', true, '调休: Sunday before 中秋'],
    ['2026-09-25', false, '中秋节 (Friday)'],
    ['2026-09-30', true, 'Wednesday before 国庆'],
    ['2026-10-01', false, '国庆节 first day'],
    ['2026-10-05', false, '国庆节 (Monday)'],
    ['2026-10-07', false, '国庆节 last day'],
    ['2026-10-08', true, 'first working day after 国庆'],
    ['2026-10-10', true, '调休: Saturday after 国庆'],
    ['2026-10-11', false, 'ordinary Sunday'],
  ])('%s → %s (%s)', (day, expected) => {
    expect(cal.isWorkingDay(day)).toBe(expected);
  });

  it('judges an instant by its local (UTC+8) date, not its UTC date', () => {
    const instant = new Date('2026-10-07T16:30:00Z'); // 2026-10-08 00:30 in Beijing
    expect(cal.localDate(instant)).toBe('2026-10-08');
    expect(cal.isWorkingDay(instant)).toBe(true);
    expect(cal.isWorkingDay(new Date('2026-10-08T15:59:59Z'))).toBe(true); // 23:59:59 local
    expect(cal.isWorkingDay(new Date('2026-10-08T16:00:00Z'))).toBe(true); // Oct 9, Friday
    expect(cal.isWorkingDay(new Date('2026-10-10T16:00:00Z'))).toBe(false); // Oct 11, Sunday
  });

  it('falls back to plain weekends for a year without a schedule, and says so', () => {
    expect(cal.hasSchedule(2026)).toBe(true);
    expect(cal.hasSchedule(2027)).toBe(false);
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // a Friday: unknown holiday, treated as working
    expect(cal.isWorkingDay('2027-01-02')).toBe(false);
  });

  it('refuses a malformed local date', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow();
    expect(() => cal.isWorkingDay('2026-10-08T09:00')).toThrow();
  });
});

describe('addWorkingHours', () => {
  it.each([
    ['Monday morning, within one period', '2026-11-30 09:00', 2, '2026-11-30 11:00'],
    ['across the lunch break', '2026-11-30 11:00', 2, '2026-11-30 14:30'],
    ['ends exactly at the end of the morning: stays at 12:00', '2026-11-30 09:00', 3, '2026-11-30 12:00'],
    ['received during lunch starts at 13:30', '2026-11-30 12:30', 1, '2026-11-30 14:30'],
    ['received before opening starts at 09:00', '2026-11-30 07:00', 4, '2026-11-30 14:30'],
    ['fractional hours', '2026-11-30 09:00', 0.25, '2026-11-30 09:15'],
    ['a whole working day is 7.5 hours', '2026-11-30 09:00', 7.5, '2026-11-30 18:00'],
    ['Friday-evening case: 1 h on Friday, 3 h on Monday', '2026-11-27 17:00', 4, '2026-11-30 12:00'],
    ['Friday after hours: all on Monday', '2026-11-27 20:00', 2, '2026-11-30 11:00'],
    ['Saturday: counted from Monday', '2026-11-28 10:00', 4, '2026-11-30 14:30'],
    ['before 国庆: 1.5 h on Sep 30, rest on Oct 8', '2026-09-30 16:30', 4, '2026-10-08 11:30'],
    ['during 国庆: counted from Oct 8', '2026-10-03 10:00', 2, '2026-10-08 11:00'],
    ['into the Saturday make-up day after 国庆', '2026-10-09 17:00', 2, '2026-10-10 10:00'],
    ['春节 eve: Friday into the make-up Saturday', '2026-02-13 17:00', 2, '2026-02-14 10:00'],
    ['over the whole 春节 holiday', '2026-02-14 17:30', 1, '2026-02-24 09:30'],
    ['zero hours outside working time: the next working instant', '2026-11-27 20:00', 0, '2026-11-30 09:00'],
    ['zero hours inside working time: unchanged', '2026-11-30 10:00', 0, '2026-11-30 10:00'],
  ])('%s', (_label, start, hours, expected) => {
    expect(fmt(cal.addWorkingHours(bj(start), hours))).toBe(expected);
  });

  it('refuses negative or non-finite hours and invalid dates', () => {
    expect(() => cal.addWorkingHours(bj('2026-11-30 09:00'), -1)).toThrow(RangeError);
    expect(() => cal.addWorkingHours(bj('2026-11-30 09:00'), Number.NaN)).toThrow(RangeError);
    expect(() => cal.addWorkingHours(new Date(Number.NaN), 1)).toThrow(RangeError);
  });
});

describe('addWorkingDays (deadline = end of working hours of the Nth working day after)', () => {
  it.each([
    ['0 days = end of the same working day', '2026-11-30 10:00', 0, '2026-11-30 18:00'],
    ['0 days on a Saturday = end of Monday', '2026-11-28 10:00', 0, '2026-11-30 18:00'],
    ['1 day from Monday', '2026-11-30 10:00', 1, '2026-12-01 18:00'],
    ['1 day from Monday after hours: still Tuesday', '2026-11-30 23:00', 1, '2026-12-01 18:00'],
    ['1 day from Friday evening = Monday', '2026-11-27 19:00', 1, '2026-11-30 18:00'],
    ['5 days (绿地养护) from a Monday', '2026-11-30 10:00', 5, '2026-12-07 18:00'],
    ['2 days (渣土) across 国庆', '2026-09-30 10:00', 2, '2026-10-09 18:00'],
    ['2 days from Oct 8 reaches the make-up Saturday', '2026-10-08 10:00', 2, '2026-10-10 18:00'],
    ['1 day from Saturday Sep 19 = make-up Sunday Sep 20', '2026-09-19 10:00', 1, '2026-09-20 18:00'],
    ['1 day during 春节 = Feb 24', '2026-02-16 10:00', 1, '2026-02-24 18:00'],
    ['20 days (拆除) across 国庆', '2026-09-21 10:00', 20, '2026-10-26 18:00'],
  ])('%s', (_label, start, days, expected) => {
    expect(fmt(cal.addWorkingDays(bj(start), days))).toBe(expected);
  });

  it('refuses fractional or negative days', () => {
    expect(() => cal.addWorkingDays(bj('2026-11-30 09:00'), 1.5)).toThrow(RangeError);
    expect(() => cal.addWorkingDays(bj('2026-11-30 09:00'), -1)).toThrow(RangeError);
  });
});

describe('endOfWorkingDay', () => {
  it.each([
    ['a working morning', '2026-11-30 08:00', '2026-11-30 18:00'],
    ['after hours on a working day: that day', '2026-11-30 20:00', '2026-11-30 18:00'],
    ['Sunday → Monday', '2026-11-29 10:00', '2026-11-30 18:00'],
    ['国庆 → Oct 8', '2026-10-01 10:00', '2026-10-08 18:00'],
    ['make-up Saturday Oct 10 is a working day', '2026-10-10 10:00', '2026-10-10 18:00'],
  ])('%s', (_label, at, expected) => {
    expect(fmt(cal.endOfWorkingDay(bj(at)))).toBe(expected);
  });
});

describe('sameDayDeadline (事不隔夜, cut-off 16:00)', () => {
  it.each([
    ['before the cut-off: same day', '2026-11-30 15:59', '2026-11-30 18:00'],
    ['before opening: same day', '2026-11-30 07:30', '2026-11-30 18:00'],
    ['at the cut-off exactly: next working day', '2026-11-30 16:00', '2026-12-01 18:00'],
    ['Friday evening → Monday', '2026-11-27 17:00', '2026-11-30 18:00'],
    ['Saturday morning → Monday', '2026-11-28 09:30', '2026-11-30 18:00'],
    ['Wednesday before 国庆, after the cut-off → Oct 8', '2026-09-30 17:00', '2026-10-08 18:00'],
    ['during 国庆 → Oct 8', '2026-10-04 11:00', '2026-10-08 18:00'],
    ['Saturday Sep 19 → make-up Sunday Sep 20', '2026-09-19 11:00', '2026-09-20 18:00'],
    ['make-up Saturday Oct 10 before the cut-off → same day', '2026-10-10 10:00', '2026-10-10 18:00'],
    ['make-up Saturday Oct 10 after the cut-off → Monday Oct 12', '2026-10-10 16:30', '2026-10-12 18:00'],
    ['春节 make-up Saturday Feb 14 after the cut-off → Feb 24', '2026-02-14 16:30', '2026-02-24 18:00'],
  ])('%s', (_label, at, expected) => {
    expect(fmt(cal.sameDayDeadline(bj(at)))).toBe(expected);
  });
});

describe('workingHoursBetween', () => {
  it.each([
    ['within a morning', '2026-11-30 09:00', '2026-11-30 11:30', 2.5],
    ['over lunch', '2026-11-30 11:00', '2026-11-30 14:00', 1.5],
    ['over a weekend', '2026-11-27 17:00', '2026-11-30 10:00', 2],
    ['over 国庆', '2026-09-30 17:00', '2026-10-08 09:30', 1.5],
    ['reversed: negative', '2026-11-30 11:30', '2026-11-30 09:00', -2.5],
  ])('%s', (_label, from, to, expected) => {
    expect(cal.workingHoursBetween(bj(from), bj(to))).toBeCloseTo(expected, 9);
  });
});

describe('configuration', () => {
  it('accepts other working hours and cut-off', () => {
    const c = createWorkingCalendar({ workingHours: [{ start: '08:30', end: '17:30' }], cutOff: '15:00' });
    expect(fmt(c.addWorkingHours(bj('2026-11-27 17:00'), 1))).toBe('2026-11-30 09:00');
    expect(fmt(c.sameDayDeadline(bj('2026-11-30 15:30')))).toBe('2026-12-01 17:30');
    expect(fmt(c.sameDayDeadline(bj('2026-11-30 14:59')))).toBe('2026-11-30 17:30');
  });

  it.each([
    [
      'overlapping periods',
      {
        workingHours: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '18:00' },
        ],
      },
    ],
    ['an empty period', { workingHours: [{ start: '09:00', end: '09:00' }] }],
    ['a malformed time', { workingHours: [{ start: '9:00', end: '18:00' }] }],
    ['a cut-off after closing', { cutOff: '19:00' }],
    ['a zone with daylight saving time', { timeZone: 'Europe/Berlin' }],
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }],
  ])('refuses %s', (_label, options) => {
    expect(() => createWorkingCalendar(options)).toThrow();
  });

  it.each([
    ['Asia/Shanghai', 480],
    ['+08:00', 480],
    ['UTC+0800', 480],
    ['Asia/Kolkata', 330],
    ['-03:30', -210],
    ['UTC', 0],
  ])('resolves %s to a fixed offset of %i minutes', (zone, minutes) => {
    expect(resolveFixedOffset(zone)).toBe(minutes);
  });

  it('works in another fixed-offset zone', () => {
    const utc = createWorkingCalendar({ timeZone: 'UTC' });
    expect(utc.addWorkingHours(new Date('2026-11-30T17:00:00Z'), 2).toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });
});

describe('holiday files', () => {
  const year2027: HolidayYear = {
    year: 2027,
    holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
    makeUpWorkdays: ['2027-01-09'],
  };

  it('loads the bundled 2026 schedule', () => {
    expect(bundledHolidayYears.map((y) => y.year)).toEqual([2026]);
    expect(bundledHolidayYears[0]?.holidays).toHaveLength(7);
  });

  it('combines several years, so deadlines cross New Year correctly', () => {
    const c = createWorkingCalendar({ years: [...bundledHolidayYears, year2027] });
    expect(c.hasSchedule(2027)).toBe(true);
    expect(c.isWorkingDay('2027-01-01')).toBe(false);
    expect(c.isWorkingDay('2027-01-09')).toBe(true);
    expect(fmt(c.addWorkingDays(bj('2026-12-31 10:00'), 1))).toBe('2027-01-04 18:00');
  });

  it('refuses conflicting or duplicated years', () => {
    const conflicting = { year: 2027, holidays: [], makeUpWorkdays: ['2026-10-03'] };
    expect(() => createWorkingCalendar({ years: [...bundledHolidayYears, conflicting] })).toThrow(/2026-10-03/);
    expect(() => createWorkingCalendar({ years: [...bundledHolidayYears, ...bundledHolidayYears] })).toThrow(/twice/);
  });

  it.each([
    [
      'a range ending before it starts',
      { year: 2026, holidays: [{ name: 'x', from: '2026-05-05', to: '2026-05-01' }], makeUpWorkdays: [] },
    ],
    ['an impossible date', { year: 2026, holidays: [], makeUpWorkdays: ['2026-02-30'] }],
    [
      'a make-up day inside a holiday',
      { year: 2026, holidays: [{ name: 'x', from: '2026-10-01', to: '2026-10-07' }], makeUpWorkdays: ['2026-10-03'] },
    ],
    ['a missing field', { year: 2026, holidays: [] }],
  ])('refuses a file with %s', (_label, json) => {
    expect(() => parseHolidayYear(json)).toThrow();
  });
});
