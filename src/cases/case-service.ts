import { randomUUID } from 'node:crypto';
import { inScope } from '../kernel/auth/principal.ts';
import { findUserById } from '../kernel/auth/store.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import type { OutboxListener } from '../kernel/events/outbox.ts';
import { badRequest, conflict, outsideScope, Problem } from '../kernel/problems.ts';
import { findGrid, findPlace } from '../twin/store.ts';
import type { TwinIndex } from '../twin/twin-index.ts';
import { workingCalendar } from './calendar-years.ts';
import { type CaseActor, caseChangeRecorder } from './case-steps.ts';
import { type DispatchChoice, departmentOwning, dispatchTarget } from './dispatch-rules.ts';
import { type TimerKind, type TimerPlan, timerPlanner } from './escalation.ts';
import type { CaseActionInput, CaseInput, CaseSource } from './schema.ts';
import type { CaseRow } from './store.ts';
import * as store from './store.ts';
import { type CaseCategory, categoryByCode, deadlineAfter, deadlinesFor } from './time-limits.ts';
import { type CaseState, caseStateSchema, refusalStatus, transition, workflow } from './workflow.ts';

/** A report ready to become a case: where, what, who reported. */
export type NewCase = {
  source: CaseSource;
  category: CaseCategory;
  title: string;
  description: string;
  placeId: string;
  path: string;
  gridId: string | null;
  location: [number, number] | null;
  address: string | null;
  reporterId: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  reporterEmail: string | null;
  photos: string[];
  severity?: string | undefined;
  /** Alarms the case starts with (alarm intake). */
  alarmCount?: number;
  /** Extra facts for the first timeline step (the alarm, the detection). */
  data?: Record<string, unknown>;
};

const sourceOfRole: Partial<Record<CaseActor['role'], CaseSource[]>> = {
  resident: ['resident'],
  worker: ['patrol'],
  enterprise: ['enterprise'],
  dispatcher: ['hotline', 'resident', 'patrol', 'enterprise'],
};

/**
 * Who may put contact details on a report: a dispatcher the hotline caller's, a resident or an
 * enterprise their own (optional, never public). A grid worker on patrol reports as staff.
 */
const contactRoles: readonly CaseActor['role'][] = ['dispatcher', 'resident', 'enterprise'];

/**
 * Turns a `POST /api/cases` body into a report: checks the category, the source the role may use,
 * finds the place and grid of the point (spatial index), and refuses places outside the reporter's
 * scope (403 outside-scope). Contact details only from `contactRoles`.
 */
export async function reportResolver(
  tx: Executor,
  twin: TwinIndex,
  actor: CaseActor,
  input: CaseInput,
): Promise<NewCase> {
  const category = categoryByCode(input.category);
  if (!category) throw badRequest(`unknown category ${input.category}`, [{ pointer: '/category', detail: 'unknown' }]);
  const allowed = sourceOfRole[actor.role] ?? [];
  const source = input.source ?? allowed[0];
  if (!source || !allowed.includes(source))
    throw badRequest(`a ${actor.role} cannot report as ${input.source}`, [
      { pointer: '/source', detail: 'not allowed' },
    ]);
  const contact = (['reporterName', 'reporterPhone', 'reporterEmail'] as const).find((k) => input[k] !== undefined);
  if (contact && !contactRoles.includes(actor.role))
    throw badRequest(`a ${actor.role} reports as themself: no contact details`, [
      { pointer: `/${contact}`, detail: 'not allowed' },
    ]);
  const located = input.location ? twin.locate(input.location[0], input.location[1]) : null;
  let placeId = input.placeId ?? located?.compoundId ?? null;
  if (!placeId && located?.gridId) placeId = (await findGrid(tx, located.gridId))?.community_id ?? null;
  if (!placeId)
    throw badRequest('the point lies in no compound or grid; give placeId', [
      { pointer: '/location', detail: 'unknown place' },
    ]);
  const place = await findPlace(tx, placeId);
  if (!place) throw badRequest(`place ${placeId} does not exist`, [{ pointer: '/placeId', detail: 'unknown place' }]);
  const location: [number, number] | null =
    input.location ?? (place.lng !== null && place.lat !== null ? [place.lng, place.lat] : null);
  // The point's grid counts only if it lies in the place's community; otherwise the place's own grid.
  const pointGrid = located?.gridId ? await findGrid(tx, located.gridId) : undefined;
  const gridId =
    pointGrid && place.path.startsWith(pointGrid.path)
      ? pointGrid.id
      : (place.grid_id ?? (location && !input.location ? twin.locate(location[0], location[1]).gridId : null));
  if (!inScope(actor.scope, { path: place.path, gridId }))
    throw outsideScope(`place ${place.code} is outside your area of responsibility`);
  return {
    source,
    category,
    title: input.title ?? `${category.name} · ${place.name}`,
    description: input.description,
    placeId: place.id,
    path: place.path,
    gridId,
    location,
    address: input.address ?? null,
    // A dispatcher reports on a caller's behalf: the caller (name, phone) is the reporter.
    reporterId: actor.role === 'dispatcher' ? null : actor.userId,
    reporterName: input.reporterName ?? null,
    reporterPhone: input.reporterPhone ?? null,
    reporterEmail: input.reporterEmail ?? null,
    photos: input.photos,
  };
}

