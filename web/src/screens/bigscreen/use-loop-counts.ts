import { useEffect, useState } from 'react';
import { api, fetchAllPages } from '../../api/client.ts';
import type { LoopCounts } from './loop-facts.ts';

type CaseStats = { places: LoopCounts['cases'] };

/**
 * Open alarms and open/overdue cases per place for the map's colours, fetched again whenever
 * `refreshKey` changes (the live feed's throttled nudge). A part whose API refuses this viewer
 * (or is absent) counts as empty; null until the first answer or when both are unavailable, so
 * the map keeps the device rule rather than painting everything "normal".
 */
export function useLoopCounts(refreshKey: number): LoopCounts | null {
  const [counts, setCounts] = useState<LoopCounts | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the trigger to fetch again
  useEffect(() => {
    const abort = new AbortController();
    const signal = abort.signal;
    const cases = api<CaseStats>('/api/cases/stats/by-place', { signal }).then(
      (s) => s.places,
      () => null,
    );
    const alarms = fetchAllPages<{ placeId: string }>('/api/alarms', { status: 'open' }, { signal }).then(
      (items) => items.map((a) => a.placeId),
      () => null,
    );
    void Promise.all([cases, alarms]).then(([c, a]) => {
      if (signal.aborted) return;
      setCounts(c === null && a === null ? null : { cases: c ?? [], alarmPlaceIds: a ?? [] });
    });
    return () => abort.abort();
  }, [refreshKey]);
  return counts;
}
