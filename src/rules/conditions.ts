import type { Comparison, Condition } from './schema.ts';

/** A reading as conditions see it. */
export type Reading = {
  tsMs: number;
  values: Record<string, unknown>;
};

/** The detection a reading carries, if any (validated at ingestion). */
export type ReadingDetection = { type: string; confidence: number; snapshotUrl: string | null; at: string };

/** true: the condition holds (alarm); false: it does not (normal); undefined: the reading says nothing about it. */
export type Outcome = boolean | undefined;

/**
 * Window state of one rule for one device: one entry per stateful node of the condition tree,
 * keyed by the node's path (`c`, `c.0`, `c.1.0`). Plain JSON, persisted in `rule_state`.
 */
export type RuleWindowState = Record<string, unknown>;

type DurationState = { since: number | null };
type CountState = { times: number[] };
type RateState = { ts: number; v: number };
type CombineState = { last: (boolean | null)[] };

/** The detection of a reading, when it has a well-formed one. */
export function detectionOf(reading: Reading): ReadingDetection | undefined {
  const d = reading.values.detection;
  if (typeof d !== 'object' || d === null) return undefined;
  const { type, confidence, snapshotUrl, at } = d as Record<string, unknown>;
  if (typeof type !== 'string' || typeof confidence !== 'number') return undefined;
  return {
    type,
    confidence,
    snapshotUrl: typeof snapshotUrl === 'string' ? snapshotUrl : null,
    at: typeof at === 'string' ? at : new Date(reading.tsMs).toISOString(),
  };
}

/** A value as a number when it is one (booleans count as 1/0, numeric strings as their number). */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Compares a reading's value with a rule's; undefined when they cannot be compared. */
export function compare(op: Comparison, actual: unknown, expected: number | string | boolean): Outcome {
  if (actual === undefined || actual === null) return undefined;
  if (typeof expected === 'number' || op === '>' || op === '>=' || op === '<' || op === '<=') {
    const a = numeric(actual);
    const e = numeric(expected);
    if (a === undefined || e === undefined) return undefined;
    switch (op) {
      case '>':
        return a > e;
      case '>=':
        return a >= e;
      case '<':
        return a < e;
      case '<=':
        return a <= e;
      case '==':
        return a === e;
      case '!=':
        return a !== e;
    }
  }
  if (typeof expected === 'boolean') {
    const a = typeof actual === 'boolean' ? actual : numeric(actual) === undefined ? undefined : numeric(actual) !== 0;
    if (a === undefined) return undefined;
    return op === '==' ? a === expected : a !== expected;
  }
  const a = typeof actual === 'string' ? actual : String(actual);
  return op === '==' ? a === expected : a !== expected;
}

/** Notes whether an evaluation changed the window state (so only changed states are written). */
export type StateTracker = { changed: boolean };

function store(state: RuleWindowState, path: string, value: unknown, tracker: StateTracker): void {
  state[path] = value;
  tracker.changed = true;
}

/**
 * Evaluates a condition on a reading, updating `state` in place (the caller owns a copy per batch)
 * and setting `tracker.changed` when it did. Absence is judged by the timed task on silence; a
 * reading is traffic, so here it is false.
 */
