import type { FastifyBaseLogger } from 'fastify';
import type { Unit } from '../kernel/db/unit-of-work.ts';
import type { DomainEvent, OutboxListener } from '../kernel/events/outbox.ts';
import type { EventProcessor } from '../kernel/events/processors.ts';
import { findPlace } from '../twin/store.ts';
import type { TwinIndex } from '../twin/twin-index.ts';
import { type AlarmEventPayload, alarmEventPayloadSchema } from './alarm-events.ts';
import { autoDispatcher, caseActionTaker, caseCreator } from './case-service.ts';
import { caseChangeRecorder, systemActor } from './case-steps.ts';
import { caseSettings } from './settings.ts';
import type { CaseRow } from './store.ts';
import * as store from './store.ts';
import { categoryByCode } from './time-limits.ts';

// Alarm → case (ARCHITECTURE.md "How a signal becomes a pushed case", step 3): a new alarm opens a
// case, or joins the open case of the same place and category created within the join window
// (one pile of garbage is one case); repeats update the joined alarm; a cleared alarm is noted on
// the case's timeline but never closes it (only 核查 closes).

/** What the intake needs besides the unit. */
export type AlarmIntakeDeps = { twin: TwinIndex; wake: OutboxListener; log: FastifyBaseLogger };

/** The event processor that turns alarms into cases. */
export function alarmIntakeProcessor(deps: AlarmIntakeDeps): EventProcessor {
  return {
    name: 'cases.alarm-intake',
    handles: ['alarm.raised', 'alarm.updated', 'alarm.cleared'],
    async handle(unit, events) {
      for (const event of events) {
        const parsed = alarmEventPayloadSchema.safeParse(event.payload);
        if (!parsed.success) {
          // A malformed event would block the processor forever if thrown: log it and move on.
          deps.log.warn({ seq: event.seq, issues: parsed.error.issues }, 'alarm event ignored: malformed payload');
          continue;
        }
        if (event.type === 'alarm.cleared') await alarmClearer(unit, deps, parsed.data);
        else await alarmCaseOpener(unit, deps, event, parsed.data);
      }
    },
  };
}

/** Opens a case for a new alarm or joins it to an open one; a repeat updates the joined alarm. */
export async function alarmCaseOpener(
  unit: Unit,
  deps: AlarmIntakeDeps,
  event: DomainEvent,
  a: AlarmEventPayload,
): Promise<CaseRow | null> {
  const linked = await store.findCaseAlarm(unit.tx, a.alarmId);
  if (linked) {
    // Events may repeat (a replay): never move the count or the last time backwards.
    await store.updateCaseAlarm(unit.tx, a.alarmId, {
      count: Math.max(linked.count, a.count),
      last_at: [a.lastAt, linked.last_at].sort()[1]!,
    });
    return null;
  }
  const category = categoryByCode(a.category);
  const place = await findPlace(unit.tx, a.placeId);
  if (!category || !place) {
    // Not every alarm is a case (device_offline is the maintainers' business, not a street problem).
    deps.log.debug({ alarmId: a.alarmId, category: a.category, placeId: a.placeId }, 'alarm not turned into a case');
    return null;
  }
  const settings = await caseSettings(unit.tx);
  const since = new Date(Date.parse(event.at) - settings.joinWindowMinutes * 60_000).toISOString();
  const open = await store.findJoinableCase(unit.tx, place.id, category.code, since);
  const link = (caseId: string) =>
    store.insertCaseAlarm(unit.tx, {
      alarm_id: a.alarmId,
      case_id: caseId,
      rule_id: a.ruleId,
      device_id: a.deviceId,
      count: a.count,
      first_at: a.firstAt,
      last_at: a.lastAt,
      cleared_at: null,
      joined_at: unit.clock.now().toISOString(),
    });
  const facts = {
    alarmId: a.alarmId,
    ruleId: a.ruleId,
    ruleVersion: a.ruleVersion,
    deviceId: a.deviceId,
    deviceCode: a.deviceCode,
    ...(a.detection ? { detection: a.detection } : {}),
  };
  if (open) {
    await link(open.id);
    return caseChangeRecorder(
      unit,
      deps.wake,
      open,
      { ...open, alarm_count: open.alarm_count + 1 },
      {
        actor: systemActor,
        action: 'alarm-joined',
        note: `${a.title}（${a.deviceCode}）`,
        photos: a.detection?.snapshotUrl ? [a.detection.snapshotUrl] : [],
        data: facts,
      },
    );
  }
  const gridId = a.gridId ?? deps.twin.locate(a.location[0], a.location[1]).gridId;
  let row = await caseCreator(unit, deps.wake, systemActor, {
    source: 'alarm',
    category,
    title: a.title || `${category.name} · ${place.name}`,
    description: a.detection
      ? `${a.deviceCode}: ${a.detection.type} (${Math.round(a.detection.confidence * 100)}%)`
      : `${a.deviceCode}: ${a.title}`,
    placeId: place.id,
    path: place.path,
    gridId,
    location: a.location,
    address: null,
    reporterId: null,
    reporterName: null,
    reporterPhone: null,
    reporterEmail: null,
    photos: a.detection?.snapshotUrl ? [a.detection.snapshotUrl] : [],
    severity: a.severity,
    alarmCount: 1,
    data: facts,
  });
  await link(row.id);
  if (!settings.autoDispatchAlarms) return row;
  row = await caseActionTaker(unit, deps.wake, systemActor, row, { action: 'register' });
  return (await autoDispatcher(unit, deps.wake, systemActor, row)) ?? row;
}

/** Notes a cleared alarm on its case's timeline. */
export async function alarmClearer(unit: Unit, deps: AlarmIntakeDeps, a: AlarmEventPayload): Promise<void> {
  const linked = await store.findCaseAlarm(unit.tx, a.alarmId);
  if (!linked || linked.cleared_at) return;
  await store.updateCaseAlarm(unit.tx, a.alarmId, { cleared_at: a.lastAt, count: Math.max(linked.count, a.count) });
  const c = await store.findCase(unit.tx, linked.case_id);
  if (!c) return;
  await caseChangeRecorder(unit, deps.wake, c, c, {
    actor: systemActor,
    action: 'alarm-cleared',
    note: `告警已解除 alarm cleared: ${a.title}（${a.deviceCode}）`,
    data: { alarmId: a.alarmId, deviceCode: a.deviceCode },
  });
}
