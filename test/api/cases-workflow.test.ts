import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../src/kernel/audit/audit.ts';
import { readEvents } from '../../src/kernel/events/outbox.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

/** The closed loop through the API: report → 立案 → 派遣 → 签收 → 处置 → 核查 → 结案 → 评价, and the side paths. */
describe(`case workflow (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  /** A resident's report, registered and dispatched to the grid worker of A-1. */
  async function dispatchedCase(target = w.workerA1.id) {
    const created = await call(t, w.resident, 'POST', '/api/cases', reportBody(w));
    expect(created.status).toBe(201);
    await act(t, w.dispatcher, created.json.id, { action: 'register' });
    return act(t, w.dispatcher, created.json.id, { action: 'dispatch', targetId: target });
  }

  it('walks a resident report through the whole closed loop', async () => {
    const created = await call(t, w.resident, 'POST', '/api/cases', reportBody(w));
    expect(created.status).toBe(201);
    const c = created.json;
    expect(c).toMatchObject({
      state: 'reported',
      stateLabel: '待立案',
      source: 'resident',
      category: { code: 'exposed_garbage', name: '暴露垃圾' },
      gridId: w.gridA1.id,
      placeId: w.compoundA1.id,
      deadlines: null,
      reporter: { id: w.resident.id, name: '测试resident', phone: '13812345678' },
      availableActions: [],
    });
    expect(c.code).toMatch(/^20261126\d{5}$/);

    expect((await act(t, w.dispatcher, c.id, { action: 'register' })).state).toBe('registered');
    const dispatched = await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
    // Dispatched Thursday 09:00 Beijing: 签收 within 1 working hour, 处置 within 4 (09–12, then 13:30–14:30).
    expect(dispatched).toMatchObject({
      state: 'dispatched',
      assignee: { id: w.workerA1.id },
      deadlines: { acceptBy: '2026-11-26T02:00:00.000Z', handleBy: '2026-11-26T06:30:00.000Z' },
      sla: { light: 'green', overdue: false },
      dispatch: { auto: false, accurate: true },
      firstResponsible: null,
    });
    const accepted = await act(t, w.workerA1, c.id, { action: 'accept' });
    expect(accepted).toMatchObject({ state: 'accepted', firstResponsible: { id: w.workerA1.id } });
    expect(accepted.accountable).toEqual([w.workerA1.id]);
    const handled = await act(t, w.workerA1, c.id, {
      action: 'handle',
      note: '已清运',
      photos: ['upload:after-1', 'upload:after-2'],
    });
    expect(handled).toMatchObject({ state: 'handled', handler: { id: w.workerA1.id } });
    // 核查 is a dispatcher's job, by someone other than the handler.
    const byWorker = await call(t, w.workerA1, 'POST', `/api/cases/${c.id}/actions`, { action: 'verify' });
    expect(byWorker.status).toBe(403);
    expect(byWorker.json.type).toMatch(/forbidden$/);
    expect((await act(t, w.dispatcher, c.id, { action: 'verify' })).verifier.id).toBe(w.dispatcher.id);
    expect((await act(t, w.dispatcher, c.id, { action: 'close' })).state).toBe('closed');
    const evaluated = await act(t, w.resident, c.id, { action: 'evaluate', satisfaction: 'satisfied', note: '很快' });
    expect(evaluated).toMatchObject({ state: 'evaluated', satisfaction: 'satisfied', accountable: [] });

    const detail = (await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json;
    expect(detail.timeline.map((s: { action: string }) => s.action)).toEqual([
      'report',
      'register',
      'dispatch',
      'accept',
      'handle',
      'verify',
      'close',
      'evaluate',
    ]);
    const handleStep = detail.timeline[4];
    expect(handleStep).toMatchObject({
      actor: { id: w.workerA1.id },
      fromState: 'accepted',
      toState: 'handled',
      note: '已清运',
      photos: ['upload:after-1', 'upload:after-2'],
    });
    expect(detail.timeline[0].photos).toEqual(['upload:photo-1']);
    // Every step is audited and published, in the same transaction as the change.
    expect((await auditTrail(t.ctx.db, 'case', c.id)).map((a) => a.action)).toEqual(
      detail.timeline.map((s: { action: string }) => `case.${s.action}`),
    );
    const events = (await readEvents(t.ctx.db, 0, ['case.created', 'case.updated'], 10_000)).filter(
      (e) => e.subjectId === c.id,
    );
    expect(events.map((e) => e.type)).toEqual(['case.created', ...Array(7).fill('case.updated')]);
    expect((events[3]!.payload as { notify: string[] }).notify).toEqual(expect.arrayContaining([w.workerA1.id]));
  });

  it('refuses illegal transitions (409), the wrong person (403) and missing input (400)', async () => {
    const created = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    const post = (who = w.dispatcher, body: Record<string, unknown>) =>
      call(t, who, 'POST', `/api/cases/${created.id}/actions`, body);
    const illegal = await post(w.dispatcher, { action: 'close' });
    expect(illegal.status).toBe(409);
    expect(illegal.json.type).toMatch(/illegal-transition$/);
    expect((await post(w.dispatcher, { action: 'void' })).json.type).toMatch(/missing-reason$/);
    expect((await post(w.dispatcher, { action: 'void' })).status).toBe(400);
    expect((await post(w.dispatcher, { action: 'nonsense' })).status).toBe(400);
    expect((await post(w.resident, { action: 'register' })).status).toBe(403);
    await act(t, w.dispatcher, created.id, { action: 'register' });
    const noTarget = await post(w.dispatcher, { action: 'dispatch' });
    expect([noTarget.status, noTarget.json.type]).toEqual([400, expect.stringMatching(/missing-target$/)]);
    const toResident = await post(w.dispatcher, { action: 'dispatch', targetId: w.resident.id });
    expect(toResident.status).toBe(400);
    expect(toResident.json.errors[0].pointer).toBe('/targetId');
    const toOtherArea = await post(w.dispatcher, { action: 'dispatch', targetId: w.workerB1.id });
    expect(toOtherArea.status).toBe(400);
    await act(t, w.dispatcher, created.id, { action: 'dispatch', targetId: w.workerA1.id });
    const notMine = await post(w.workerA1b, { action: 'accept' });
    expect([notMine.status, notMine.json.type]).toEqual([403, expect.stringMatching(/not-assignee$/)]);
    expect((await post(w.workerA1, { action: 'return' })).json.type).toMatch(/missing-reason$/);
    const voided = await act(t, w.dispatcher, created.id, { action: 'void', reason: '重复上报 duplicate' });
    expect(voided.state).toBe('voided');
    expect((await post(w.dispatcher, { action: 'register' })).status).toBe(409);
    expect((await call(t, w.dispatcher, 'POST', '/api/cases/nope/actions', { action: 'register' })).status).toBe(404);
    // Nothing was written by the refusals: the timeline has exactly the four accepted steps.
    const detail = (await call(t, w.dispatcher, 'GET', `/api/cases/${created.id}`)).json;
    expect(detail.timeline.map((s: { action: string }) => s.action)).toEqual([
      'report',
      'register',
      'dispatch',
      'void',
    ]);
  });

  it('asks for a satisfaction rating when evaluating, and lets only the reporter rate', async () => {
    const c = await dispatchedCase();
    await act(t, w.workerA1, c.id, { action: 'accept' });
    await act(t, w.workerA1, c.id, { action: 'handle' });
    await act(t, w.dispatcher, c.id, { action: 'verify' });
    await act(t, w.dispatcher, c.id, { action: 'close' });
    const missing = await call(t, w.resident, 'POST', `/api/cases/${c.id}/actions`, { action: 'evaluate' });
    expect([missing.status, missing.json.errors?.[0]?.pointer]).toEqual([400, '/satisfaction']);
    const stranger = await t.user('resident', { placeId: w.communityA.id });
    const other = await call(t, stranger, 'POST', `/api/cases/${c.id}/actions`, {
      action: 'evaluate',
      satisfaction: 'unsatisfied',
    });
    expect(other.status).toBe(403);
    // A dispatcher's call-back (回访) may record it too.
    expect((await act(t, w.dispatcher, c.id, { action: 'evaluate', satisfaction: 'basically_satisfied' })).state).toBe(
      'evaluated',
    );
  });

  it('rework: a failed verification sends the case back to the handler with a new deadline', async () => {
    const c = await dispatchedCase();
    await act(t, w.workerA1, c.id, { action: 'accept' });
    await act(t, w.workerA1, c.id, { action: 'handle' });
    const noReason = await call(t, w.dispatcher, 'POST', `/api/cases/${c.id}/actions`, { action: 'rework' });
    expect(noReason.status).toBe(400);
    t.clock.advance(30 * 60_000);
    const reworked = await act(t, w.dispatcher, c.id, { action: 'rework', reason: '现场仍有垃圾' });
    expect(reworked).toMatchObject({
      state: 'accepted',
      reworkCount: 1,
      handledAt: null,
      assignee: { id: w.workerA1.id },
    });
    expect(Date.parse(reworked.deadlines.handleBy)).toBeGreaterThan(Date.parse(c.deadlines.handleBy));
    await act(t, w.workerA1, c.id, { action: 'handle', photos: ['upload:again'] });
    expect((await act(t, w.dispatcher2, c.id, { action: 'verify' })).state).toBe('verified');
  });

  it('extension: the assignee asks, a dispatcher grants (the deadline moves) or refuses', async () => {
    const c = await dispatchedCase();
    await act(t, w.workerA1, c.id, { action: 'accept' });
    const post = (who: typeof w.workerA1, body: Record<string, unknown>) =>
      call(t, who, 'POST', `/api/cases/${c.id}/actions`, body);
    expect((await post(w.workerA1, { action: 'requestExtension', reason: '需要调车' })).json.type).toMatch(
      /missing-until$/,
    );
    const asked = await act(t, w.workerA1, c.id, {
      action: 'requestExtension',
      reason: '需要调车',
      until: '2026-11-30T10:00:00+08:00',
    });
    expect(asked.extension).toEqual({ pending: true, until: '2026-11-30T02:00:00.000Z', reason: '需要调车' });
    expect(
      (await post(w.workerA1, { action: 'requestExtension', reason: 'x', until: '2026-12-01T10:00:00Z' })).status,
    ).toBe(409);
    const refused = await act(t, w.dispatcher, c.id, { action: 'refuseExtension', reason: '今日必须完成' });
    expect(refused.extension.pending).toBe(false);
    expect(refused.deadlines.handleBy).toBe(c.deadlines.handleBy);
    await act(t, w.workerA1, c.id, {
      action: 'requestExtension',
      reason: '需要调车',
      until: '2026-11-30T10:00:00+08:00',
    });
    const granted = await act(t, w.dispatcher, c.id, { action: 'grantExtension', until: '2026-11-30T10:00:00+08:00' });
    expect(granted).toMatchObject({ extensionCount: 1, deadlines: { handleBy: '2026-11-30T02:00:00.000Z' } });
    expect((await post(w.dispatcher, { action: 'grantExtension', until: '2026-12-01T10:00:00Z' })).status).toBe(409);
  });

  it('首问负责: a transfer keeps the first-responsible person accountable and notified; the dispatch was inaccurate', async () => {
    const c = await dispatchedCase();
    await act(t, w.workerA1, c.id, { action: 'accept' });
    const same = await call(t, w.dispatcher, 'POST', `/api/cases/${c.id}/actions`, {
      action: 'transfer',
      targetId: w.workerA1.id,
    });
    expect(same.json.type).toMatch(/same-assignee$/);
    const transferred = await act(t, w.dispatcher, c.id, { action: 'transfer', targetId: w.workerA1b.id });
    expect(transferred).toMatchObject({
      state: 'dispatched',
      assignee: { id: w.workerA1b.id },
      firstResponsible: { id: w.workerA1.id },
      dispatch: { accurate: false },
    });
    expect(transferred.accountable.sort()).toEqual([w.workerA1.id, w.workerA1b.id].sort());
    const accepted = await act(t, w.workerA1b, c.id, { action: 'accept' });
    expect(accepted.firstResponsible.id).toBe(w.workerA1.id);
    // The first-responsible person hears of every later change until the case is closed.
    await act(t, w.workerA1b, c.id, { action: 'handle' });
    const [last] = (await readEvents(t.ctx.db, 0, ['case.updated'], 10_000))
      .filter((e) => e.subjectId === c.id)
      .slice(-1);
    expect((last!.payload as { notify: string[] }).notify).toEqual(
      expect.arrayContaining([w.workerA1.id, w.workerA1b.id, w.resident.id]),
    );
    // The earlier assignee, no longer involved and outside the grid rule? Still the grid's worker: sees it.
    expect((await call(t, w.workerA1, 'GET', `/api/cases/${c.id}`)).status).toBe(200);
  });

  it('return (回退) and re-dispatch', async () => {
    const c = await dispatchedCase();
    const returned = await act(t, w.workerA1, c.id, { action: 'return', reason: '不属于本网格' });
    expect(returned).toMatchObject({ state: 'returned', assignee: null, dispatch: { accurate: false } });
    const again = await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1b.id });
    expect(again).toMatchObject({
      state: 'dispatched',
      assignee: { id: w.workerA1b.id },
      dispatch: { accurate: false },
    });
  });

  it('自行处置: a grid worker reports on patrol and fixes it on the spot', async () => {
    const created = await call(t, w.workerA1, 'POST', '/api/cases', reportBody(w, { photos: [] }));
    expect(created.json).toMatchObject({ source: 'patrol', reporter: { id: w.workerA1.id } });
    const handled = await act(t, w.workerA1, created.json.id, { action: 'selfHandle', photos: ['upload:done'] });
    expect(handled).toMatchObject({
      state: 'handled',
      firstResponsible: { id: w.workerA1.id },
      handler: { id: w.workerA1.id },
      deadlines: { handleBy: expect.any(String) },
    });
    expect((await call(t, w.workerA1b, 'POST', '/api/cases', reportBody(w))).status).toBe(201);
  });

  it('checks reports: category, place, scope, who may give contact details', async () => {
    const bad = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { category: 'nope' }));
    expect([bad.status, bad.json.errors[0].pointer]).toEqual([400, '/category']);
    const nowhere = await call(t, w.resident, 'POST', '/api/cases', { category: 'exposed_garbage' });
    expect(nowhere.status).toBe(400);
    const outside = await call(
      t,
      w.resident,
      'POST',
      '/api/cases',
      reportBody(w, { placeId: w.compoundB1.id, location: undefined }),
    );
    expect([outside.status, outside.json.type]).toEqual([403, expect.stringMatching(/outside-scope$/)]);
    const workerElsewhere = await call(t, w.workerA2, 'POST', '/api/cases', reportBody(w));
    expect(workerElsewhere.status).toBe(403);
    // A grid worker on patrol reports as staff: no caller's contact details.
    const caller = await call(t, w.workerA1, 'POST', '/api/cases', reportBody(w, { reporterPhone: '13900001111' }));
    expect([caller.status, caller.json.errors[0].pointer]).toEqual([400, '/reporterPhone']);
    const asHotline = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { source: 'hotline' }));
    expect([asHotline.status, asHotline.json.errors[0].pointer]).toEqual([400, '/source']);
    for (const role of ['leader', 'handler', 'regulator', 'admin', 'organisation'] as const) {
      const who = await t.user(role);
      const r = await call(t, who, 'POST', '/api/cases', reportBody(w));
      expect(r.status, role).toBe(403);
      expect(r.json.type).toMatch(/forbidden$/);
    }
    // A point without a place: the spatial index finds compound A1 and grid A-1.
    const byPoint = await call(t, w.resident, 'POST', '/api/cases', {
      category: 'exposed_garbage',
      location: [104.105, 30.665],
    });
    expect(byPoint.json).toMatchObject({ placeId: w.compoundA1.id, gridId: w.gridA1.id });
    // A point in another community's grid does not move the case there: the place decides.
    const mismatched = await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { location: [104.135, 30.665] }));
    expect(mismatched.json).toMatchObject({ placeId: w.compoundA1.id, gridId: w.gridA1.id });
  });

  it('masks a reporter’s name and phone for everyone but dispatchers, admins and the reporter', async () => {
    const hotline = await call(t, w.dispatcher, 'POST', '/api/cases', {
      ...reportBody(w),
      source: 'hotline',
      reporterName: '张三丰',
      reporterPhone: '13987654321',
    });
    expect(hotline.status).toBe(201);
    expect(hotline.json.reporter).toMatchObject({ name: '张三丰', phone: '13987654321' });
    const id = hotline.json.id;
    for (const who of [w.leaderA, w.workerA1, w.streetDispatcher]) {
      const seen = (await call(t, who, 'GET', `/api/cases/${id}`)).json;
      const expected =
        who === w.streetDispatcher ? { name: '张三丰', phone: '13987654321' } : { name: '张**', phone: '139****4321' };
      expect(seen.reporter).toMatchObject(expected);
    }
    expect((await call(t, w.admin, 'GET', `/api/cases/${id}`)).json.reporter.phone).toBe('13987654321');
    // A resident's own name is theirs to see; staff names are masked for residents.
    const own = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, own.id, { action: 'register' });
    const d = await act(t, w.dispatcher, own.id, { action: 'dispatch', targetId: w.workerA1.id });
    expect(d.reporter.name).toBe('测试resident');
    const residentView = (await call(t, w.resident, 'GET', `/api/cases/${own.id}`)).json;
    expect(residentView.reporter.phone).toBe('13812345678');
    expect(residentView.assignee).toMatchObject({ name: '测*******', phone: '138****5678' });
    expect(residentView.timeline[0].actor.name).toBe('测试resident');
  });

  it('shows each viewer only the cases their role and scope allow', async () => {
    const mine = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    const list = async (who: typeof w.resident, query = '') =>
      (await call(t, who, 'GET', `/api/cases?pageSize=500${query}`)).json.items.map((c: { id: string }) => c.id);
    expect(await list(w.resident)).toContain(mine.id);
    expect((await list(w.resident)).every(Boolean)).toBe(true);
    const residentIds = await list(w.resident);
    const allIds = await list(w.dispatcher);
    expect(residentIds.length).toBeLessThan(allIds.length);
    expect(await list(w.residentB)).toEqual([]);
    expect((await call(t, w.residentB, 'GET', `/api/cases/${mine.id}`)).json.type).toMatch(/outside-scope$/);
    expect(await list(w.workerB1)).toEqual([]);
    expect((await call(t, w.workerB1, 'GET', `/api/cases/${mine.id}`)).status).toBe(403);
    expect(await list(w.workerA2)).not.toContain(mine.id);
    expect(await list(w.workerA1)).toContain(mine.id);
    expect(await list(w.leaderA)).toContain(mine.id);
    expect(await list(w.streetDispatcher)).toContain(mine.id);
    // A handler sees only their department's cases and the cases they are on.
    expect(await list(w.handler)).toEqual([]);
    // A case assigned to someone outside its grid is theirs to see.
    await act(t, w.dispatcher, mine.id, { action: 'register' });
    await act(t, w.dispatcher, mine.id, { action: 'dispatch', targetId: w.workerA2.id });
    expect(await list(w.workerA2)).toContain(mine.id);
    expect(await list(w.workerA2, '&assignee=me')).toEqual([mine.id]);
    // Acting on a case you cannot see is refused before the workflow is asked.
    const hidden = await call(t, w.workerB1, 'POST', `/api/cases/${mine.id}/actions`, { action: 'accept' });
    expect(hidden.json.type).toMatch(/outside-scope$/);
  });

  it('filters and pages the list', async () => {
    const q = async (query: string) => (await call(t, w.dispatcher, 'GET', `/api/cases?${query}`)).json;
    const all = await q('pageSize=500');
    expect(all.total).toBe(all.items.length);
    expect((await q('pageSize=2&page=1')).items).toHaveLength(2);
    for (const item of (await q('status=reported,voided&pageSize=500')).items)
      expect(['reported', 'voided']).toContain(item.state);
    expect((await q('status=bogus')).status).toBe(400);
    expect((await q('source=hotline')).items.every((c: { source: string }) => c.source === 'hotline')).toBe(true);
    expect((await q(`grid=${w.gridB1.id}`)).total).toBe(0);
    expect((await q(`place=${w.communityA.id}&pageSize=500`)).total).toBe(all.total);
    expect((await q(`place=${w.communityB.id}`)).total).toBe(0);
    expect((await q('category=illegal_parking')).total).toBe(0);
    expect((await q('from=2030-01-01T00:00:00Z')).total).toBe(0);
    expect((await q('to=2020-01-01T00:00:00Z')).total).toBe(0);
    expect((await q('overdue=true')).total).toBe(0);
  });

  it('lights green, yellow, red as the handling time runs out; overdue cases are listed', async () => {
    t.clock.set('2026-11-27T01:00:00.000Z'); // Friday 09:00
    const c = await dispatchedCase(); // 处置 by 14:30 (4 working hours)
    expect(c.deadlines.handleBy).toBe('2026-11-27T06:30:00.000Z');
    await act(t, w.workerA1, c.id, { action: 'accept' });
    const light = async () => (await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json.sla;
    expect((await light()).light).toBe('green');
    t.clock.set('2026-11-27T05:40:00.000Z'); // 13:40: 50 of 240 working minutes left (< 25 %)
    expect(await light()).toMatchObject({ light: 'yellow', overdue: false, remainingMinutes: 50 });
    t.clock.set('2026-11-27T06:31:00.000Z');
    expect(await light()).toMatchObject({ light: 'red', overdue: true });
    const overdue = (await call(t, w.dispatcher, 'GET', '/api/cases?overdue=true&pageSize=500')).json.items;
    expect(overdue.map((x: { id: string }) => x.id)).toContain(c.id);
    const notOverdue = (await call(t, w.dispatcher, 'GET', '/api/cases?overdue=false&pageSize=500')).json.items;
    expect(notOverdue.map((x: { id: string }) => x.id)).not.toContain(c.id);
    // Not accepted in time is red as well (DOMAIN.md: the acknowledgement timeout turns the light red).
    const late = await dispatchedCase();
    t.clock.advance(61 * 60_000);
    expect((await call(t, w.dispatcher, 'GET', `/api/cases/${late.id}`)).json.sla.light).toBe('red');
  });
});
