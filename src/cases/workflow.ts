import { z } from 'zod';
import type { Role } from '../kernel/auth/roles.ts';

// The case workflow (案件流转) of the digital urban-management closed loop, CJ/T 315-2009:
// a transition table plus guards, pure. The case service loads the case, calls `transition`,
// then persists the new state and applies the returned effects in one transaction.

/** Every state a case can be in. */
export const caseStates = [
  'reported', // 信息采集/上报: received, not yet a case
  'registered', // 立案: accepted as a valid case
  'dispatched', // 派遣: sent to a worker or department, awaiting 签收
  'accepted', // 签收: the assignee acknowledged it and is working on it
  'handled', // 处置(反馈): the assignee reports it fixed, with photos and notes
  'verified', // 核查: someone other than the handler confirmed the fix
  'closed', // 结案
  'evaluated', // 评价: satisfaction recorded (回访)
  'returned', // 回退: the assignee sent it back as not their remit
  'voided', // 作废: invalid, duplicate or out of scope
] as const;

export const caseStateSchema = z.enum(caseStates);
export type CaseState = z.infer<typeof caseStateSchema>;

/** States after which nothing more happens. */
export const finalStates: readonly CaseState[] = ['evaluated', 'voided'];

/** Every action a user can take on a case (`POST /api/cases/{id}/actions` with `{ action }`). */
export const caseActions = [
  'register', // 立案
  'dispatch', // 派遣 (also re-dispatch of a returned case)
  'accept', // 签收
  'handle', // 处置反馈
  'selfHandle', // 自行处置: a worker reports and fixes on the spot
  'verify', // 核查通过
  'rework', // 返工: 核查 failed, back to the same handler
  'close', // 结案
  'evaluate', // 评价
  'return', // 回退 (with reason)
  'void', // 作废 (with reason)
  'transfer', // 转派: reassign to someone else
  'requestExtension', // 申请延期
  'grantExtension', // 批准延期
  'refuseExtension', // 驳回延期
] as const;

export const caseActionSchema = z.enum(caseActions);
export type CaseAction = z.infer<typeof caseActionSchema>;

/**
 * What the workflow needs to know about the case and the request. Ids are user ids.
 * The service fills the case facts from the stored case and the rest from the request body.
 */
export type TransitionContext = {
  /** The user taking the action. */
  actorId: string;
  /** Current assignee (派遣对象), if any. */
  assigneeId?: string | null;
  /** Who reported 处置反馈 last (the handler). */
  handlerId?: string | null;
  /** Who reported the case (上报人). */
  reporterId?: string | null;
  /** 首问负责人, if already recorded. */
  firstResponsibleId?: string | null;
  /** Whether an extension request awaits a decision. */
  extensionPending?: boolean;
  /** Why (回退, 作废, 返工, 延期 and its refusal). */
  reason?: string | null;
  /** The new assignee, for `dispatch` and `transfer`. */
  targetId?: string | null;
  /** The new handling deadline, for `requestExtension` (asked) and `grantExtension` (approved). */
  until?: Date | null;
};

/** Why a transition was refused; `refusalStatus` maps each to an HTTP status. */
export type RefusalCode =
  | 'illegal-transition'
  | 'forbidden'
  | 'not-assignee'
  | 'not-reporter'
  | 'handler-cannot-verify'
  | 'missing-reason'
  | 'missing-target'
  | 'same-assignee'
  | 'missing-until'
  | 'extension-pending'
  | 'no-pending-extension';

/** HTTP status of each refusal: 409 for the case's state, 403 for who acts, 400 for missing input. */
export const refusalStatus: Record<RefusalCode, 400 | 403 | 409> = {
  'illegal-transition': 409,
  forbidden: 403,
  'not-assignee': 403,
  'not-reporter': 403,
  'handler-cannot-verify': 403,
  'missing-reason': 400,
  'missing-target': 400,
  'same-assignee': 400,
  'missing-until': 400,
  'extension-pending': 409,
  'no-pending-extension': 409,
};

