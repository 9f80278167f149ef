import { describe, expect, it } from 'vitest';
import { localTime, scheduleActive } from './schedule.ts';
import { scheduleSchema } from './schema.ts';

// 2026-11-27 is a Friday. Beijing time is UTC+8 all year.
const beijing = (local: string) => Date.parse(`${local}+08:00`);

describe('rule schedules', () => {
  it('reads the weekday and minute in the schedule’s time zone', () => {
    expect(localTime(beijing('2026-11-27T07:30:00'), 'Asia/Shanghai')).toEqual({ day: 5, minute: 450 });
    // The same instant is still Thursday evening in New York.
    expect(localTime(beijing('2026-11-27T07:30:00'), 'America/New_York').day).toBe(4);
  });

  it.each([
    ['office hours, weekdays', { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }, '2026-11-27T08:30:00', true],
    ['office hours end exclusive', { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }, '2026-11-27T17:30:00', false],
    [
      'office hours, not on Saturday',
      { days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' },
      '2026-11-28T10:00:00',
      false,
    ],
    ['a night window, late evening', { from: '22:00', to: '06:00' }, '2026-11-27T23:10:00', true],
    ['a night window, early morning', { from: '22:00', to: '06:00' }, '2026-11-28T05:59:00', true],
    ['a night window, daytime', { from: '22:00', to: '06:00' }, '2026-11-28T12:00:00', false],
    ['Friday night runs into Saturday morning', { days: [5], from: '22:00', to: '06:00' }, '2026-11-28T03:00:00', true],
    ['Thursday night does not', { days: [4], from: '22:00', to: '06:00' }, '2026-11-28T03:00:00', false],
    ['the whole day by default', {}, '2026-11-29T00:00:00', true],
    ['weekends only', { days: [6, 7] }, '2026-11-29T12:00:00', true],
  ])('%s', (_name, schedule, local, expected) => {
    expect(scheduleActive(scheduleSchema.parse({ timezone: 'Asia/Shanghai', ...schedule }), beijing(local))).toBe(
      expected,
    );
  });

  it('refuses an unknown time zone and a malformed time', () => {
    expect(scheduleSchema.safeParse({ timezone: 'Mars/Olympus' }).success).toBe(false);
    expect(scheduleSchema.safeParse({ from: '8:30' }).success).toBe(false);
  });
});
