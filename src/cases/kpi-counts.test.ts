import { describe, expect, it } from 'vitest';
import { countCases } from './kpi-counts.ts';
import type { KpiCaseRow } from './kpi-store.ts';

const base: KpiCaseRow = {
  source: 'resident',
  state: 'closed',
  created_at: '2026-12-02T01:00:00.000Z',
  registered_at: '2026-12-02T01:05:00.000Z',
  dispatched_at: '2026-12-02T01:10:00.000Z',
  dispatch_accurate: 1,
  received_at: '2026-12-02T01:10:00.000Z',
  accept_by: '2026-12-02T02:10:00.000Z',
  handle_by: '2026-12-02T06:40:00.000Z',
  accepted_at: '2026-12-02T01:30:00.000Z',
  handled_at: '2026-12-02T03:10:00.000Z',
  verified_at: '2026-12-02T04:00:00.000Z',
  closed_at: '2026-12-02T05:00:00.000Z',
  evaluated_at: '2026-12-03T01:00:00.000Z',
  voided_at: null,
  extension_count: 0,
  rework_count: 0,
  satisfaction: 'satisfied',
};

const december = {
  from: new Date('2026-11-30T16:00:00.000Z'),
  to: new Date('2026-12-31T16:00:00.000Z'),
  now: new Date('2027-01-05T00:00:00.000Z'),
};

describe('KPI counts from cases (kpi-counts.ts table)', () => {
  const rows: KpiCaseRow[] = [
    base, // on time in every respect
    { ...base, closed_at: '2026-12-02T09:00:00.000Z', satisfaction: 'unsatisfied' }, // closed late
    {
      ...base,
      state: 'accepted',
      handled_at: null,
      verified_at: null,
      closed_at: null,
      evaluated_at: null,
      satisfaction: null,
    }, // overdue
    {
      ...base,
      source: 'patrol',
      dispatch_accurate: 0,
      rework_count: 1,
      extension_count: 1,
      evaluated_at: null,
      satisfaction: null,
    },
    {
      ...base,
      state: 'voided',
      voided_at: '2026-12-02T01:20:00.000Z',
      handled_at: null,
      closed_at: null,
      evaluated_at: null,
    },
    // Due in January: reported in December, counted as reported and unclosed only.
    {
      ...base,
      state: 'dispatched',
      handle_by: '2027-01-04T06:00:00.000Z',
      handled_at: null,
      closed_at: null,
      evaluated_at: null,
    },
    // Handled after the month ended: not handled "by the end" of December.
    {
      ...base,
      handle_by: '2026-12-31T06:00:00.000Z',
      handled_at: '2027-01-02T01:00:00.000Z',
      closed_at: null,
      evaluated_at: null,
    },
  ];
  const { counts, meanResponseMinutes, meanHandlingMinutes } = countCases(rows, december);

  it.each([
    ['reported', 7],
    ['received', 7],
    ['validReported', 6],
    ['registered', 7],
    ['inspectorReported', 1],
    ['publicReported', 6],
    ['dueDispatch', 7],
    ['dispatchedAccurately', 6],
    ['dueHandling', 5], // not the voided one, not the January one
    ['handled', 3],
    ['handledOnTime', 3],
    ['overdueUnhandled', 2],
    ['extended', 1],
    ['dueClosing', 5],
    ['closed', 3],
    ['closedOnTime', 2],
    ['closedOverdue', 1],
    ['unclosed', 3],
    ['reworked', 1],
    ['evaluated', 2],
    ['satisfied', 1],
  ] as const)('%s = %i', (key, value) => {
    expect(counts[key]).toBe(value);
  });

  it('averages response (received → accepted) and handling (received → handled) in minutes', () => {
    expect(meanResponseMinutes).toBe(20);
    expect(meanHandlingMinutes).toBe(120); // the January handling is outside the month
  });

  it('takes a running month as it stands now', () => {
    const midMonth = { ...december, now: new Date('2026-12-02T04:00:00.000Z') };
    const { counts: c } = countCases([base], midMonth);
    expect([c.handled, c.closed, c.overdueUnhandled]).toEqual([1, 0, 0]);
  });
});
