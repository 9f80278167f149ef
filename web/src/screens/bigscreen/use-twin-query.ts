import { useEffect, useMemo, useState } from 'react';
import { loadTwin, type TwinData, takePrefetchedTwin } from '../../api/twin-load.ts';
import type { PlaceView } from '../../api/types.ts';
import type { CompoundStateRule } from './compound-state.ts';
import type { LoopCounts } from './loop-facts.ts';
import { type TwinModel, twinModelBuilder } from './twin-model.ts';

/** Loading state of the big screen's data. */
export type TwinQuery =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; model: TwinModel; places: PlaceView[] };

/**
 * Loads the twin the viewer may see — places, grids and devices, all pages, in parallel (or takes
 * the load the app shell started early) — then builds the model with `rule` colouring the compounds
 * over the devices' facts and, when known, the closed loop's (`loop`).
 */
export function useTwinQuery(rule: CompoundStateRule, reloadKey = 0, loop: LoopCounts | null = null): TwinQuery {
  const [data, setData] = useState<TwinData | { error: string } | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloadKey` is the trigger to load again
  useEffect(() => {
    const abort = new AbortController();
    const signal = abort.signal;
    setData(null);
    (takePrefetchedTwin() ?? loadTwin(signal))
      .then((twin) => {
        performance.mark('civictwin:twin-loaded');
        if (!signal.aborted) setData(twin);
      })
      .catch((err: unknown) => {
        if (!signal.aborted) setData({ error: err instanceof Error ? err.message : String(err) });
      });
    return () => abort.abort();
  }, [reloadKey]);

  // Rebuilt only when the data, the rule or the loop counts change (one pass, cheap for 10,000
  // devices); a language switch relabels the charts without touching the map's sources.
  const model = useMemo(
    () => (!data || 'error' in data ? null : twinModelBuilder(data, rule, loop)),
    [data, rule, loop],
  );

  if (!data) return { status: 'loading' };
  if ('error' in data) return { status: 'error', message: data.error };
  if (!model) return { status: 'loading' };
  return { status: 'ready', model, places: data.places };
}
