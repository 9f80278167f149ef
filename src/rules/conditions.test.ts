import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { compare, evaluate, type Outcome, type RuleWindowState, type StateTracker } from './conditions.ts';
import { type Condition, conditionSchema } from './schema.ts';

/** One step of a table: move the clock, send a reading, expect an outcome. */
type Step = [advanceSeconds: number, values: Record<string, unknown>, expected: Outcome];

/** Runs readings through one condition with one window state, as the engine does for a device. */
function run(condition: Condition, steps: Step[]) {
  const clock = new ManualClock('2026-11-26T02:00:00Z');
  const state: RuleWindowState = {};
  return steps.map(([advance, values]) => {
    clock.advance(advance * 1000);
    return evaluate(conditionSchema.parse(condition), { tsMs: clock.now().getTime(), values }, state);
  });
}

const detection = (type: string, confidence: number) => ({
  detection: { type, confidence, snapshotUrl: null, at: '2026-11-26T02:00:00.000Z' },
});

const tables: [name: string, condition: Condition, steps: Step[]][] = [
  [
    'threshold: temperature > 60',
    { type: 'threshold', key: 'temperature', op: '>', value: 60 },
    [
      [0, { temperature: 59 }, false],
      [1, { temperature: 61 }, true],
      [1, { humidity: 50 }, undefined],
      [1, { temperature: '62.5' }, true],
      [1, { temperature: 'hot' }, undefined],
    ],
  ],
  [
    'threshold on a flag: smoke == true (1 and "true" count, 0 does not)',
    { type: 'threshold', key: 'smoke', op: '==', value: true },
    [
      [0, { smoke: false }, false],
      [1, { smoke: 1 }, true],
      [1, { smoke: 0 }, false],
      [1, { smoke: true }, true],
    ],
  ],
  [
    'range: humidity outside 30…70',
    { type: 'range', key: 'humidity', min: 30, max: 70, trigger: 'outside' },
    [
      [0, { humidity: 50 }, false],
      [1, { humidity: 71 }, true],
      [1, { humidity: 29 }, true],
      [1, { humidity: 30 }, false],
    ],
  ],
  [
    'range: inside 0…5 (e.g. a cold room door left open while 0–5 °C)',
    { type: 'range', key: 'temp', min: 0, max: 5, trigger: 'inside' },
    [
      [0, { temp: 3 }, true],
      [1, { temp: 8 }, false],
    ],
  ],
  [
    'duration: above 60 °C for 2 minutes',
    { type: 'duration', key: 'temperature', op: '>', value: 60, seconds: 120 },
    [
      [0, { temperature: 65 }, false],
      [60, { temperature: 66 }, false],
      [59, { temperature: 67 }, false],
      [1, { temperature: 68 }, true],
      [30, { temperature: 70 }, true],
      [1, { temperature: 40 }, false],
      [1, { temperature: 65 }, false],
      [119, { temperature: 65 }, false],
      [1, { temperature: 65 }, true],
    ],
  ],
  [
    'count: 3 throw detections in 10 minutes',
    {
      type: 'count',
      of: { type: 'detection', types: ['high_altitude_throw'], minConfidence: 0.6 },
      count: 3,
      windowSeconds: 600,
    },
    [
      [0, detection('high_altitude_throw', 0.9), false],
      [120, detection('high_altitude_throw', 0.9), false],
      // Other types and unsure detections are not counted, and say nothing.
      [60, detection('illegal_parking', 0.9), undefined],
      [60, detection('high_altitude_throw', 0.3), undefined],
      [60, detection('high_altitude_throw', 0.8), true],
      [400, detection('high_altitude_throw', 0.8), true],
      // Two fell out of the window: one left, plus this one.
      [300, detection('high_altitude_throw', 0.8), false],
      [601, detection('high_altitude_throw', 0.8), false],
    ],
  ],
  [
    'count of a threshold: 3 door openings in 1 minute',
    { type: 'count', of: { type: 'threshold', key: 'open', op: '==', value: true }, count: 3, windowSeconds: 60 },
    [
      [0, { open: true }, false],
      [10, { open: false }, false],
      [10, { open: true }, false],
      [10, { open: true }, true],
      // Still three in the window: a closed door neither repeats nor clears the alarm.
      [10, { open: false }, undefined],
      [60, { open: false }, false],
    ],
  ],
  [
    'absence: any reading is traffic (silence is judged by the timed task)',
    { type: 'absence', minutes: 30 },
    [
      [0, { a: 1 }, false],
      [3600, { a: 1 }, false],
    ],
  ],
  [
    'rate of change: water level rising 5 cm per minute or faster',
    { type: 'rate', key: 'level', op: '>=', value: 5, perSeconds: 60 },
    [
      [0, { level: 10 }, undefined],
      [60, { level: 12 }, false],
      [30, { level: 15 }, true],
      [0, { level: 99 }, undefined],
      [60, { level: 15 }, false],
    ],
  ],
  [
    'AI confidence cut-off: garbage overflow at 0.7',
    { type: 'detection', types: ['garbage_overflow'], minConfidence: 0.7 },
    [
      [0, detection('garbage_overflow', 0.69), undefined],
      [1, detection('garbage_overflow', 0.7), true],
      [1, detection('fire_smoke', 0.99), undefined],
      [1, { people: 3 }, undefined],
    ],
  ],
  [
    'detection of any type but some',
    { type: 'detection', excludeTypes: ['garbage_overflow'], minConfidence: 0.5 },
    [
      [0, detection('illegal_parking', 0.9), true],
      [1, detection('garbage_overflow', 0.9), undefined],
    ],
  ],
  [
    'AND: smoke and heat, reported in different messages',
    {
      type: 'all',
      of: [
        { type: 'threshold', key: 'smoke', op: '==', value: true },
        { type: 'threshold', key: 'temperature', op: '>', value: 50 },
      ],
    },
    [
      [0, { smoke: true }, undefined],
      [1, { temperature: 55 }, true],
      [1, { temperature: 30 }, false],
      [1, { smoke: false, temperature: 60 }, false],
      [1, { smoke: true }, true],
    ],
  ],
  [
    'OR: gas above 20 % LEL or the alarm flag; a part never reported does not block the all-clear',
    {
      type: 'any',
      of: [
        { type: 'threshold', key: 'gas_lel', op: '>=', value: 20 },
        { type: 'threshold', key: 'gas_alarm', op: '==', value: true },
      ],
    },
    [
      [0, { gas_lel: 3 }, false],
      [1, { gas_lel: 25 }, true],
      [1, { gas_lel: 2 }, false],
      [1, { gas_alarm: true }, true],
      [1, { gas_lel: 1 }, true],
      [1, { gas_alarm: false }, false],
    ],
  ],
  [
    'nested: (duration of heat) OR smoke',
    {
      type: 'any',
      of: [
        { type: 'duration', key: 'temperature', op: '>', value: 60, seconds: 60 },
        { type: 'threshold', key: 'smoke', op: '==', value: true },
      ],
    },
    [
      [0, { temperature: 70 }, false],
      [61, { temperature: 70 }, true],
      [1, { temperature: 20 }, false],
    ],
  ],
];

