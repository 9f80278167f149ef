import { randomUUID } from 'node:crypto';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Scope } from '../kernel/auth/principal.ts';
import type { Role } from '../kernel/auth/roles.ts';
import { findUsersByIds } from '../kernel/auth/store.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { emitEvent, type OutboxListener } from '../kernel/events/outbox.ts';
import { conflict } from '../kernel/problems.ts';
import type { CasePeople, CaseSnapshot } from './presenters.ts';
import type { CaseRow, TimelineRow } from './store.ts';
import * as store from './store.ts';
import { accountableFor } from './workflow.ts';

// What every change of a case does, whoever makes it (a user, the alarm intake, the escalation
// scheduler): write the row, one timeline step, one audit record and one domain event, all in the
// caller's transaction.

/** Who acts on a case. The system acts as a dispatcher (auto-registration, auto-dispatch). */
export type CaseActor = { userId: string; name: string; role: Role; scope: Scope };

/** The system itself: alarm intake, dispatch rules, escalation. */
export const systemActor: CaseActor = {
  userId: 'system',
  name: '系统',
  role: 'dispatcher',
  scope: { placeId: null, path: null, gridId: null },
};

/** Version of the case event payloads (`case.created`, `case.updated`). */
export const caseEventVersion = 1;

/** Payload of `case.created` and `case.updated` in the outbox. */
export type CaseEventPayload = CaseSnapshot & {
  v: typeof caseEventVersion;
  /** The timeline step this change wrote. */
  step: { seq: number; action: string; actorId: string; at: string; note: string | null };
  /** Users to notify on their own channel (`user:<id>`): accountable people, reporter, escalation targets. */
  notify: string[];
};

/** The names and phones of the people on some cases, and their departments, for presenting. */
export async function snapshotsOf(db: Executor, rows: CaseRow[]): Promise<CaseSnapshot[]> {
  const ids = new Set<string>();
  for (const r of rows)
    for (const id of [r.reporter_id, r.assignee_id, r.first_responsible_id, r.handler_id, r.verifier_id])
      if (id && id !== 'system') ids.add(id);
  const users = await findUsersByIds(db, [...ids]);
  const people: CasePeople = Object.fromEntries(users.map((u) => [u.id, { name: u.display_name, phone: u.phone }]));
  const departmentIds = [...new Set(rows.map((r) => r.department_id).filter((d): d is string => d !== null))];
  const departments = new Map(
    (await store.findDepartmentsByIds(db, departmentIds)).map((d) => [d.id, { id: d.id, code: d.code, name: d.name }]),
  );
  return rows.map((r) => {
    const mine: CasePeople = {};
    for (const id of [r.reporter_id, r.assignee_id, r.first_responsible_id, r.handler_id, r.verifier_id])
      if (id && people[id]) mine[id] = people[id];
    return { case: r, people: mine, department: r.department_id ? (departments.get(r.department_id) ?? null) : null };
  });
}

/** One step to record on a case. */
export type CaseStep = {
  actor: CaseActor;
  action: string;
  note?: string | null | undefined;
  photos?: string[] | undefined;
  data?: Record<string, unknown>;
  /** Further users to notify besides the accountable people and the reporter. */
  notify?: (string | null)[];
};

/** Writes the timeline step of a case. */
export async function timelineWriter(
  unit: Unit,
  before: CaseRow | null,
  after: CaseRow,
  step: CaseStep,
): Promise<TimelineRow> {
  const row: TimelineRow = {
    id: randomUUID(),
    case_id: after.id,
    // Every change of a case bumps its version and writes one step, so the version numbers the steps.
    seq: after.version,
    at: unit.clock.now().toISOString(),
    actor_id: step.actor.userId,
    actor_name: step.actor.name,
    action: step.action,
    from_state: before?.state ?? null,
    to_state: after.state,
    note: step.note ?? null,
    photos: JSON.stringify(step.photos ?? []),
    data: JSON.stringify(step.data ?? {}),
  };
  await store.insertTimeline(unit.tx, row);
  return row;
}

/** What the audit log keeps of a case. */
function auditView(c: CaseRow) {
  return {
    state: c.state,
    assigneeId: c.assignee_id,
    firstResponsibleId: c.first_responsible_id,
    departmentId: c.department_id,
    acceptBy: c.accept_by,
    handleBy: c.handle_by,
    escalationLevel: c.escalation_level,
  };
}

/**
 * Records a change of a case: updates the row (refusing with 409 if someone changed it meanwhile),
 * writes the timeline step, the audit record and the `case.created`/`case.updated` event, and
 * returns the new row. `before` null means the case is new (its row is inserted).
 */
export async function caseChangeRecorder(
  unit: Unit,
  wake: OutboxListener | undefined,
  before: CaseRow | null,
  after: CaseRow,
  step: CaseStep,
): Promise<CaseRow> {
  const now = unit.clock.now().toISOString();
  let row: CaseRow = { ...after, updated_at: now };
  if (before === null) {
    await store.insertCase(unit.tx, row);
  } else {
    if (!(await store.updateCase(unit.tx, before.id, before.version, row)))
      throw conflict(`case ${before.code} was changed meanwhile; reload it and try again`);
    row = { ...row, version: before.version + 1 };
  }
  const timeline = await timelineWriter(unit, before, row, step);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: `case.${step.action}`,
    subjectType: 'case',
    subjectId: row.id,
    ...(before ? { before: auditView(before) } : {}),
    after: { ...auditView(row), ...(step.note ? { note: step.note } : {}) },
  });
  const [snapshot] = await snapshotsOf(unit.tx, [row]);
  const notify = [
    ...new Set(
      [...accountableFor(row.first_responsible_id, row.assignee_id), row.reporter_id, ...(step.notify ?? [])].filter(
        (id): id is string => !!id && id !== 'system',
      ),
    ),
  ];
  const payload: CaseEventPayload = {
    ...snapshot!,
    v: caseEventVersion,
    step: { seq: timeline.seq, action: step.action, actorId: step.actor.userId, at: timeline.at, note: timeline.note },
    notify,
  };
  await emitEvent(
    unit,
    { type: before === null ? 'case.created' : 'case.updated', subjectType: 'case', subjectId: row.id, payload },
    wake,
  );
  return row;
}