/** Something the service must record besides the new state; the workflow decides, the service stores. */
export type CaseEffect =
  | { kind: 'assign'; assigneeId: string } // dispatch, transfer, selfHandle: restart the accept clock
  | { kind: 'unassign' } // return: back to the dispatcher's queue
  | { kind: 'record-first-responsible'; userId: string } // 首问负责, only once
  | { kind: 'record-handler'; userId: string } // handle, selfHandle: stop the handle clock
  | { kind: 'record-verifier'; userId: string }
  | { kind: 'restart-handle-clock' } // rework: a new handling deadline from now
  | { kind: 'open-extension'; until: Date; reason: string }
  | { kind: 'grant-extension'; until: Date } // the handling deadline moves to `until`
  | { kind: 'refuse-extension'; reason: string };

/** The outcome of `transition`. */
export type TransitionResult =
  | { ok: true; state: CaseState; effects: CaseEffect[] }
  | { ok: false; code: RefusalCode; message: string };

type Guard = (c: TransitionContext) => { code: RefusalCode; message: string } | null;
/** One action's row of the transition table. */
export type WorkflowRule = {
  /** From-state → to-state; the action is illegal from any state not listed. */
  moves: Partial<Record<CaseState, CaseState>>;
  roles: readonly Role[];
  guards: readonly Guard[];
  /** Extra guards for some roles only. */
  roleGuards?: Partial<Record<Role, Guard>>;
  effects?: (c: TransitionContext) => CaseEffect[];
};

const present = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

const needsReason: Guard = (c) =>
  present(c.reason) ? null : { code: 'missing-reason', message: 'a reason is required' };
const needsTarget: Guard = (c) =>
  present(c.targetId) ? null : { code: 'missing-target', message: 'say who to assign' };
const needsUntil: Guard = (c) =>
  c.until instanceof Date && Number.isFinite(c.until.getTime())
    ? null
    : { code: 'missing-until', message: 'the new handling deadline is required' };
const byAssignee: Guard = (c) =>
  present(c.assigneeId) && c.assigneeId === c.actorId
    ? null
    : { code: 'not-assignee', message: 'only the assignee may do this' };
const byReporter: Guard = (c) =>
  present(c.reporterId) && c.reporterId === c.actorId
    ? null
    : { code: 'not-reporter', message: 'only the reporter may do this' };
// 核查 by someone other than the handler (DOMAIN.md "首问负责、事不隔夜、闭环办理")
const notByHandler: Guard = (c) =>
  c.handlerId === c.actorId ? { code: 'handler-cannot-verify', message: 'the handler cannot verify own work' } : null;
const toSomeoneElse: Guard = (c) =>
  c.targetId === c.assigneeId ? { code: 'same-assignee', message: 'already assigned to that person' } : null;
const noPending: Guard = (c) =>
  c.extensionPending ? { code: 'extension-pending', message: 'an extension request already awaits a decision' } : null;
const pending: Guard = (c) =>
  c.extensionPending ? null : { code: 'no-pending-extension', message: 'no extension request to decide' };
const firstResponsible = (c: TransitionContext): CaseEffect[] =>
  present(c.firstResponsibleId) ? [] : [{ kind: 'record-first-responsible', userId: c.actorId }];

const staff: readonly Role[] = ['worker', 'handler'];