/** Creates a case in state `reported` (上报), with its first timeline step, audit and `case.created`. */
export async function caseCreator(unit: Unit, wake: OutboxListener | undefined, actor: CaseActor, n: NewCase) {
  const now = unit.clock.now();
  const calendar = await workingCalendar(unit.tx);
  const day = calendar.localDate(now).replaceAll('-', '');
  const number = await store.nextCaseNumber(unit.tx, day);
  const row: CaseRow = {
    id: randomUUID(),
    code: `${day}${String(number).padStart(5, '0')}`,
    source: n.source,
    category: n.category.code,
    event_class: n.category.eventClass,
    severity: n.severity ?? n.category.severity,
    title: n.title,
    description: n.description,
    state: 'reported',
    place_id: n.placeId,
    path: n.path,
    grid_id: n.gridId,
    lng: n.location?.[0] ?? null,
    lat: n.location?.[1] ?? null,
    address: n.address,
    reporter_id: n.reporterId,
    reporter_name: n.reporterName,
    reporter_phone: n.reporterPhone,
    reporter_email: n.reporterEmail,
    department_id: null,
    assignee_id: null,
    first_responsible_id: null,
    handler_id: null,
    verifier_id: null,
    dispatch_auto: null,
    dispatch_accurate: null,
    received_at: null,
    accept_by: null,
    handle_by: null,
    registered_at: null,
    dispatched_at: null,
    accepted_at: null,
    handled_at: null,
    verified_at: null,
    closed_at: null,
    evaluated_at: null,
    voided_at: null,
    extension_pending: 0,
    extension_until: null,
    extension_reason: null,
    extension_count: 0,
    rework_count: 0,
    satisfaction: null,
    escalation_level: 0,
    reminder_count: 0,
    alarm_count: n.alarmCount ?? 0,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    version: 1,
  };
  return caseChangeRecorder(unit, wake, null, row, {
    actor,
    action: 'report',
    note: n.description || null,
    photos: n.photos,
    data: { source: n.source, ...(n.data ?? {}) },
  });
}

const allTimers: readonly TimerKind[] = ['accept', 'handle', 'subdistrict', 'remind'];
const handleTimers: readonly TimerKind[] = ['handle', 'subdistrict', 'remind'];

/** Checks that a dispatch or transfer target is an active worker or handler whose scope covers the case. */
async function checkTarget(tx: Executor, c: CaseRow, targetId: string): Promise<void> {
  const u = await findUserById(tx, targetId);
  const problem = (detail: string) =>
    badRequest(`cannot assign to ${targetId}: ${detail}`, [{ pointer: '/targetId', detail }]);
  if (!u || u.disabled) throw problem('no such active user');
  if (!['worker', 'handler'].includes(u.role)) throw problem('not a grid worker or handler');
  if (!inScope({ placeId: null, path: u.scope_path, gridId: null }, { path: c.path, gridId: null }))
    throw problem('the case lies outside their area');
}

