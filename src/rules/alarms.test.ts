import { describe, expect, it } from 'vitest';
import { type AlarmAction, nextAlarmStatus } from './alarms.ts';
import type { AlarmStatus } from './events.ts';

describe('alarm lifecycle (transition table)', () => {
  it.each([
    ['active', 'repeat', 'active'],
    ['acknowledged', 'repeat', 'acknowledged'],
    ['cleared', 'repeat', null],
    ['active', 'acknowledge', 'acknowledged'],
    ['acknowledged', 'acknowledge', null],
    ['cleared', 'acknowledge', null],
    ['active', 'clear', 'cleared'],
    ['acknowledged', 'clear', 'cleared'],
    ['cleared', 'clear', null],
  ] as [AlarmStatus, AlarmAction, AlarmStatus | null][])('%s + %s → %s', (from, action, to) => {
    expect(nextAlarmStatus(from, action)).toBe(to);
  });
});
