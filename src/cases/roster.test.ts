import { describe, expect, it } from 'vitest';
import { localTime, onDuty, shiftSchema } from './roster.ts';
import type { ShiftRow } from './store.ts';

const shift = (user: string, over: Partial<ShiftRow>): ShiftRow => ({
  id: user,
  user_id: user,
  grid_id: 'g',
  date: null,
  weekdays: null,
  start_time: '08:00',
  end_time: '20:00',
  created_at: '2026-01-01T00:00:00Z',
  ...over,
});

const roster = [
  shift('day', { weekdays: '[1,2,3,4,5]', start_time: '08:00', end_time: '20:00' }),
  shift('night', { weekdays: '[1,2,3,4,5,6,7]', start_time: '20:00', end_time: '08:00' }),
  shift('weekend', { weekdays: '[6,7]', start_time: '09:00', end_time: '17:00' }),
  shift('holiday', { date: '2026-10-01', start_time: '09:00', end_time: '21:00' }),
];

describe('who is on duty (Beijing time, UTC+8)', () => {
  it.each([
    ['Monday 10:00', '2026-11-30T02:00:00Z', ['day']],
    ['Monday 07:59 (Sunday’s night shift)', '2026-11-29T23:59:00Z', ['night']],
    ['Monday 20:00 (day ends, night starts)', '2026-11-30T12:00:00Z', ['night']],
    ['Saturday 10:00', '2026-11-28T02:00:00Z', ['weekend']],
    ['Saturday 18:00', '2026-11-28T10:00:00Z', []],
    ['Saturday 03:00 (Friday’s night shift)', '2026-11-27T19:00:00Z', ['night']],
    ['National Day 10:00: the dated shift replaces the week', '2026-10-01T02:00:00Z', ['holiday']],
    ['National Day 22:00: nobody dated, none weekly', '2026-10-01T14:00:00Z', []],
  ])('%s', (_name, at, expected) => {
    expect(onDuty(roster, new Date(at), 480)).toEqual(expected);
  });

  it('reads local dates, weekdays and minutes', () => {
    expect(localTime(new Date('2026-11-29T16:30:00Z'), 480)).toEqual({ date: '2026-11-30', weekday: 1, minute: 30 });
    expect(localTime(new Date('2026-11-29T15:59:00Z'), 480)).toEqual({ date: '2026-11-29', weekday: 7, minute: 1439 });
  });

  it('validates shifts', () => {
    expect(shiftSchema.safeParse({ userId: 'u', weekdays: [1], start: '08:00', end: '17:00' }).success).toBe(true);
    expect(shiftSchema.safeParse({ userId: 'u', start: '08:00', end: '17:00' }).success).toBe(false);
    expect(shiftSchema.safeParse({ userId: 'u', weekdays: [8], start: '08:00', end: '17:00' }).success).toBe(false);
    expect(shiftSchema.safeParse({ userId: 'u', date: '2026-01-01', start: '08:00', end: '08:00' }).success).toBe(
      false,
    );
    expect(shiftSchema.safeParse({ userId: 'u', date: '2026-01-01', start: '8:00', end: '17:00' }).success).toBe(false);
  });
});
