import { randomUUID } from 'node:crypto';
import type { Unit } from '../kernel/db/unit-of-work.ts';
import type { OutboxListener } from '../kernel/events/outbox.ts';
import { auditSystemAlarm, emitAlarmEvent } from './alarms.ts';
import { openKeyOf, type RuleAction } from './engine.ts';
import * as store from './store.ts';

/** Point → grid cell, from the twin's spatial index. */
export type GridLocator = (lng: number, lat: number) => string | null;

/** What one batch did to alarms. */
export type AlarmOutcome = { raised: number; repeated: number; cleared: number };

type Tracked = { row: store.AlarmRow; statusBefore: string; isNew: boolean; repeated: boolean; cleared: boolean };

const keyOf = (a: RuleAction) => openKeyOf(a.rule.id, a.device.id, a.type === 'trigger' ? a.kind.category : a.category);

/**
 * Applies a batch's rule actions to alarms, in reading order: a trigger raises an alarm, or
 * repeats the open one with the same rule, device and category (count + 1, last time moved); a
 * normal reading clears it. Writes each alarm once and emits its events (`alarm.raised`, one
 * `alarm.updated` per batch, `alarm.cleared`) in the unit's transaction; raises and automatic
 * clears are audited, repeats are data and are not.
 */
export async function alarmRaiser(
  unit: Unit,
  actions: readonly RuleAction[],
  locateGrid: GridLocator,
  wake?: OutboxListener,
): Promise<AlarmOutcome> {
  const outcome: AlarmOutcome = { raised: 0, repeated: 0, cleared: 0 };
  if (actions.length === 0) return outcome;
  const actionKeys = actions.map(keyOf);
  const keys = [...new Set(actionKeys)];
  const open = new Map<string, Tracked>();
  for (const row of await store.openAlarmsByKey(unit.tx, keys))
    open.set(row.open_key as string, {
      row: { ...row },
      statusBefore: row.status,
      isNew: false,
      repeated: false,
      cleared: false,
    });
  const touched: Tracked[] = [];
  const now = unit.clock.now().toISOString();

  for (let i = 0; i < actions.length; i++) {
    const action = actions[i] as RuleAction;
    const key = actionKeys[i] as string;
    const current = open.get(key);
    if (action.type === 'normal') {
      if (!current) continue;
      Object.assign(current.row, {
        status: 'cleared',
        open_key: null,
        cleared_at: now,
        cleared_by: 'system',
        clear_reason: 'condition no longer holds 条件已恢复',
        updated_at: now,
      });
      current.cleared = true;
      open.delete(key);
      if (!touched.includes(current)) touched.push(current);
      continue;
    }
    const at = new Date(action.atMs).toISOString();
    const detection = action.detection
      ? JSON.stringify({
          type: action.detection.type,
          confidence: action.detection.confidence,
          snapshotUrl: action.detection.snapshotUrl,
          at: action.detection.at,
        })
      : null;
    if (current) {
      current.row.count = Number(current.row.count) + 1;
      if (at > current.row.last_at) current.row.last_at = at;
      if (detection) current.row.detection = detection;
      current.row.updated_at = now;
      current.repeated = true;
      if (!touched.includes(current)) touched.push(current);
      continue;
    }
    const [lng, lat] = action.detection?.location ?? [action.device.lng, action.device.lat];
    const row: store.AlarmRow = {
      id: randomUUID(),
      rule_id: action.rule.id,
      rule_version: action.rule.version,
      device_id: action.device.id,
      device_code: action.device.code,
      device_kind: action.device.kind,
      place_id: action.device.placeId,
      path: action.device.path,
      grid_id: action.detection?.location ? (locateGrid(lng, lat) ?? action.device.gridId) : action.device.gridId,
      lng,
      lat,
      category: action.kind.category,
      severity: action.kind.severity,
      title: action.kind.title,
      status: 'active',
      open_key: key,
      count: 1,
      first_at: at,
      last_at: at,
      detection,
      acknowledged_at: null,
      acknowledged_by: null,
      cleared_at: null,
      cleared_by: null,
      clear_reason: null,
      created_at: now,
      updated_at: now,
    };
    const tracked = { row, statusBefore: 'active', isNew: true, repeated: false, cleared: false };
    open.set(key, tracked);
    touched.push(tracked);
  }

  for (const t of touched) {
    if (t.isNew) {
      // Raised and cleared within one batch: the raise is still told, then the clear.
      const raisedRow = t.cleared ? { ...t.row, status: t.statusBefore } : t.row;
      await store.insertAlarm(unit.tx, t.row);
      await auditSystemAlarm(unit, raisedRow, 'alarm.raise');
      await emitAlarmEvent(unit, 'alarm.raised', raisedRow, wake);
      outcome.raised += 1;
    } else {
      const { id, ...patch } = t.row;
      // Cleared meanwhile by a person (another transaction): their clear stands.
      if (!(await store.updateOpenAlarm(unit.tx, id, patch))) continue;
      if (t.repeated) {
        const updatedRow = t.cleared ? { ...t.row, status: t.statusBefore } : t.row;
        await emitAlarmEvent(unit, 'alarm.updated', updatedRow, wake);
        outcome.repeated += 1;
      }
    }
    if (t.cleared) {
      await auditSystemAlarm(unit, t.row, 'alarm.clear');
      await emitAlarmEvent(unit, 'alarm.cleared', t.row, wake, { by: 'system', reason: t.row.clear_reason });
      outcome.cleared += 1;
    }
  }
  return outcome;
}
