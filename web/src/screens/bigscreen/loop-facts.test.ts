import { describe, expect, it } from 'vitest';
import { closedLoopRule } from './compound-state.ts';
import { loopFactsByCompound } from './loop-facts.ts';

const compoundOf = (placeId: string) =>
  ({ k1: 'k1', 'k1-b1': 'k1', k2: 'k2', road: null })[placeId as 'k1' | 'k1-b1' | 'k2' | 'road'] ?? null;

describe('loopFactsByCompound', () => {
  it('rolls cases and alarms of buildings up to their compound and drops places outside compounds', () => {
    const m = loopFactsByCompound(
      {
        cases: [
          { placeId: 'k1', open: 2, overdue: 1 },
          { placeId: 'k1-b1', open: 3, overdue: 0 },
          { placeId: 'road', open: 5, overdue: 5 },
        ],
        alarmPlaceIds: ['k1-b1', 'k2', 'k2', 'road'],
      },
      compoundOf,
    );
    expect(m.get('k1')).toEqual({ openAlarms: 1, openCases: 5, overdueCases: 1 });
    expect(m.get('k2')).toEqual({ openAlarms: 2, openCases: 0, overdueCases: 0 });
    expect([...m.keys()].sort()).toEqual(['k1', 'k2']);
  });

  it('feeds the closed-loop rule: overdue is an alert, open alarms only attention', () => {
    const m = loopFactsByCompound(
      { cases: [{ placeId: 'k1', open: 1, overdue: 1 }], alarmPlaceIds: ['k2'] },
      compoundOf,
    );
    const devices = { devices: 2, online: 2, offline: 0, unknown: 0 };
    expect(closedLoopRule({ ...devices, ...m.get('k1') })).toBe('alert');
    expect(closedLoopRule({ ...devices, ...m.get('k2') })).toBe('attention');
  });
});
