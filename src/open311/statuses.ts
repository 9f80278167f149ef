import type { CaseState } from '../cases/workflow.ts';

// How our case workflow (src/cases/workflow.ts, CJ/T 315-2009) reads to Open311 clients.
//
// | state      | 中文    | GeoReport v2 `status` | mySociety extended status (servicerequestupdates) |
// | ---------- | ------- | --------------------- | ------------------------------------------------- |
// | reported   | 待立案  | open                  | OPEN                                              |
// | registered | 已立案  | open                  | INVESTIGATING                                     |
// | dispatched | 待签收  | open                  | ACTION_SCHEDULED                                  |
// | accepted   | 处置中  | open                  | IN_PROGRESS                                       |
// | handled    | 待核查  | open                  | IN_PROGRESS (fixed, awaiting 核查 verification)   |
// | returned   | 已回退  | open                  | INTERNAL_REFERRAL (back to the dispatcher)        |
// | verified   | 待结案  | closed                | FIXED (the fix is confirmed)                      |
// | closed     | 已结案  | closed                | FIXED                                             |
// | evaluated  | 已评价  | closed                | FIXED                                             |
// | voided     | 已作废  | closed                | DUPLICATE, NOT_COUNCILS_RESPONSIBILITY or         |
// |            |         |                       | NO_FURTHER_ACTION, by the reason given (voidKindOf)|
//
// GeoReport v2 "closed: it has been resolved": a case is resolved for the reporter once someone
// other than the handler has verified the fix (核查), before the paperwork of 结案.

/** GeoReport v2 status. */
export type Open311Status = 'open' | 'closed';

/** mySociety's extended statuses, as FixMyStreet reads them from `servicerequestupdates`. */
export type ExtendedStatus =
  | 'OPEN'
  | 'INVESTIGATING'
  | 'ACTION_SCHEDULED'
  | 'IN_PROGRESS'
  | 'INTERNAL_REFERRAL'
  | 'FIXED'
  | 'DUPLICATE'
  | 'NOT_COUNCILS_RESPONSIBILITY'
  | 'NO_FURTHER_ACTION';

/** Why a case was voided (作废), as far as the public is told. */
export type VoidKind = 'duplicate' | 'not-ours' | 'no-action';

type StateRow = { status: Open311Status; extended: ExtendedStatus; note: string };

/** The table above, with the status note shown when nobody wrote one. */
export const stateTable: Readonly<Record<CaseState, StateRow>> = {
  reported: { status: 'open', extended: 'OPEN', note: '已受理，待立案 Received, to be registered' },
  registered: { status: 'open', extended: 'INVESTIGATING', note: '已立案，待派遣 Registered, to be dispatched' },
  dispatched: {
    status: 'open',
    extended: 'ACTION_SCHEDULED',
    note: '已派遣至责任单位 Sent to the responsible unit',
  },
  accepted: { status: 'open', extended: 'IN_PROGRESS', note: '处置中 Being handled' },
  handled: { status: 'open', extended: 'IN_PROGRESS', note: '已处置，待核查 Handled, to be verified' },
  returned: {
    status: 'open',
    extended: 'INTERNAL_REFERRAL',
    note: '重新派遣中 Being sent to another unit',
  },
  verified: { status: 'closed', extended: 'FIXED', note: '已核查解决 Verified as fixed' },
  closed: { status: 'closed', extended: 'FIXED', note: '已结案 Closed' },
  evaluated: { status: 'closed', extended: 'FIXED', note: '已结案并回访 Closed, reporter called back' },
  voided: { status: 'closed', extended: 'NO_FURTHER_ACTION', note: '已作废 Closed without action' },
};

const voidExtended: Record<VoidKind, ExtendedStatus> = {
  duplicate: 'DUPLICATE',
  'not-ours': 'NOT_COUNCILS_RESPONSIBILITY',
  'no-action': 'NO_FURTHER_ACTION',
};

/** The GeoReport v2 status of a state. */
export function statusOf(state: CaseState): Open311Status {
  return stateTable[state].status;
}

/** The extended status of a state; a voided case says why it was voided. */
export function extendedStatusOf(state: CaseState, voidKind: VoidKind | null = null): ExtendedStatus {
  return state === 'voided' && voidKind ? voidExtended[voidKind] : stateTable[state].extended;
}

/** The states that read as one GeoReport v2 status (`status=open` filters). */
export function statesWithStatus(status: Open311Status): CaseState[] {
  return (Object.keys(stateTable) as CaseState[]).filter((s) => stateTable[s].status === status);
}

// The workflow records a void reason as free text (作废原因); these words say which public status
// it is. Checked in this order: a duplicate that is also "not ours" is reported as a duplicate.
const voidWords: readonly [VoidKind, RegExp][] = [
  ['duplicate', /重复|同一(事件|问题)|已(有|上报)|duplicate|already reported/i],
  ['not-ours', /不属于|非本|不归|职责|管辖|权属|其他部门|not (our|the council)|responsib|jurisdiction/i],
];

/** Which public status a void reason gives: duplicate, not ours, or no further action. */
export function voidKindOf(reason: string | null | undefined): VoidKind {
  if (!reason) return 'no-action';
  for (const [kind, words] of voidWords) if (words.test(reason)) return kind;
  return 'no-action';
}

/** Workflow actions whose note is meant for the reporter, so it becomes the public status note. */
export const publicNoteActions: ReadonlySet<string> = new Set(['handle', 'selfHandle', 'verify', 'close', 'void']);