/**
 * Takes one workflow action on a case (`POST /api/cases/{id}/actions`): the transition table
 * decides (409 illegal, 403 forbidden, 400 missing input); this applies the state, the effects,
 * deadlines on the working calendar, escalation timers, and records the step.
 */
export async function caseActionTaker(
  unit: Unit,
  wake: OutboxListener | undefined,
  actor: CaseActor,
  c: CaseRow,
  input: CaseActionInput,
  /** The dispatch rules' choice when the caller already asked them (`auto` dispatch). */
  chosen?: DispatchChoice,
): Promise<CaseRow> {
  const now = unit.clock.now();
  const nowIso = now.toISOString();
  const calendar = await workingCalendar(unit.tx);
  const category = categoryByCode(c.category);
  if (!category) throw conflict(`case ${c.code} has an unknown category ${c.category}`);
  const state = caseStateSchema.parse(c.state) as CaseState;
  let targetId = input.targetId ?? null;
  let departmentId: string | null | undefined;
  let via: string | null = null;
  const auto = input.action === 'dispatch' && input.auto === true && !targetId;
  if (auto && workflow.dispatch.moves[state] !== undefined && workflow.dispatch.roles.includes(actor.role)) {
    const choice =
      chosen ??
      (await dispatchTarget(
        unit.tx,
        { category: c.category, gridId: c.grid_id, path: c.path },
        now,
        calendar.offsetMinutes,
      ));
    if (!choice)
      throw conflict(`nobody to dispatch case ${c.code} to: no department handler, duty roster, grid worker or head`);
    targetId = choice.userId;
    departmentId = choice.departmentId;
    via = choice.via;
  }
  const result = transition(state, input.action, actor.role, {
    actorId: actor.userId,
    assigneeId: c.assignee_id,
    handlerId: c.handler_id,
    reporterId: c.reporter_id,
    firstResponsibleId: c.first_responsible_id,
    extensionPending: c.extension_pending === 1,
    reason: input.reason ?? null,
    targetId,
    until: input.until ? new Date(input.until) : null,
  });
  if (!result.ok) {
    const status = refusalStatus[result.code];
    const title = { 400: '请求无效 Bad request', 403: '无权操作 Forbidden', 409: '状态不允许 Not allowed now' }[status];
    throw new Problem(status, result.code, title, result.message);
  }
  if (input.action === 'evaluate' && !input.satisfaction)
    throw badRequest('say how satisfied the reporter is', [{ pointer: '/satisfaction', detail: 'required' }]);
  if ((input.action === 'dispatch' || input.action === 'transfer') && !auto && targetId) {
    await checkTarget(unit.tx, c, targetId);
    const owner = await departmentOwning(unit.tx, c.category);
    const members = owner ? await store.membersOf(unit.tx, [owner.id]) : [];
    departmentId = owner && members.some((m) => m.user_id === targetId) ? owner.id : null;
  }

  const after: CaseRow = { ...c, state: result.state };
  const plan: { cancel: Set<TimerKind>; add: TimerPlan['add'] } = { cancel: new Set(), add: [] };
  const notify: (string | null)[] = [];
  switch (input.action) {
    case 'register':
      after.registered_at = nowIso;
      break;
    case 'dispatch':
      after.dispatch_auto = auto ? 1 : 0;
      after.dispatch_accurate = c.dispatch_accurate ?? 1;
      after.department_id = departmentId ?? null;
      break;
    case 'transfer':
      // 准确派遣率: a transfer shows the dispatch was wrong; the old assignee still hears of it.
      after.dispatch_accurate = 0;
      after.dispatch_auto = 0;
      after.department_id = departmentId ?? null;
      notify.push(c.assignee_id);
      break;
    case 'return':
      after.dispatch_accurate = 0;
      break;
    case 'accept':
      after.accepted_at = nowIso;
      plan.cancel.add('accept');
      break;
    case 'selfHandle':
      after.registered_at = nowIso;
      after.accepted_at = nowIso;
      break;
    case 'close':
      after.closed_at = nowIso;
      break;
    case 'evaluate':
      after.evaluated_at = nowIso;
      after.satisfaction = input.satisfaction ?? null;
      break;
    case 'void':
      after.voided_at = nowIso;
      for (const k of allTimers) plan.cancel.add(k);
      break;
  }
  for (const e of result.effects) {
    switch (e.kind) {
      case 'assign': {
        after.assignee_id = e.assigneeId;
        // Deadlines run from when the responsible person receives the case; a self-handled case from the report.
        const received = input.action === 'selfHandle' ? new Date(c.created_at) : now;
        const d = deadlinesFor(category, received, calendar);
        after.received_at = received.toISOString();
        after.accept_by = d.acceptBy.toISOString();
        after.handle_by = d.handleBy.toISOString();
        for (const k of allTimers) plan.cancel.add(k);
        if (input.action !== 'selfHandle') {
          after.dispatched_at = c.dispatched_at ?? nowIso;
          plan.add.push({ kind: 'accept', dueAt: after.accept_by }, { kind: 'handle', dueAt: after.handle_by });
        }
        break;
      }
      case 'unassign':
        after.assignee_id = null;
        for (const k of allTimers) plan.cancel.add(k);
        break;
      case 'record-first-responsible':
        after.first_responsible_id ??= e.userId;
        break;
      case 'record-handler':
        after.handler_id = e.userId;
        after.handled_at = nowIso;
        for (const k of allTimers) plan.cancel.add(k);
        break;
      case 'record-verifier':
        after.verifier_id = e.userId;
        after.verified_at = nowIso;
        break;
      case 'restart-handle-clock':
        after.handle_by = deadlineAfter(category.handle, now, calendar).toISOString();
        after.handled_at = null;
        after.rework_count = c.rework_count + 1;
        for (const k of handleTimers) plan.cancel.add(k);
        plan.add.push({ kind: 'handle', dueAt: after.handle_by });
        break;
      case 'open-extension':
        after.extension_pending = 1;
        after.extension_until = e.until.toISOString();
        after.extension_reason = e.reason;
        break;
      case 'grant-extension':
        after.extension_pending = 0;
        after.extension_until = e.until.toISOString();
        after.extension_count = c.extension_count + 1;
        after.handle_by = e.until.toISOString();
        for (const k of handleTimers) plan.cancel.add(k);
        plan.add.push({ kind: 'handle', dueAt: after.handle_by });
        break;
      case 'refuse-extension':
        after.extension_pending = 0;
        after.extension_until = null;
        break;
    }
  }
  await timerPlanner(unit, c.id, { cancel: [...plan.cancel], add: plan.add });
  return caseChangeRecorder(unit, wake, c, after, {
    actor,
    action: input.action,
    note: input.note ?? input.reason ?? null,
    photos: input.photos,
    data: {
      ...(targetId && (input.action === 'dispatch' || input.action === 'transfer') ? { to: targetId, auto, via } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.until ? { until: input.until } : {}),
      ...(input.satisfaction ? { satisfaction: input.satisfaction } : {}),
    },
    notify,
  });
}

/**
 * Dispatches a registered case by the dispatch rules as the system; returns null (and changes
 * nothing) when the rules find nobody, leaving the case in the dispatchers' queue.
 */
export async function autoDispatcher(
  unit: Unit,
  wake: OutboxListener | undefined,
  actor: CaseActor,
  c: CaseRow,
): Promise<CaseRow | null> {
  const calendar = await workingCalendar(unit.tx);
  const choice = await dispatchTarget(
    unit.tx,
    { category: c.category, gridId: c.grid_id, path: c.path },
    unit.clock.now(),
    calendar.offsetMinutes,
  );
  if (!choice) return null;
  return caseActionTaker(unit, wake, actor, c, { action: 'dispatch', auto: true }, choice);
}
