import type { Principal } from '../kernel/auth/principal.ts';
import { type Role, staffRoles } from '../kernel/auth/roles.ts';
import { maskEmail, maskName, maskPhone } from '../kernel/privacy.ts';
import type { WorkingCalendar } from './calendar.ts';
import { casePolicy } from './policy.ts';
import {
  type CaseDetailView,
  type CaseSource,
  type CaseView,
  caseSourceSchema,
  caseStateLabels,
  type PersonView,
  type ReporterView,
  type Satisfaction,
  type SlaLight,
  satisfactionSchema,
  type TimelineEntryView,
} from './schema.ts';
import type { CaseAlarmRow, CaseRow, TimelineRow } from './store.ts';
import { categoryByCode } from './time-limits.ts';
import { accountableFor, availableActions, type CaseState, caseStateSchema } from './workflow.ts';

/** Names and work phones of the people on a case, by user id. */
export type CasePeople = Record<string, { name: string; phone: string | null }>;

/**
 * Everything a case presenter needs, and what `case.created` / `case.updated` events carry in the
 * outbox, so that HTTP answers and pushes come from the same presenter.
 */
export type CaseSnapshot = {
  case: CaseRow;
  people: CasePeople;
  department: { id: string; code: string; name: string } | null;
};

/**
 * Yellow light: less than this share of the handling time is left. Time is measured as the
 * category's limit runs: working time on the calendar for working-hour/day and 事不隔夜 limits,
 * wall-clock time for round-the-clock (minutes) limits.
 */
export const slaYellowShare = 0.25;

const unhandled: readonly CaseState[] = ['dispatched', 'accepted'];

/**
 * The case's traffic light at `now`: red when the handling deadline has passed, or the case was
 * not accepted (签收) in time; yellow when less than `slaYellowShare` of the handling time is left;
 * green otherwise. No light before dispatch and after handling.
 */
export function slaOf(
  row: Pick<CaseRow, 'state' | 'category' | 'received_at' | 'accept_by' | 'handle_by' | 'handled_at'>,
  now: Date,
  calendar: WorkingCalendar,
): CaseView['sla'] {
  if (!row.handle_by) return { light: null, overdue: false, remainingMinutes: null };
  const handleBy = new Date(row.handle_by);
  const state = caseStateSchema.parse(row.state);
  if (!unhandled.includes(state)) {
    const late = row.handled_at !== null && new Date(row.handled_at) > handleBy;
    return { light: null, overdue: late, remainingMinutes: null };
  }
  const remainingMinutes = Math.round((handleBy.getTime() - now.getTime()) / 60_000);
  const overdue = now > handleBy;
  const acceptLate = state === 'dispatched' && row.accept_by !== null && now > new Date(row.accept_by);
  let light: SlaLight = 'green';
  if (overdue || acceptLate) light = 'red';
  else if (row.received_at) {
    const start = new Date(row.received_at);
    const wall = categoryByCode(row.category)?.handle.unit === 'minutes';
    const measure = (a: Date, b: Date) =>
      wall ? (b.getTime() - a.getTime()) / 3_600_000 : calendar.workingHoursBetween(a, b);
    const total = measure(start, handleBy);
    const left = measure(now, handleBy);
    if (total > 0 && left / total < slaYellowShare) light = 'yellow';
  }
  return { light, overdue, remainingMinutes };
}

/**
 * Where a case is shown: `detail` — one case (`GET /api/cases/{id}`, an action's answer, a push),
 * where a dispatcher calls the reporter back; `list` — many cases at once (the case list, exports),
 * where nobody but the reporter needs their contact details, so they are masked for everyone else.
 */
export type CaseViewKind = 'detail' | 'list';

/** Whether the viewer may see a reporter's contact details in full. */
function seesReporter(viewer: Principal, reporterId: string | null, kind: CaseViewKind = 'detail'): boolean {
  if (reporterId !== null && viewer.userId === reporterId) return true;
  return kind === 'detail' && (casePolicy.seeReporter as readonly Role[]).includes(viewer.role);
}

/** The reporter of a case and their contact details (given on the report, else their account's). */
function reporterOf(s: CaseSnapshot, viewer: Principal, kind: CaseViewKind): ReporterView | null {
  const c = s.case;
  const account = c.reporter_id ? s.people[c.reporter_id] : undefined;
  const name = c.reporter_name ?? account?.name ?? null;
  const phone = c.reporter_phone ?? account?.phone ?? null;
  const email = c.reporter_email ?? null;
  if (!c.reporter_id && !name && !phone && !email) return null;
  const full = seesReporter(viewer, c.reporter_id, kind);
  return {
    id: c.reporter_id ?? '',
    name: full ? name : maskName(name),
    phone: full ? phone : maskPhone(phone),
    email: full ? email : maskEmail(email),
  };
}

