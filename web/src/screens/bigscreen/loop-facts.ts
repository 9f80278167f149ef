import type { CompoundFacts } from './compound-state.ts';

/**
 * The closed loop's counts as the APIs give them, per place: open and overdue cases from
 * `GET /api/cases/stats/by-place`, open alarms from `GET /api/alarms?status=open` (their place ids).
 */
export type LoopCounts = {
  cases: { placeId: string; open: number; overdue: number }[];
  alarmPlaceIds: string[];
};

/** The loop facts of a compound (open alarms, open cases, overdue cases). */
export type LoopFacts = Required<Pick<CompoundFacts, 'openAlarms' | 'openCases' | 'overdueCases'>>;

/**
 * Rolls the per-place counts up to compounds with `compoundOf` (twin-model.ts `compoundResolver`);
 * places outside any compound (roads, a community's square) are left out. Every compound that is
 * not mentioned has zero of each — the caller passes null instead when the APIs were unavailable,
 * so "unknown" never reads as "all clear".
 */
export function loopFactsByCompound(
  counts: LoopCounts,
  compoundOf: (placeId: string) => string | null,
): Map<string, LoopFacts> {
  const out = new Map<string, LoopFacts>();
  const of = (placeId: string) => {
    const id = compoundOf(placeId);
    if (!id) return null;
    let f = out.get(id);
    if (!f) {
      f = { openAlarms: 0, openCases: 0, overdueCases: 0 };
      out.set(id, f);
    }
    return f;
  };
  for (const c of counts.cases) {
    const f = of(c.placeId);
    if (f) {
      f.openCases += c.open;
      f.overdueCases += c.overdue;
    }
  }
  for (const placeId of counts.alarmPlaceIds) {
    const f = of(placeId);
    if (f) f.openAlarms++;
  }
  return out;
}

/** Zero loop facts: a compound the (available) APIs did not mention. */
export const noLoopFacts: LoopFacts = { openAlarms: 0, openCases: 0, overdueCases: 0 };
