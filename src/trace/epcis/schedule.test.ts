import { describe, expect, it } from 'vitest';
import { fieldValues, scheduleFiredBetween, scheduleProblem } from './schedule.ts';

const at = (iso: string) => new Date(iso);

describe('query schedules (EPCIS 2.0 §8.2.5.3)', () => {
  it.each([
    ['5', 0, 59, [5]],
    ['1,3', 0, 59, [1, 3]],
    ['[2-4]', 0, 59, [2, 3, 4]],
    ['0/20', 0, 59, [0, 20, 40]],
    ['*', 1, 7, [1, 2, 3, 4, 5, 6, 7]],
  ] as const)('reads %s', (spec, min, max, values) => {
    expect([...(fieldValues(spec, min, max) ?? [])]).toEqual(values);
  });

  it.each([['60'], ['[5-2]'], ['x'], ['1,,2']])('refuses %s', (spec) => {
    expect(fieldValues(spec, 0, 59)).toBeUndefined();
  });

  it('explains what is wrong with a schedule', () => {
    expect(scheduleProblem({})).toMatch(/at least one/);
    expect(scheduleProblem({ hour: '24' })).toMatch(/^hour/);
    expect(scheduleProblem({ dayOfWeek: '[1-5]', hour: '9' })).toBeUndefined();
  });

  it('fires at 01:05:00 daily for { hour: 1, minute: 5 } (finer fields default to their first value)', () => {
    const s = { hour: '1', minute: '5' };
    expect(scheduleFiredBetween(s, at('2026-11-26T01:04:00Z'), at('2026-11-26T01:05:00Z'))).toBe(true);
    expect(scheduleFiredBetween(s, at('2026-11-26T01:05:00Z'), at('2026-11-26T01:06:30Z'))).toBe(false);
    expect(scheduleFiredBetween(s, at('2026-11-26T01:06:00Z'), at('2026-11-27T01:04:59Z'))).toBe(false);
    expect(scheduleFiredBetween(s, at('2026-11-26T01:06:00Z'), at('2026-11-27T01:05:00Z'))).toBe(true);
  });

  it('matches days of the week (1 = Monday) and seconds', () => {
    // 2026-11-30 is a Monday.
    expect(
      scheduleFiredBetween({ dayOfWeek: '1', hour: '8' }, at('2026-11-29T00:00:00Z'), at('2026-11-29T23:59:59Z')),
    ).toBe(false);
    expect(
      scheduleFiredBetween({ dayOfWeek: '1', hour: '8' }, at('2026-11-30T07:59:59Z'), at('2026-11-30T08:00:00Z')),
    ).toBe(true);
    expect(scheduleFiredBetween({ second: '0/30' }, at('2026-11-30T08:00:01Z'), at('2026-11-30T08:00:29Z'))).toBe(
      false,
    );
    expect(scheduleFiredBetween({ second: '0/30' }, at('2026-11-30T08:00:01Z'), at('2026-11-30T08:00:30Z'))).toBe(true);
  });
});