export function evaluate(
  condition: Condition,
  reading: Reading,
  state: RuleWindowState,
  path = 'c',
  tracker: StateTracker = { changed: false },
): Outcome {
  switch (condition.type) {
    case 'threshold':
      return compare(condition.op, reading.values[condition.key], condition.value);
    case 'range': {
      const v = numeric(reading.values[condition.key]);
      if (v === undefined) return undefined;
      const inside =
        (condition.min === undefined || v >= condition.min) && (condition.max === undefined || v <= condition.max);
      return condition.trigger === 'inside' ? inside : !inside;
    }
    case 'duration': {
      const holds = compare(condition.op, reading.values[condition.key], condition.value);
      if (holds === undefined) return undefined;
      const s = (state[path] as DurationState | undefined) ?? { since: null };
      if (!holds) {
        if (s.since !== null) store(state, path, { since: null }, tracker);
        return false;
      }
      // A reading older than the start (out of order) does not move the start back.
      const since = s.since === null ? reading.tsMs : Math.min(s.since, reading.tsMs);
      if (since !== s.since) store(state, path, { since }, tracker);
      return reading.tsMs - since >= condition.seconds * 1000;
    }
    case 'count': {
      const hit = evaluate(condition.of, reading, state, `${path}.0`, tracker);
      const s = (state[path] as CountState | undefined) ?? { times: [] };
      const from = reading.tsMs - condition.windowSeconds * 1000;
      let times = s.times.filter((t) => t > from);
      if (hit === true) {
        times.push(reading.tsMs);
        times.sort((a, b) => a - b);
        // Only the last `count` times can matter for "count within the window".
        if (times.length > condition.count) times = times.slice(times.length - condition.count);
      }
      if (times.length !== s.times.length || hit === true) store(state, path, { times }, tracker);
      if (times.length >= condition.count) return hit === true ? true : undefined;
      return hit === undefined ? undefined : false;
    }
    case 'absence':
      return false;
    case 'rate': {
      const v = numeric(reading.values[condition.key]);
      if (v === undefined) return undefined;
      const last = state[path] as RateState | undefined;
      if (last && reading.tsMs <= last.ts) return undefined; // out of order: no rate to speak of
      store(state, path, { ts: reading.tsMs, v }, tracker);
      if (!last) return undefined;
      const rate = ((v - last.v) / (reading.tsMs - last.ts)) * 1000 * condition.perSeconds;
      return compare(condition.op, rate, condition.value);
    }
    case 'detection': {
      const d = detectionOf(reading);
      if (!d) return undefined;
      if (condition.types && !condition.types.includes(d.type)) return undefined;
      if (condition.excludeTypes?.includes(d.type)) return undefined;
      // Below the cut-off the camera is unsure: neither an alarm nor an all-clear.
      return d.confidence >= condition.minConfidence ? true : undefined;
    }
    case 'all':
    case 'any': {
      // Parts may arrive in different messages: each part's last known result counts.
      const s = (state[path] as CombineState | undefined) ?? { last: condition.of.map(() => null) };
      const last = condition.of.map((_, i) => s.last[i] ?? null);
      let changed = false;
      condition.of.forEach((part, i) => {
        const r = evaluate(part, reading, state, `${path}.${i}`, tracker);
        if (r !== undefined && r !== last[i]) {
          last[i] = r;
          changed = true;
        }
      });
      if (changed || !state[path]) store(state, path, { last }, tracker);
      if (condition.type === 'all') {
        if (last.some((r) => r === false)) return false;
        return last.every((r) => r === true) ? true : undefined;
      }
      // Parts never reported do not hold back the all-clear of the parts that did report.
      if (last.some((r) => r === true)) return true;
      return last.some((r) => r === false) ? false : undefined;
    }
  }
}

/** Whether a condition keeps state between readings (so its state is loaded and saved). */
export function isStateful(condition: Condition): boolean {
  switch (condition.type) {
    case 'duration':
    case 'count':
    case 'rate':
    case 'all':
    case 'any':
      return true;
    default:
      return false;
  }
}

/** Whether a condition is decided per reading without memory (what `count` may count). */
export function isStateless(condition: Condition): boolean {
  return condition.type === 'threshold' || condition.type === 'range' || condition.type === 'detection';
}

/** Whether the condition contains a detection test (then the alarm's category may come from it). */
export function hasDetection(condition: Condition): boolean {
  if (condition.type === 'detection') return true;
  if (condition.type === 'count') return hasDetection(condition.of);
  if (condition.type === 'all' || condition.type === 'any') return condition.of.some(hasDetection);
  return false;
}
