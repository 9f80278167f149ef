import { describe, expect, it } from 'vitest';
import { caseStates } from '../cases/workflow.ts';
import { extendedStatusOf, statesWithStatus, statusOf, voidKindOf } from './statuses.ts';

describe('our workflow as Open311 statuses', () => {
  it.each([
    ['reported', 'open', 'OPEN'],
    ['registered', 'open', 'INVESTIGATING'],
    ['dispatched', 'open', 'ACTION_SCHEDULED'],
    ['accepted', 'open', 'IN_PROGRESS'],
    ['handled', 'open', 'IN_PROGRESS'],
    ['returned', 'open', 'INTERNAL_REFERRAL'],
    ['verified', 'closed', 'FIXED'],
    ['closed', 'closed', 'FIXED'],
    ['evaluated', 'closed', 'FIXED'],
    ['voided', 'closed', 'NO_FURTHER_ACTION'],
  ] as const)('%s → %s / %s', (state, status, extended) => {
    expect(statusOf(state)).toBe(status);
    expect(extendedStatusOf(state)).toBe(extended);
  });

  it('covers every state exactly once between open and closed', () => {
    const open = statesWithStatus('open');
    const closed = statesWithStatus('closed');
    expect([...open, ...closed].sort()).toEqual([...caseStates].sort());
    expect(closed).toEqual(['verified', 'closed', 'evaluated', 'voided']);
  });

  it.each([
    ['重复上报，同 2026112600003', 'duplicate'],
    ['Duplicate of 2026112600003', 'duplicate'],
    ['不属于本区管辖', 'not-ours'],
    ['属于物业职责，已告知物业', 'not-ours'],
    ['not our responsibility', 'not-ours'],
    ['现场未发现问题', 'no-action'],
    [null, 'no-action'],
  ] as const)('a void because %j reads as %s', (reason, kind) => {
    expect(voidKindOf(reason)).toBe(kind);
  });

  it('says why a voided case closed', () => {
    expect(extendedStatusOf('voided', 'duplicate')).toBe('DUPLICATE');
    expect(extendedStatusOf('voided', 'not-ours')).toBe('NOT_COUNCILS_RESPONSIBILITY');
    expect(extendedStatusOf('voided', 'no-action')).toBe('NO_FURTHER_ACTION');
    expect(extendedStatusOf('closed', 'duplicate')).toBe('FIXED');
  });
});