/** The transition table: one rule per action. */
export const workflow: Readonly<Record<CaseAction, WorkflowRule>> = {
  register: { moves: { reported: 'registered' }, roles: ['dispatcher'], guards: [] },
  dispatch: {
    moves: { registered: 'dispatched', returned: 'dispatched' },
    roles: ['dispatcher'],
    guards: [needsTarget],
    effects: (c) => [{ kind: 'assign', assigneeId: c.targetId! }],
  },
  accept: { moves: { dispatched: 'accepted' }, roles: staff, guards: [byAssignee], effects: firstResponsible },
  handle: {
    moves: { accepted: 'handled' },
    roles: staff,
    guards: [byAssignee],
    effects: (c) => [{ kind: 'record-handler', userId: c.actorId }],
  },
  selfHandle: {
    moves: { reported: 'handled' },
    roles: ['worker'],
    guards: [byReporter],
    effects: (c) => [
      { kind: 'assign', assigneeId: c.actorId },
      ...firstResponsible(c),
      { kind: 'record-handler', userId: c.actorId },
    ],
  },
  verify: {
    moves: { handled: 'verified' },
    roles: ['dispatcher'],
    guards: [notByHandler],
    effects: (c) => [{ kind: 'record-verifier', userId: c.actorId }],
  },
  // Back to `accepted`, not `dispatched`: the handler already owns the case and need not sign again.
  rework: {
    moves: { handled: 'accepted' },
    roles: ['dispatcher'],
    guards: [needsReason, notByHandler],
    effects: () => [{ kind: 'restart-handle-clock' }],
  },
  close: { moves: { verified: 'closed' }, roles: ['dispatcher'], guards: [] },
  // Residents rate only the cases they reported; a dispatcher records a call-back (回访) rating.
  evaluate: {
    moves: { closed: 'evaluated' },
    roles: ['resident', 'dispatcher'],
    guards: [],
    roleGuards: { resident: byReporter },
  },
  return: {
    moves: { dispatched: 'returned', accepted: 'returned' },
    roles: staff,
    guards: [needsReason, byAssignee],
    effects: () => [{ kind: 'unassign' }],
  },
  void: {
    moves: { reported: 'voided', registered: 'voided', dispatched: 'voided', returned: 'voided' },
    roles: ['dispatcher'],
    guards: [needsReason],
  },
  // The new assignee must sign again; the first-responsible person stays recorded (首问负责).
  transfer: {
    moves: { dispatched: 'dispatched', accepted: 'dispatched' },
    roles: ['dispatcher'],
    guards: [needsTarget, toSomeoneElse],
    effects: (c) => [{ kind: 'assign', assigneeId: c.targetId! }],
  },
  requestExtension: {
    moves: { accepted: 'accepted' },
    roles: staff,
    guards: [byAssignee, needsReason, needsUntil, noPending],
    effects: (c) => [{ kind: 'open-extension', until: c.until!, reason: c.reason!.trim() }],
  },
  grantExtension: {
    moves: { accepted: 'accepted' },
    roles: ['dispatcher'],
    guards: [pending, needsUntil],
    effects: (c) => [{ kind: 'grant-extension', until: c.until! }],
  },
  refuseExtension: {
    moves: { accepted: 'accepted' },
    roles: ['dispatcher'],
    guards: [pending, needsReason],
    effects: (c) => [{ kind: 'refuse-extension', reason: c.reason!.trim() }],
  },
};

/**
 * The next state of a case when `actorRole` takes `action`, or why not. Checks, in order: the
 * state allows the action (409), the role may take it (403), then the action's guards.
 */
export function transition(
  state: CaseState,
  action: CaseAction,
  actorRole: Role,
  context: TransitionContext,
): TransitionResult {
  const rule = workflow[action];
  const next = rule.moves[state];
  if (next === undefined) {
    return { ok: false, code: 'illegal-transition', message: `cannot ${action} a case that is ${state}` };
  }
  if (!rule.roles.includes(actorRole)) {
    return { ok: false, code: 'forbidden', message: `a ${actorRole} may not ${action} a case` };
  }
  const roleGuard = rule.roleGuards?.[actorRole];
  for (const guard of roleGuard ? [...rule.guards, roleGuard] : rule.guards) {
    const refusal = guard(context);
    if (refusal) return { ok: false, ...refusal };
  }
  return { ok: true, state: next, effects: rule.effects?.(context) ?? [] };
}

/** The actions the state allows a role, before guards; for buttons in the UI. */
export function availableActions(state: CaseState, role: Role): CaseAction[] {
  return caseActions.filter((a) => workflow[a].moves[state] !== undefined && workflow[a].roles.includes(role));
}

/** One step of a case's timeline, as far as 首问负责 cares. */
export type TimelineStep = { action: CaseAction; actorId: string };

/**
 * 首问负责: the first person who accepted the case (签收, or 自行处置 on the spot). Transfers,
 * returns and rework never change it, so that person stays listed and notified until closing.
 * Null until someone accepts.
 */
export function firstResponsibleOf(timeline: readonly TimelineStep[]): string | null {
  return timeline.find((s) => s.action === 'accept' || s.action === 'selfHandle')?.actorId ?? null;
}

/** Who is accountable for an open case: the first-responsible person and the current assignee. */
export function accountableFor(firstResponsibleId: string | null, assigneeId: string | null): string[] {
  return [...new Set([firstResponsibleId, assigneeId].filter(present))];
}