describe('rule conditions (table tests, injectable clock)', () => {
  it.each(tables)('%s', (_name, condition, steps) => {
    expect(run(condition, steps)).toEqual(steps.map((s) => s[2]));
  });

  it('keeps window state as plain JSON, so it can be stored and restored mid-window', () => {
    const condition = conditionSchema.parse({ type: 'duration', key: 't', op: '>', value: 60, seconds: 120 });
    const state: RuleWindowState = {};
    const t0 = Date.parse('2026-11-26T02:00:00Z');
    const tracker: StateTracker = { changed: false };
    expect(evaluate(condition, { tsMs: t0, values: { t: 61 } }, state, 'c', tracker)).toBe(false);
    expect(tracker.changed).toBe(true);
    const restored = JSON.parse(JSON.stringify(state)) as RuleWindowState;
    expect(evaluate(condition, { tsMs: t0 + 120_000, values: { t: 61 } }, restored)).toBe(true);
    const unchanged: StateTracker = { changed: false };
    evaluate(condition, { tsMs: t0 + 130_000, values: { t: 62 } }, restored, 'c', unchanged);
    expect(unchanged.changed).toBe(false);
  });

  it.each([
    ['>', 5, 4, true],
    ['>=', 5, 5, true],
    ['<', 5, 5, false],
    ['<=', 6, 5, false],
    ['==', 'open', 'open', true],
    ['!=', 'open', 'closed', true],
    ['==', null, 'x', undefined],
    ['>', 'abc', 1, undefined],
  ] as const)('compare %s: %j vs %j → %s', (op, actual, expected, result) => {
    expect(compare(op, actual, expected)).toBe(result);
  });
});
