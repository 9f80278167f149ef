import { describe, expect, it } from 'vitest';
import { type Role, roles } from '../kernel/auth/roles.ts';
import {
  accountableFor,
  availableActions,
  type CaseAction,
  type CaseEffect,
  type CaseState,
  caseActions,
  caseStates,
  firstResponsibleOf,
  type RefusalCode,
  refusalStatus,
  type TransitionContext,
  transition,
} from './workflow.ts';

// Written out by hand, independently of the table in workflow.ts, so that a change there fails here.
const legal: Record<CaseAction, Partial<Record<CaseState, CaseState>>> = {
  register: { reported: 'registered' },
  dispatch: { registered: 'dispatched', returned: 'dispatched' },
  accept: { dispatched: 'accepted' },
  handle: { accepted: 'handled' },
  selfHandle: { reported: 'handled' },
  verify: { handled: 'verified' },
  rework: { handled: 'accepted' },
  close: { verified: 'closed' },
  evaluate: { closed: 'evaluated' },
  return: { dispatched: 'returned', accepted: 'returned' },
  void: { reported: 'voided', registered: 'voided', dispatched: 'voided', returned: 'voided' },
  transfer: { dispatched: 'dispatched', accepted: 'dispatched' },
  requestExtension: { accepted: 'accepted' },
  grantExtension: { accepted: 'accepted' },
  refuseExtension: { accepted: 'accepted' },
};

const allowedRoles: Record<CaseAction, Role[]> = {
  register: ['dispatcher'],
  dispatch: ['dispatcher'],
  accept: ['worker', 'handler'],
  handle: ['worker', 'handler'],
  selfHandle: ['worker'],
  verify: ['dispatcher'],
  rework: ['dispatcher'],
  close: ['dispatcher'],
  evaluate: ['resident', 'dispatcher'],
  return: ['worker', 'handler'],
  void: ['dispatcher'],
  transfer: ['dispatcher'],
  requestExtension: ['worker', 'handler'],
  grantExtension: ['dispatcher'],
  refuseExtension: ['dispatcher'],
};

const until = new Date('2026-12-04T10:00:00Z');

/** A context that satisfies every guard of `action`: the actor is assignee and reporter, not the handler. */
function okContext(action: CaseAction): TransitionContext {
  return {
    actorId: 'me',
    assigneeId: 'me',
    reporterId: 'me',
    handlerId: 'someone-else',
    targetId: 'new-assignee',
    reason: 'because',
    until,
    extensionPending: action === 'grantExtension' || action === 'refuseExtension',
  };
}

const pairs = caseActions.flatMap((action) => caseStates.map((state) => [state, action] as const));

describe('every (state, action) pair', () => {
  it.each(pairs)('%s + %s', (state, action) => {
    const expected = legal[action][state];
    for (const role of allowedRoles[action]) {
      const result = transition(state, action, role, okContext(action));
      if (expected) expect(result).toMatchObject({ ok: true, state: expected });
      else expect(result).toMatchObject({ ok: false, code: 'illegal-transition' });
    }
  });

  it('covers all 150 pairs; the engine offers exactly the 21 legal ones', () => {
    expect(pairs).toHaveLength(150);
    const offered = pairs.filter(([s, a]) => roles.some((role) => availableActions(s, role).includes(a)));
    expect(offered).toEqual(pairs.filter(([s, a]) => legal[a][s]));
    expect(offered).toHaveLength(21);
  });

  it('puts illegal transitions before role checks, so a wrong state is always 409', () => {
    expect(transition('closed', 'accept', 'resident', okContext('accept'))).toMatchObject({
      code: 'illegal-transition',
    });
  });

  it('leaves final states with no way out', () => {
    for (const state of ['evaluated', 'voided'] as const) {
      for (const role of roles) expect(availableActions(state, role)).toEqual([]);
    }
  });
});