function staffPerson(people: CasePeople, id: string | null, viewer: Principal): PersonView | null {
  if (!id) return null;
  const p = people[id];
  const full = staffRoles.includes(viewer.role);
  if (!p) return { id, name: id === 'system' ? '系统' : null, phone: null };
  return { id, name: full ? p.name : maskName(p.name), phone: full ? p.phone : maskPhone(p.phone) };
}

/** A case as `viewer` may see it at `now` (for HTTP and for WebSocket pushes alike). */
export function presentCase(
  s: CaseSnapshot,
  viewer: Principal,
  now: Date,
  calendar: WorkingCalendar,
  kind: CaseViewKind = 'detail',
): CaseView {
  const c = s.case;
  const state = caseStateSchema.parse(c.state);
  const reporter = reporterOf(s, viewer, kind);
  const category = categoryByCode(c.category);
  const open = !['closed', 'evaluated', 'voided'].includes(state);
  return {
    id: c.id,
    code: c.code,
    source: caseSourceSchema.parse(c.source) as CaseSource,
    category: { code: c.category, name: category?.name ?? c.category },
    eventClass: c.event_class,
    severity: c.severity,
    title: c.title,
    description: c.description,
    state,
    stateLabel: caseStateLabels[state],
    placeId: c.place_id,
    gridId: c.grid_id,
    location: c.lng !== null && c.lat !== null ? [c.lng, c.lat] : null,
    address: c.address,
    reporter,
    department: s.department,
    assignee: staffPerson(s.people, c.assignee_id, viewer),
    firstResponsible: staffPerson(s.people, c.first_responsible_id, viewer),
    handler: staffPerson(s.people, c.handler_id, viewer),
    verifier: staffPerson(s.people, c.verifier_id, viewer),
    accountable: open ? accountableFor(c.first_responsible_id, c.assignee_id) : [],
    dispatch: {
      auto: c.dispatch_auto === null ? null : c.dispatch_auto === 1,
      accurate: c.dispatch_accurate === null ? null : c.dispatch_accurate === 1,
      at: c.received_at && c.dispatched_at ? c.received_at : null,
    },
    deadlines: c.accept_by && c.handle_by ? { acceptBy: c.accept_by, handleBy: c.handle_by } : null,
    sla: slaOf(c, now, calendar),
    extension: { pending: c.extension_pending === 1, until: c.extension_until, reason: c.extension_reason },
    extensionCount: c.extension_count,
    reworkCount: c.rework_count,
    escalationLevel: c.escalation_level,
    reminderCount: c.reminder_count,
    alarmCount: c.alarm_count,
    satisfaction: c.satisfaction ? (satisfactionSchema.parse(c.satisfaction) as Satisfaction) : null,
    availableActions: availableActions(state, viewer.role),
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    registeredAt: c.registered_at,
    acceptedAt: c.accepted_at,
    handledAt: c.handled_at,
    verifiedAt: c.verified_at,
    closedAt: c.closed_at,
    evaluatedAt: c.evaluated_at,
  };
}

/** One timeline step; the reporter's name follows the reporter rule, staff names the staff rule. */
export function presentTimelineEntry(
  row: TimelineRow,
  reporterId: string | null,
  viewer: Principal,
): TimelineEntryView {
  const isReporter = reporterId !== null && row.actor_id === reporterId;
  const full = isReporter
    ? seesReporter(viewer, reporterId)
    : staffRoles.includes(viewer.role) || row.actor_id === 'system';
  return {
    seq: row.seq,
    at: row.at,
    actor: { id: row.actor_id, name: full ? row.actor_name : maskName(row.actor_name) },
    action: row.action,
    fromState: row.from_state,
    toState: row.to_state,
    note: row.note,
    photos: JSON.parse(row.photos),
    data: JSON.parse(row.data),
  };
}

/** `GET /api/cases/{id}`: the case with its timeline and alarms. */
export function presentCaseDetail(
  s: CaseSnapshot,
  timeline: TimelineRow[],
  alarms: CaseAlarmRow[],
  viewer: Principal,
  now: Date,
  calendar: WorkingCalendar,
): CaseDetailView {
  return {
    ...presentCase(s, viewer, now, calendar),
    timeline: timeline.map((t) => presentTimelineEntry(t, s.case.reporter_id, viewer)),
    alarms: alarms.map((a) => ({
      alarmId: a.alarm_id,
      deviceId: a.device_id,
      count: a.count,
      firstAt: a.first_at,
      lastAt: a.last_at,
      clearedAt: a.cleared_at,
    })),
  };
}
