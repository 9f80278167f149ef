import type { Unit } from '../kernel/db/unit-of-work.ts';
import type { OutboxListener } from '../kernel/events/outbox.ts';
import type { SignalBatch } from '../signals/consumer.ts';
import { type DeviceContext, silentDevices } from '../twin/device-state.ts';
import { type AlarmOutcome, alarmRaiser, type GridLocator } from './alarm-raiser.ts';
import type { Reading, RuleWindowState } from './conditions.ts';
import {
  alarmKindOf,
  type CompiledRule,
  compileRule,
  evaluateRule,
  openKeyOf,
  type RuleAction,
  ruleApplies,
  WindowStates,
} from './engine.ts';
import { scheduleActive } from './schedule.ts';
import * as store from './store.ts';

/** Totals, for stats and the bench. */
export type EvaluatorStats = { readings: number; raised: number; repeated: number; cleared: number; errors: number };

/**
 * Evaluates the enabled rules on the signal log, batch by batch, inside the consumer's transaction:
 * window state is loaded for the batch's devices, updated reading by reading, and written back
 * with the alarms the batch raised, repeated or cleared — so state, alarms and the log position
 * always agree, and a replay after a crash starts from the same state.
 */
export class RuleEvaluator {
  private rules: CompiledRule[] = [];
  private fingerprint = '';
  private readonly perDevice = new Map<
    string,
    { fingerprint: string; path: string; kind: string; rules: CompiledRule[]; absence: CompiledRule[] }
  >();
  readonly stats: EvaluatorStats = { readings: 0, raised: 0, repeated: 0, cleared: 0, errors: 0 };

  constructor(
    private readonly locateGrid: GridLocator,
    private readonly wake: OutboxListener,
    private readonly onError: (err: unknown, context: Record<string, unknown>) => void,
  ) {}

  /** The signal-log handler. */
  readonly handler = {
    name: 'rules',
    handle: async (unit: Unit, batch: SignalBatch): Promise<void> => {
      await this.handle(unit, batch);
    },
  };

  /** Reloads the rules when the table changed. */
  private async refresh(unit: Unit): Promise<void> {
    const fp = await store.rulesFingerprint(unit.tx);
    if (fp === this.fingerprint) return;
    this.rules = (await store.allRules(unit.tx)).map(compileRule).filter((r) => r.enabled);
    this.fingerprint = fp;
    this.perDevice.clear();
  }

  /** The rules watching a device: those evaluated per reading, and its absence rules (cleared by any traffic). */
  private rulesFor(device: DeviceContext): { rules: CompiledRule[]; absence: CompiledRule[] } {
    const cached = this.perDevice.get(device.id);
    if (cached && cached.fingerprint === this.fingerprint && cached.path === device.path && cached.kind === device.kind)
      return cached;
    const all = this.rules.filter((r) => ruleApplies(r, device));
    const entry = {
      fingerprint: this.fingerprint,
      path: device.path,
      kind: device.kind,
      rules: all.filter((r) => r.absenceMinutes === undefined),
      absence: all.filter((r) => r.absenceMinutes !== undefined && r.definition.autoClear),
    };
    this.perDevice.set(device.id, entry);
    return entry;
  }

  async handle(unit: Unit, batch: SignalBatch): Promise<AlarmOutcome> {
    await this.refresh(unit);
    const states = new WindowStates();
    const statefulDevices = [...batch.devices.values()].filter((d) => this.rulesFor(d).rules.some((r) => r.stateful));
    if (statefulDevices.length > 0) {
      for (const s of await store.statesOf(
        unit.tx,
        statefulDevices.map((d) => d.id),
      ))
        states.load(s.rule_id, s.device_id, Number(s.rule_version), JSON.parse(s.state) as RuleWindowState);
    }
    const actions: RuleAction[] = [];
    // A normal reading right after a normal reading changes nothing: keep the first of each run.
    const lastWasNormal = new Set<string>();
    for (const row of batch.rows) {
      if (row.kind !== 'telemetry') continue;
      const device = batch.devices.get(row.device_id);
      if (!device) continue;
      const { rules } = this.rulesFor(device);
      if (rules.length === 0) continue;
      const reading: Reading = row.reading ?? { tsMs: Date.parse(row.ts), values: JSON.parse(row.payload) };
      this.stats.readings += 1;
      for (const rule of rules) {
        try {
          const action = evaluateRule(rule, device, reading, states);
          if (!action) continue;
          const key = `${rule.id}|${device.id}`;
          if (action.type === 'normal') {
            if (lastWasNormal.has(key)) continue;
            lastWasNormal.add(key);
          } else lastWasNormal.delete(key);
          actions.push(action);
        } catch (err) {
          // A defect in one rule must not stall the log for every other rule.
          this.stats.errors += 1;
          this.onError(err, { rule: rule.code, seq: row.seq });
        }
      }
    }
    // Any traffic ends a silence: one all-clear per device and absence rule per batch, not per reading.
    const atMs = unit.clock.now().getTime();
    for (const device of batch.devices.values()) {
      for (const rule of this.rulesFor(device).absence)
        actions.push({ type: 'normal', rule, device, category: alarmKindOf(rule, undefined).category, atMs });
    }
    const now = unit.clock.now().toISOString();
    const dirty = [...states.dirty()].map((s) => ({
      rule_id: s.ruleId,
      device_id: s.deviceId,
      rule_version: s.version,
      state: JSON.stringify(s.state),
      updated_at: now,
    }));
    await store.saveStates(unit.tx, dirty);
    const outcome = await alarmRaiser(unit, actions, this.locateGrid, this.wake);
    this.count(outcome);
    return outcome;
  }

  /**
   * The timed side of absence rules: devices heard from before but silent for the rule's minutes
   * get an alarm (once: an open one is not repeated every tick). Traffic clears it again.
   */
  async absenceTick(unit: Unit): Promise<AlarmOutcome> {
    await this.refresh(unit);
    const now = unit.clock.now().getTime();
    const actions: RuleAction[] = [];
    for (const rule of this.rules) {
      if (rule.absenceMinutes === undefined) continue;
      if (rule.definition.schedule && !scheduleActive(rule.definition.schedule, now)) continue;
      const kind = alarmKindOf(rule, undefined);
      const silent = (await silentDevices(unit.tx, new Date(now - rule.absenceMinutes * 60_000))).filter((d) =>
        ruleApplies(rule, d),
      );
      const open = new Set(
        (
          await store.openAlarmsByKey(
            unit.tx,
            silent.map((d) => openKeyOf(rule.id, d.id, kind.category)),
          )
        ).map((a) => a.open_key),
      );
      for (const device of silent) {
        if (open.has(openKeyOf(rule.id, device.id, kind.category))) continue;
        actions.push({ type: 'trigger', rule, device, kind, atMs: now, detection: undefined });
      }
    }
    const outcome = await alarmRaiser(unit, actions, this.locateGrid, this.wake);
    this.count(outcome);
    return outcome;
  }

  private count(o: AlarmOutcome): void {
    this.stats.raised += o.raised;
    this.stats.repeated += o.repeated;
    this.stats.cleared += o.cleared;
  }
}
