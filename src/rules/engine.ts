import { categoryByCode, categoryForDetection } from '../cases/time-limits.ts';
import type { DeviceContext } from '../twin/device-state.ts';
import {
  detectionOf,
  evaluate,
  isStateful,
  type Reading,
  type ReadingDetection,
  type RuleWindowState,
} from './conditions.ts';
import type { AlarmSeverity } from './events.ts';
import { scheduleActive } from './schedule.ts';
import type { Condition, RuleDefinition } from './schema.ts';

/** A rule ready to evaluate. */
export type CompiledRule = {
  id: string;
  code: string;
  name: string;
  version: number;
  enabled: boolean;
  definition: RuleDefinition;
  /** Keeps window state between readings. */
  stateful: boolean;
  /** Minutes of silence, for an absence rule (judged by the timed task). */
  absenceMinutes: number | undefined;
};

/** Category of alarms a rule raises for silent devices; not a case category of the seed table. */
export const offlineCategory = 'device_offline';

/** Compiles a stored rule. */
export function compileRule(row: {
  id: string;
  code: string;
  name: string;
  version: number;
  enabled: number | boolean;
  definition: string | RuleDefinition;
}): CompiledRule {
  const definition =
    typeof row.definition === 'string' ? (JSON.parse(row.definition) as RuleDefinition) : row.definition;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    version: Number(row.version),
    enabled: Boolean(row.enabled),
    definition,
    stateful: isStateful(definition.condition),
    absenceMinutes: definition.condition.type === 'absence' ? definition.condition.minutes : undefined,
  };
}

/** Whether a rule watches a device: every list its scope gives must match. */
export function ruleApplies(rule: CompiledRule, device: DeviceContext): boolean {
  const s = rule.definition.scope;
  if (s.deviceKinds && !s.deviceKinds.includes(device.kind)) return false;
  if (s.deviceIds && !s.deviceIds.includes(device.id)) return false;
  // Place paths are materialised paths of ids, so "in the subtree of P" is "/P/ in the path".
  if (s.placeIds && !s.placeIds.some((p) => device.path.includes(`/${p}/`))) return false;
  return true;
}

/** What an alarm raised by a rule looks like: category, severity, title. */
export type AlarmKind = { category: string; severity: AlarmSeverity; title: string };

/** The alarm a rule raises, for a detection when the rule names no category. */
export function alarmKindOf(rule: CompiledRule, detection: ReadingDetection | undefined): AlarmKind {
  const a = rule.definition.alarm;
  const fromDetection = detection ? categoryForDetection(detection.type) : null;
  const category =
    a.category ??
    fromDetection?.code ??
    detection?.type ??
    (rule.absenceMinutes !== undefined ? offlineCategory : 'other');
  const known = categoryByCode(category);
  const severity: AlarmSeverity = a.severity ?? known?.severity ?? (category === offlineCategory ? 'warning' : 'major');
  const title = a.title ?? known?.name ?? (category === offlineCategory ? '设备离线' : rule.name);
  return { category, severity, title };
}

/** The key of the one open alarm a rule may hold for a device and category. */
export function openKeyOf(ruleId: string, deviceId: string, category: string): string {
  return `${ruleId}|${deviceId}|${category}`;
}

/** What a reading means for one rule and device. */
export type RuleAction =
  | {
      type: 'trigger';
      rule: CompiledRule;
      device: DeviceContext;
      kind: AlarmKind;
      atMs: number;
      detection: (ReadingDetection & { location?: [number, number] }) | undefined;
    }
  | { type: 'normal'; rule: CompiledRule; device: DeviceContext; category: string; atMs: number };

/** Window states of one batch: loaded, changed, written back with the batch. */
export class WindowStates {
  private readonly states = new Map<string, { version: number; state: RuleWindowState }>();
  readonly changed = new Set<string>();

  static key(ruleId: string, deviceId: string): string {
    return `${ruleId}|${deviceId}`;
  }

  /** Seeds a stored state (as loaded from `rule_state`). */
  load(ruleId: string, deviceId: string, version: number, state: RuleWindowState): void {
    this.states.set(WindowStates.key(ruleId, deviceId), { version, state });
  }

  /** The state of a rule for a device; a state from another rule version is dropped. */
  of(rule: CompiledRule, deviceId: string): RuleWindowState {
    const k = WindowStates.key(rule.id, deviceId);
    const s = this.states.get(k);
    if (s && s.version === rule.version) return s.state;
    const fresh = { version: rule.version, state: {} };
    this.states.set(k, fresh);
    return fresh.state;
  }

  /** Every changed state, to write back. */
  *dirty(): Generator<{ ruleId: string; deviceId: string; version: number; state: RuleWindowState }> {
    for (const k of this.changed) {
      const s = this.states.get(k);
      if (!s) continue;
      const [ruleId = '', deviceId = ''] = k.split('|');
      yield { ruleId, deviceId, version: s.version, state: s.state };
    }
  }
}

/**
 * Evaluates one reading of a device against one rule: a trigger (raise or repeat the alarm), a
 * normal reading (clear the open alarm, if the rule auto-clears), or nothing.
 */
export function evaluateRule(
  rule: CompiledRule,
  device: DeviceContext,
  reading: Reading,
  states: WindowStates,
): RuleAction | undefined {
  const def = rule.definition;
  if (def.schedule && !scheduleActive(def.schedule, reading.tsMs)) return undefined;
  let outcome: boolean | undefined;
  if (rule.stateful) {
    const tracker = { changed: false };
    outcome = evaluate(def.condition, reading, states.of(rule, device.id), 'c', tracker);
    if (tracker.changed) states.changed.add(WindowStates.key(rule.id, device.id));
  } else {
    outcome = evaluate(def.condition, reading, {});
  }
  if (outcome === true) {
    const d = detectionOf(reading);
    const raw = reading.values.detection as { location?: [number, number] } | undefined;
    const detection = d ? { ...d, ...(raw?.location ? { location: raw.location } : {}) } : undefined;
    return { type: 'trigger', rule, device, kind: alarmKindOf(rule, detection), atMs: reading.tsMs, detection };
  }
  // A rule whose category comes from each detection has no single alarm to clear.
  if (outcome === false && def.autoClear && (def.alarm.category !== undefined || rule.absenceMinutes !== undefined))
    return { type: 'normal', rule, device, category: alarmKindOf(rule, undefined).category, atMs: reading.tsMs };
  return undefined;
}

/** Whether a condition tree is allowed: `count` counts stateless parts, `absence` stands alone. */
export function conditionProblems(
  c: Condition,
  pointer = '/condition',
  top = true,
): { pointer: string; detail: string }[] {
  switch (c.type) {
    case 'absence':
      return top ? [] : [{ pointer, detail: 'absence is judged on silence: it cannot be combined' }];
    case 'count':
      return ['threshold', 'range', 'detection'].includes(c.of.type)
        ? []
        : [{ pointer: `${pointer}/of`, detail: 'count counts a threshold, range or detection' }];
    case 'all':
    case 'any':
      return c.of.flatMap((part, i) => conditionProblems(part, `${pointer}/of/${i}`, false));
    default:
      return [];
  }
}
