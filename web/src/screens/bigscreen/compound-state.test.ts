import { describe, expect, it } from 'vitest';
import { type CompoundFacts, closedLoopRule, deviceOfflineRule } from './compound-state.ts';

const facts = (online: number, offline: number, unknown = 0, extra: Partial<CompoundFacts> = {}): CompoundFacts => ({
  devices: online + offline + unknown,
  online,
  offline,
  unknown,
  ...extra,
});

describe('compound state', () => {
  it.each([
    [facts(0, 0), 'unknown'],
    [facts(0, 0, 12), 'unknown'],
    [facts(10, 0, 3), 'normal'],
    [facts(91, 9), 'normal'],
    [facts(9, 1), 'attention'],
    [facts(71, 29), 'attention'],
    [facts(7, 3), 'alert'],
    [facts(0, 4), 'alert'],
  ] as const)('by devices offline: %o → %s', (f, state) => {
    expect(deviceOfflineRule(f)).toBe(state);
  });

  it.each([
    [facts(10, 0, 0, { overdueCases: 1 }), 'alert'],
    [facts(10, 0, 0, { openCases: 2 }), 'attention'],
    [facts(10, 0, 0, { openAlarms: 1 }), 'attention'],
    [facts(6, 4, 0, { openAlarms: 1 }), 'alert'],
    [facts(10, 0, 0, { openAlarms: 0, openCases: 0, overdueCases: 0 }), 'normal'],
    [facts(0, 0), 'unknown'],
  ] as const)('closed loop: %o → %s', (f, state) => {
    expect(closedLoopRule(f)).toBe(state);
  });
});
