import { type AlarmEventPayload, alarmEventPayloadSchema } from '../cases/alarm-events.ts';
import type { WorkingCalendar } from '../cases/calendar.ts';
import type { CaseEventPayload } from '../cases/case-steps.ts';
import { canSeeCase } from '../cases/policy.ts';
import { presentCase } from '../cases/presenters.ts';
import type { CaseView } from '../cases/schema.ts';
import { inScope, type Principal } from '../kernel/auth/principal.ts';
import type { Role } from '../kernel/auth/roles.ts';
import type { DomainEvent } from '../kernel/events/outbox.ts';
import { twinPolicy } from '../twin/policy.ts';

// The typed real-time contract (STYLE.md, after Immich's websocket repository): one event map,
// deterministic channel names, versioned payloads built by the same presenters as HTTP.
//
// Channels: `user:<userId>` (what concerns you: assigned, first-responsible, escalated to you;
// every connection is subscribed to its own), `place:<placeId>` (everything under a place, e.g.
// a community's big screen), `case:<caseId>` (one case). Whatever the channel, an event reaches a
// viewer only if their role and scope let them see it over HTTP.

/** Version of every pushed payload. */
export const liveVersion = 1;

/** The message types clients receive (and webhooks subscribe to). */
export const clientEventTypes = [
  'case.created',
  'case.updated',
  'alarm.raised',
  'alarm.cleared',
  'twin.state',
] as const;
export type LiveEventType = (typeof clientEventTypes)[number];

/** The message type an outbox event is pushed as. */
export function clientTypeOf(outboxType: string): string {
  return outboxType === 'twin.device-state' ? 'twin.state' : outboxType;
}

/**
 * The outbox events that become pushes: each becomes the message type of the same name, except
 * the rules' `twin.device-state` (a device went online/offline), pushed as `twin.state`.
 */
export const liveEventTypes = [
  'case.created',
  'case.updated',
  'alarm.raised',
  'alarm.cleared',
  'twin.state',
  'twin.device-state',
] as const;

/** An alarm as pushed (whitelisted fields of the rules' event). */
export type AlarmView = Pick<
  AlarmEventPayload,
  | 'alarmId'
  | 'ruleId'
  | 'deviceId'
  | 'deviceCode'
  | 'deviceKind'
  | 'placeId'
  | 'gridId'
  | 'location'
  | 'category'
  | 'severity'
  | 'title'
  | 'count'
  | 'firstAt'
  | 'lastAt'
> & { detection: AlarmEventPayload['detection'] | null };

/** The twin's live state of a place (emitted by the twin/rules; passed through, see `twinStateView`). */
export type TwinStateView = { placeId: string; [key: string]: unknown };

/** What each event type carries. */
export type ClientEventMap = {
  'case.created': CaseView & { step: CaseEventPayload['step'] };
  'case.updated': CaseView & { step: CaseEventPayload['step'] };
  'alarm.raised': AlarmView;
  'alarm.cleared': AlarmView;
  'twin.state': TwinStateView;
};

/** One pushed message; `seq` is the outbox position a reconnecting client passes as `?since=`. */
export type LiveMessage<K extends LiveEventType = LiveEventType> = {
  v: typeof liveVersion;
  seq: number;
  type: K;
  at: string;
  data: ClientEventMap[K];
};

/** Who sees alarms and the twin's live state: the staff who see devices. */
const alarmViewers: readonly Role[] = twinPolicy.readDevices;

/** Channel names an event belongs to, and whether a viewer may see it. */
export type LiveRoute = {
  channels: string[];
  visibleTo(viewer: Principal, departmentIds: readonly string[]): boolean;
  present(viewer: Principal, calendar: WorkingCalendar): LiveMessage | null;
};

const placeChannels = (path: string) =>
  path
    .split('/')
    .filter(Boolean)
    .map((id) => `place:${id}`);

/** How an outbox event is routed and presented; null for events that cannot be pushed. */
export function liveRoute(event: DomainEvent): LiveRoute | null {
  const base = { v: liveVersion, seq: event.seq, at: event.at } as const;
  if (event.type === 'case.created' || event.type === 'case.updated') {
    const p = event.payload as CaseEventPayload;
    if (p?.v !== 1 || !p.case) return null;
    const type = event.type;
    return {
      channels: [`case:${p.case.id}`, ...placeChannels(p.case.path), ...p.notify.map((id) => `user:${id}`)],
      visibleTo: (viewer, departments) => canSeeCase(viewer, p.case, departments),
      present: (viewer, calendar) => ({
        ...base,
        type,
        data: { ...presentCase(p, viewer, new Date(event.at), calendar), step: p.step },
      }),
    };
  }
  if (event.type === 'alarm.raised' || event.type === 'alarm.cleared') {
    const parsed = alarmEventPayloadSchema.safeParse(event.payload);
    if (!parsed.success) return null;
    const a = parsed.data;
    const type = event.type;
    return {
      channels: placeChannels(a.placePath),
      visibleTo: (viewer) =>
        alarmViewers.includes(viewer.role) && inScope(viewer.scope, { path: a.placePath, gridId: a.gridId }),
      present: () => ({
        ...base,
        type,
        data: {
          alarmId: a.alarmId,
          ruleId: a.ruleId,
          deviceId: a.deviceId,
          deviceCode: a.deviceCode,
          deviceKind: a.deviceKind,
          placeId: a.placeId,
          gridId: a.gridId,
          location: a.location,
          category: a.category,
          severity: a.severity,
          title: a.title,
          detection: a.detection ?? null,
          count: a.count,
          firstAt: a.firstAt,
          lastAt: a.lastAt,
        },
      }),
    };
  }
  if (event.type === 'twin.state' || event.type === 'twin.device-state') {
    const p = event.payload as { placeId?: unknown; placePath?: unknown; gridId?: unknown };
    if (typeof p?.placeId !== 'string' || typeof p.placePath !== 'string') return null;
    const path = p.placePath;
    const gridId = typeof p.gridId === 'string' ? p.gridId : null;
    const { placePath: _hidden, ...rest } = p as TwinStateView & { placePath: string };
    const data: TwinStateView =
      event.type === 'twin.device-state' ? { kind: 'device-state', ...rest } : (rest as TwinStateView);
    return {
      channels: placeChannels(path),
      visibleTo: (viewer) => alarmViewers.includes(viewer.role) && inScope(viewer.scope, { path, gridId }),
      present: () => ({ ...base, type: 'twin.state', data }),
    };
  }
  return null;
}
