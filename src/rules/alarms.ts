import { appendAudit } from '../kernel/audit/audit.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { emitEvent, type OutboxListener } from '../kernel/events/outbox.ts';
import { conflict, notFound } from '../kernel/problems.ts';
import type { AlarmActionPayload, AlarmEventPayload, AlarmStatus } from './events.ts';
import { presentAlarm } from './presenters.ts';
import * as store from './store.ts';

/** What may happen to an alarm. */
export type AlarmAction = 'repeat' | 'acknowledge' | 'clear';

/**
 * The alarm lifecycle as a transition table: active → acknowledged → cleared, active → cleared;
 * a repeat keeps an open alarm's status (and moves its count and last time). Cleared is final: the
 * next trigger raises a new alarm.
 */
export const alarmTransitions: Record<AlarmAction, Partial<Record<AlarmStatus, AlarmStatus>>> = {
  repeat: { active: 'active', acknowledged: 'acknowledged' },
  acknowledge: { active: 'acknowledged' },
  clear: { active: 'cleared', acknowledged: 'cleared' },
};

/** The status after an action, or null when the action is not allowed from `status`. */
export function nextAlarmStatus(status: AlarmStatus, action: AlarmAction): AlarmStatus | null {
  return alarmTransitions[action][status] ?? null;
}

/** The `alarm.*` event payload of an alarm row: the alarm as clients see it, plus its place path. */
export function alarmPayload(row: store.AlarmRow): AlarmEventPayload {
  const { id, detection, acknowledgedAt, acknowledgedBy, clearedAt, clearedBy, clearReason, ...view } =
    presentAlarm(row);
  return { alarmId: id, ...view, placePath: row.path, ...(detection ? { detection } : {}) };
}

/** Emits an `alarm.*` event for a row as it now stands. */
export async function emitAlarmEvent(
  unit: Unit,
  type: 'alarm.raised' | 'alarm.updated' | 'alarm.acknowledged' | 'alarm.cleared',
  row: store.AlarmRow,
  wake: OutboxListener | undefined,
  action?: { by: string; reason: string | null },
): Promise<void> {
  const payload: AlarmEventPayload | AlarmActionPayload = action
    ? { ...alarmPayload(row), by: action.by, reason: action.reason }
    : alarmPayload(row);
  await emitEvent(unit, { type, subjectType: 'alarm', subjectId: row.id, payload });
  // One wake per transaction, however many alarms changed.
  if (wake && !woken.has(unit)) {
    woken.add(unit);
    unit.afterCommit(wake);
  }
}

const woken = new WeakSet<Unit>();

/** Loads an alarm or answers 404. */
export async function alarmLoader(db: Executor, id: string): Promise<store.AlarmRow> {
  const row = await store.findAlarm(db, id);
  if (!row) throw notFound(`alarm ${id}`);
  return row;
}

const auditView = (row: store.AlarmRow) => ({
  status: row.status,
  category: row.category,
  severity: row.severity,
  deviceCode: row.device_code,
  count: Number(row.count),
  acknowledgedBy: row.acknowledged_by,
  clearedBy: row.cleared_by,
  clearReason: row.clear_reason,
});

async function transition(
  unit: Unit,
  before: store.AlarmRow,
  action: 'acknowledge' | 'clear',
  note: string | null,
  wake: OutboxListener | undefined,
): Promise<store.AlarmRow> {
  const to = nextAlarmStatus(before.status as AlarmStatus, action);
  if (!to)
    throw conflict(`an alarm that is ${before.status} cannot be ${action === 'clear' ? 'cleared' : 'acknowledged'}`);
  const now = unit.clock.now().toISOString();
  const patch: Partial<store.AlarmRow> =
    action === 'acknowledge'
      ? { status: to, acknowledged_at: now, acknowledged_by: unit.actor, updated_at: now }
      : { status: to, open_key: null, cleared_at: now, cleared_by: unit.actor, clear_reason: note, updated_at: now };
  if (!(await store.updateOpenAlarm(unit.tx, before.id, patch))) throw conflict('the alarm was cleared meanwhile');
  const after = { ...before, ...patch };
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: action === 'acknowledge' ? 'alarm.acknowledge' : 'alarm.clear',
    subjectType: 'alarm',
    subjectId: before.id,
    before: auditView(before),
    after: { ...auditView(after), ...(note ? { note } : {}) },
  });
  await emitAlarmEvent(unit, action === 'acknowledge' ? 'alarm.acknowledged' : 'alarm.cleared', after, wake, {
    by: unit.actor,
    reason: note,
  });
  return after;
}

/** 确认: someone has seen the alarm and takes it on (audited; 409 unless active). */
export function alarmAcknowledger(unit: Unit, row: store.AlarmRow, note: string | null, wake?: OutboxListener) {
  return transition(unit, row, 'acknowledge', note, wake);
}

/** 清除: the alarm is over (audited; 409 when already cleared). */
export function alarmClearer(unit: Unit, row: store.AlarmRow, reason: string | null, wake?: OutboxListener) {
  return transition(unit, row, 'clear', reason, wake);
}

/** Audit record of an alarm the rules raised or cleared on their own. */
export async function auditSystemAlarm(unit: Unit, row: store.AlarmRow, action: 'alarm.raise' | 'alarm.clear') {
  await appendAudit(unit.tx, unit.clock, {
    // The rules decide, whichever transaction carries them (ingest or the log's consumer).
    actor: 'system',
    action,
    subjectType: 'alarm',
    subjectId: row.id,
    after: { ...auditView(row), ruleId: row.rule_id, ruleVersion: Number(row.rule_version) },
  });
}
