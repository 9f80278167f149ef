/**
 * Query schedules of scheduled subscriptions (EPCIS 2.0 §8.2.5.3 QuerySchedule, REST binding):
 * `second`, `minute`, `hour`, `dayOfMonth`, `month`, `dayOfWeek` (1 = Monday … 7 = Sunday), each
 * a comma list of numbers, `[a-b]` ranges, `a/step` or `*`; in UTC. Fields finer than the finest
 * given one default to their first value (`{ hour: "1", minute: "5" }` fires at 01:05:00 daily);
 * coarser ones match any value.
 */

/** A subscription's schedule as the client sent it. */
export type QuerySchedule = Partial<
  Record<'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek', string>
>;

const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dayOfMonth', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'dayOfWeek', min: 1, max: 7 },
] as const;

/** The values one field allows, or `undefined` when its syntax is wrong. */
export function fieldValues(spec: string, min: number, max: number): Set<number> | undefined {
  const out = new Set<number>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const range = /^\[(\d+)-(\d+)\]$/.exec(part);
    const step = /^(\d+|\*)\/(\d+)$/.exec(part);
    let from: number;
    let to: number;
    let by = 1;
    if (part === '*') [from, to] = [min, max];
    else if (range) [from, to] = [Number(range[1]), Number(range[2])];
    else if (step) [from, to, by] = [step[1] === '*' ? min : Number(step[1]), max, Number(step[2])];
    else if (/^\d+$/.test(part)) from = to = Number(part);
    else return undefined;
    if (from < min || to > max || from > to || by < 1) return undefined;
    for (let v = from; v <= to; v += by) out.add(v);
  }
  return out;
}

/** Why a schedule is invalid, or `undefined` when it is valid. */
export function scheduleProblem(schedule: QuerySchedule): string | undefined {
  if (!FIELDS.some((f) => schedule[f.name] !== undefined)) return 'a schedule names at least one field';
  for (const f of FIELDS) {
    const spec = schedule[f.name];
    if (spec !== undefined && !fieldValues(spec, f.min, f.max))
      return `${f.name}: '${spec}' is not a valid ${f.name} (${f.min}–${f.max})`;
  }
  return undefined;
}

function matchers(schedule: QuerySchedule): Array<Set<number> | undefined> {
  const finest = FIELDS.findIndex((f) => schedule[f.name] !== undefined);
  return FIELDS.map((f, i) => {
    const spec = schedule[f.name];
    if (spec !== undefined) return fieldValues(spec, f.min, f.max);
    return i < finest && i < 3 ? new Set([f.min]) : undefined;
  });
}

/** Whether the schedule names some second in `(since, now]` (looking back a week at most). */
export function scheduleFiredBetween(schedule: QuerySchedule, since: Date, now: Date): boolean {
  const [second, minute, hour, day, month, weekday] = matchers(schedule);
  const ok = (set: Set<number> | undefined, v: number) => set === undefined || set.has(v);
  const from = Math.max(since.getTime(), now.getTime() - 7 * 86_400_000);
  for (let m = Math.floor(from / 60_000) * 60_000; m <= now.getTime(); m += 60_000) {
    const t = new Date(m);
    const dow = t.getUTCDay() === 0 ? 7 : t.getUTCDay();
    if (!ok(minute, t.getUTCMinutes()) || !ok(hour, t.getUTCHours()) || !ok(day, t.getUTCDate())) continue;
    if (!ok(month, t.getUTCMonth() + 1) || !ok(weekday, dow)) continue;
    for (let s = 0; s < 60; s++) {
      const at = m + s * 1000;
      if (at > from && at <= now.getTime() && ok(second, s)) return true;
    }
  }
  return false;
}
