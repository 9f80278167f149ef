/**
 * The trace walk: breadth first over identifiers, applying `rules.ts`, one batched look-up per
 * level (every identifier new to this level at once), until no identifier is new or any window
 * grew. Each identifier's events are fetched once and kept, so a cycle or a widened window costs
 * no further query; the walk ends because windows only widen over a finite set of event times.
 */
import { type Direction, inWindow, mergeReach, nextReaches, type Reach, type TraceEvent } from './rules.ts';

/** Where the walk gets events: every event naming any of the identifiers (the caller's visibility applied). */
export interface EventSource {
  eventsNaming(identifiers: readonly string[]): Promise<TraceEvent[]>;
}

/** Bounds that stop a walk gone wild (a product-level pattern, a mis-captured hub); the result says it stopped. */
export type WalkLimits = { maxIdentifiers: number; maxEvents: number };

/** Generous for one lot's chain; a walk stopped by them is marked `truncated`. */
export const defaultWalkLimits: WalkLimits = { maxIdentifiers: 20_000, maxEvents: 50_000 };

/** What a walk found. */
export type Walk = {
  direction: Direction;
  start: string;
  /** The events in the trace, by event time then record order. */
  events: TraceEvent[];
  /** Every identifier reached, with how it was followed. */
  reached: Map<string, Reach>;
  /** Breadth-first levels walked (one look-up each, at most). */
  levels: number;
  /** Look-ups made (`eventsNaming` calls). */
  lookups: number;
  truncated: boolean;
};

/** Walks back or forward from `start` (an identifier as the store indexes it). */
export async function traceWalker(props: {
  direction: Direction;
  start: string;
  source: EventSource;
  limits?: WalkLimits;
}): Promise<Walk> {
  const { direction, start, source } = props;
  const limits = props.limits ?? defaultWalkLimits;
  const reached = new Map<string, Reach>([
    [start, { identifier: start, mode: 'full', window: { from: null, to: null }, reachedBy: 'start', via: null }],
  ]);
  const eventsOf = new Map<string, TraceEvent[]>();
  const bySeq = new Map<number, TraceEvent>();
  const included = new Map<number, TraceEvent>();
  let frontier = new Set([start]);
  let levels = 0;
  let lookups = 0;
  let truncated = false;

  while (frontier.size > 0) {
    levels += 1;
    const fresh = [...frontier].filter((id) => !eventsOf.has(id));
    if (fresh.length > 0) {
      lookups += 1;
      for (const id of fresh) eventsOf.set(id, []);
      const wanted = new Set(fresh);
      for (const found of await source.eventsNaming(fresh)) {
        const event = bySeq.get(found.seq) ?? found;
        bySeq.set(event.seq, event);
        for (const id of new Set(event.ids.map((r) => r.identifier))) if (wanted.has(id)) eventsOf.get(id)?.push(event);
      }
    }
    const next = new Set<string>();
    for (const x of frontier) {
      const xEvents = eventsOf.get(x) ?? [];
      for (const event of xEvents) {
        const state = reached.get(x);
        if (!state || !inWindow(state.window, event.time)) continue;
        included.set(event.seq, event);
        for (const step of nextReaches(direction, x, state, event, xEvents)) {
          const { reach, changed } = mergeReach(reached.get(step.identifier), step);
          if (!changed) continue;
          reached.set(step.identifier, reach);
          next.add(step.identifier);
        }
      }
    }
    if (reached.size > limits.maxIdentifiers || included.size > limits.maxEvents) {
      truncated = next.size > 0;
      break;
    }
    frontier = next;
  }

  const events = [...included.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq));
  return { direction, start, events, reached, levels, lookups, truncated };
}
