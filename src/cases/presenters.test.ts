import { describe, expect, it } from 'vitest';
import { defaultCalendar } from './calendar.ts';
import { slaOf } from './presenters.ts';

// Dispatched Thursday 2026-11-26 09:00 Beijing; exposed garbage: accept in 1, handle in 4 working hours.
const dispatched = {
  state: 'dispatched',
  category: 'exposed_garbage',
  received_at: '2026-11-26T01:00:00.000Z',
  accept_by: '2026-11-26T02:00:00.000Z',
  handle_by: '2026-11-26T06:30:00.000Z',
  handled_at: null,
};
const accepted = { ...dispatched, state: 'accepted' };

describe('the SLA light', () => {
  it.each([
    ['just dispatched', dispatched, '2026-11-26T01:00:00Z', 'green', false],
    ['not accepted in time', dispatched, '2026-11-26T02:01:00Z', 'red', false],
    ['accepted, half the time left', accepted, '2026-11-26T03:00:00Z', 'green', false],
    ['accepted, lunch break does not count (still 2.5 h of 4)', accepted, '2026-11-26T05:00:00Z', 'green', false],
    ['accepted, 50 of 240 working minutes left', accepted, '2026-11-26T05:40:00Z', 'yellow', false],
    ['accepted, overdue', accepted, '2026-11-26T06:31:00Z', 'red', true],
  ] as const)('%s', (_name, row, now, light, overdue) => {
    expect(slaOf(row, new Date(now), defaultCalendar)).toMatchObject({ light, overdue });
  });

  it('counts round-the-clock categories in wall time', () => {
    // Fire: handle within 60 minutes, whatever the hour.
    const fire = {
      ...accepted,
      category: 'fire_smoke',
      received_at: '2026-11-26T15:00:00Z',
      handle_by: '2026-11-26T16:00:00Z',
    };
    expect(slaOf(fire, new Date('2026-11-26T15:40:00Z'), defaultCalendar).light).toBe('green');
    expect(slaOf(fire, new Date('2026-11-26T15:50:00Z'), defaultCalendar).light).toBe('yellow');
  });

  it('has no light before dispatch or after handling, but remembers lateness', () => {
    expect(
      slaOf({ ...dispatched, state: 'registered', handle_by: null }, new Date(), defaultCalendar).light,
    ).toBeNull();
    const late = { ...dispatched, state: 'closed', handled_at: '2026-11-26T07:00:00Z' };
    expect(slaOf(late, new Date('2026-11-27T00:00:00Z'), defaultCalendar)).toEqual({
      light: null,
      overdue: true,
      remainingMinutes: null,
    });
  });
});