describe('who may take each action', () => {
  const cases = caseActions.flatMap((action) => roles.map((role) => [action, role] as const));

  it.each(cases)('%s by %s', (action, role) => {
    const from = Object.keys(legal[action])[0] as CaseState;
    const result = transition(from, action, role, okContext(action));
    if (allowedRoles[action].includes(role)) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('lists the actions a role may take in a state', () => {
    expect(availableActions('accepted', 'handler')).toEqual(['handle', 'return', 'requestExtension']);
    expect(availableActions('accepted', 'dispatcher')).toEqual(['transfer', 'grantExtension', 'refuseExtension']);
    expect(availableActions('reported', 'worker')).toEqual(['selfHandle']);
  });
});

/** Takes `action` from its first legal state as the first role allowed to, so rows need only the context. */
const take = (action: CaseAction, context: TransitionContext, role = allowedRoles[action][0]!) =>
  transition(Object.keys(legal[action])[0] as CaseState, action, role, context);

describe('guards', () => {
  const base = { actorId: 'w1', assigneeId: 'w1', reporterId: 'r1', handlerId: 'w1', reason: 'x', targetId: 'w2' };
  const pending = { ...base, extensionPending: true };
  it.each<[string, CaseAction, TransitionContext, RefusalCode]>([
    ['accept by someone not assigned', 'accept', { ...base, actorId: 'w9' }, 'not-assignee'],
    ['accept of an unassigned case', 'accept', { ...base, assigneeId: null }, 'not-assignee'],
    ['handle by someone not assigned', 'handle', { ...base, actorId: 'w9' }, 'not-assignee'],
    ['return by someone not assigned', 'return', { ...base, actorId: 'w9' }, 'not-assignee'],
    ['return without a reason', 'return', { ...base, reason: '  ' }, 'missing-reason'],
    ['void without a reason', 'void', { ...base, reason: null }, 'missing-reason'],
    ['rework without a reason', 'rework', { ...base, actorId: 'd1', reason: '' }, 'missing-reason'],
    ['核查 by the handler', 'verify', base, 'handler-cannot-verify'],
    ['返工 by the handler', 'rework', base, 'handler-cannot-verify'],
    ['dispatch to nobody', 'dispatch', { ...base, targetId: null }, 'missing-target'],
    ['transfer to nobody', 'transfer', { ...base, targetId: '' }, 'missing-target'],
    ['transfer to the same person', 'transfer', { ...base, targetId: 'w1' }, 'same-assignee'],
    ['self-handle of a case reported by another', 'selfHandle', base, 'not-reporter'],
    ['evaluation by a resident who did not report', 'evaluate', base, 'not-reporter'],
    ['evaluation by a resident of an alarm case', 'evaluate', { ...base, reporterId: null }, 'not-reporter'],
    ['extension without a date', 'requestExtension', { ...base, until: null }, 'missing-until'],
    ['extension with an invalid date', 'requestExtension', { ...base, until: new Date(Number.NaN) }, 'missing-until'],
    ['a second extension request', 'requestExtension', { ...pending, until }, 'extension-pending'],
    ['extension asked by someone not assigned', 'requestExtension', { ...base, actorId: 'w9', until }, 'not-assignee'],
    ['grant with no request', 'grantExtension', { ...base, until }, 'no-pending-extension'],
    ['grant without a date', 'grantExtension', pending, 'missing-until'],
    ['refusal with no request', 'refuseExtension', base, 'no-pending-extension'],
    ['refusal without a reason', 'refuseExtension', { ...pending, reason: '' }, 'missing-reason'],
  ])('refuses %s', (_label, action, context, code) => {
    expect(take(action, context)).toMatchObject({ ok: false, code });
  });

  it('lets a resident evaluate a case they reported, and a dispatcher record a call-back', () => {
    expect(transition('closed', 'evaluate', 'resident', { actorId: 'r1', reporterId: 'r1' }).ok).toBe(true);
    expect(transition('closed', 'evaluate', 'dispatcher', { actorId: 'd1', reporterId: 'r1' }).ok).toBe(true);
  });

  it('maps refusals to HTTP statuses', () => {
    expect(refusalStatus['illegal-transition']).toBe(409);
    expect(refusalStatus.forbidden).toBe(403);
    expect(refusalStatus['handler-cannot-verify']).toBe(403);
    expect(refusalStatus['missing-reason']).toBe(400);
  });
});

describe('effects', () => {
  const [d1, w1, h1] = [{ actorId: 'd1' }, { actorId: 'w1', assigneeId: 'w1' }, { actorId: 'h1', assigneeId: 'h1' }];
  it.each<[string, CaseAction, TransitionContext, CaseEffect[]]>([
    ['dispatch assigns', 'dispatch', { ...d1, targetId: 'w1' }, [{ kind: 'assign', assigneeId: 'w1' }]],
    ['first accept records 首问负责', 'accept', w1, [{ kind: 'record-first-responsible', userId: 'w1' }]],
    ['a later accept keeps the first responsible', 'accept', { ...h1, firstResponsibleId: 'w1' }, []],
    ['handle records the handler', 'handle', w1, [{ kind: 'record-handler', userId: 'w1' }]],
    ['verify records the verifier', 'verify', { ...d1, handlerId: 'w1' }, [{ kind: 'record-verifier', userId: 'd1' }]],
    [
      'rework restarts the clock',
      'rework',
      { ...d1, handlerId: 'w1', reason: '仍有垃圾' },
      [{ kind: 'restart-handle-clock' }],
    ],
    ['return unassigns', 'return', { ...h1, reason: '非本单位职责' }, [{ kind: 'unassign' }]],
    [
      'transfer reassigns',
      'transfer',
      { ...d1, assigneeId: 'w1', targetId: 'w2' },
      [{ kind: 'assign', assigneeId: 'w2' }],
    ],
    [
      'a request opens an extension',
      'requestExtension',
      { ...w1, reason: ' 需协调 ', until },
      [{ kind: 'open-extension', until, reason: '需协调' }],
    ],
    [
      'a grant moves the deadline',
      'grantExtension',
      { ...d1, extensionPending: true, until },
      [{ kind: 'grant-extension', until }],
    ],
    [
      'a refusal closes it',
      'refuseExtension',
      { ...d1, extensionPending: true, reason: '不足' },
      [{ kind: 'refuse-extension', reason: '不足' }],
    ],
    ['close has none', 'close', d1, []],
  ])('%s', (_label, action, context, effects) => {
    const result = take(action, context);
    expect(result.ok && result.effects).toEqual(effects);
  });

  it('self-handling assigns the worker, records them as first responsible and handler', () => {
    const result = take('selfHandle', { actorId: 'w1', reporterId: 'w1' });
    expect(result.ok && result.effects).toEqual([
      { kind: 'assign', assigneeId: 'w1' },
      { kind: 'record-first-responsible', userId: 'w1' },
      { kind: 'record-handler', userId: 'w1' },
    ]);
  });
});

describe('首问负责', () => {
  it.each<[string, { action: CaseAction; actorId: string }[], string | null]>([
    [
      'nobody before acceptance',
      [
        { action: 'register', actorId: 'd1' },
        { action: 'dispatch', actorId: 'd1' },
      ],
      null,
    ],
    [
      'the first to accept',
      [
        { action: 'dispatch', actorId: 'd1' },
        { action: 'accept', actorId: 'w1' },
      ],
      'w1',
    ],
    [
      'unchanged by a transfer and a second acceptance',
      [
        { action: 'accept', actorId: 'w1' },
        { action: 'transfer', actorId: 'd1' },
        { action: 'accept', actorId: 'h2' },
        { action: 'handle', actorId: 'h2' },
      ],
      'w1',
    ],
    [
      'unchanged by a return and re-dispatch',
      [
        { action: 'accept', actorId: 'w1' },
        { action: 'return', actorId: 'w1' },
        { action: 'accept', actorId: 'h3' },
      ],
      'w1',
    ],
    [
      'the worker who fixed it on the spot',
      [
        { action: 'selfHandle', actorId: 'w7' },
        { action: 'rework', actorId: 'd1' },
      ],
      'w7',
    ],
  ])('%s', (_label, timeline, expected) => {
    expect(firstResponsibleOf(timeline)).toBe(expected);
  });

  it('keeps the first responsible accountable beside the current assignee', () => {
    expect(accountableFor('w1', 'h2')).toEqual(['w1', 'h2']);
    expect(accountableFor('w1', 'w1')).toEqual(['w1']);
    expect(accountableFor(null, null)).toEqual([]);
  });
});

describe('a case walked through the closed loop', () => {
  it('runs reported → evaluated with a rework and a transfer', () => {
    const steps: [CaseAction, Role, TransitionContext, CaseState][] = [
      ['register', 'dispatcher', { actorId: 'd1' }, 'registered'],
      ['dispatch', 'dispatcher', { actorId: 'd1', targetId: 'w1' }, 'dispatched'],
      ['accept', 'worker', { actorId: 'w1', assigneeId: 'w1' }, 'accepted'],
      ['transfer', 'dispatcher', { actorId: 'd1', assigneeId: 'w1', targetId: 'h1' }, 'dispatched'],
      ['accept', 'handler', { actorId: 'h1', assigneeId: 'h1', firstResponsibleId: 'w1' }, 'accepted'],
      ['handle', 'handler', { actorId: 'h1', assigneeId: 'h1' }, 'handled'],
      ['rework', 'dispatcher', { actorId: 'd1', handlerId: 'h1', reason: '未清理干净' }, 'accepted'],
      ['handle', 'handler', { actorId: 'h1', assigneeId: 'h1' }, 'handled'],
      ['verify', 'dispatcher', { actorId: 'd1', handlerId: 'h1' }, 'verified'],
      ['close', 'dispatcher', { actorId: 'd1' }, 'closed'],
      ['evaluate', 'resident', { actorId: 'r1', reporterId: 'r1' }, 'evaluated'],
    ];
    let state: CaseState = 'reported';
    for (const [action, role, context, expected] of steps) {
      const result = transition(state, action, role, context);
      expect(result, `${action} from ${state}`).toMatchObject({ ok: true, state: expected });
      if (result.ok) state = result.state;
    }
    expect(state).toBe('evaluated');
  });
});
