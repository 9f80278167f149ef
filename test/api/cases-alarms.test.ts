import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/kernel/db/unit-of-work.ts';
import { emitEvent } from '../../src/kernel/events/outbox.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { act, alarmPayload, buildCaseWorld, type CaseWorld, call, emitAlarm, reportBody } from './cases-fixtures.ts';

/** Alarm → case (new or joined), and dispatch: department → duty roster → grid worker → grid head. */
describe(`alarm intake and dispatch (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  const casesAt = async (placeId: string) =>
    (await call(t, w.dispatcher, 'GET', `/api/cases?place=${placeId}&source=alarm&pageSize=500`)).json.items as {
      id: string;
      state: string;
      category: { code: string };
      alarmCount: number;
      assignee: { id: string } | null;
      dispatch: { auto: boolean };
      department: { code: string } | null;
    }[];
  const detail = async (id: string) => (await call(t, w.dispatcher, 'GET', `/api/cases/${id}`)).json;

  it('opens a case for an alarm and dispatches it to the grid’s worker at once', async () => {
    const a = alarmPayload(w.deviceA1);
    await emitAlarm(t, 'alarm.raised', a);
    const [c] = await casesAt(w.compoundA1.id);
    expect(c).toMatchObject({
      state: 'dispatched',
      category: { code: 'garbage_overflow' },
      alarmCount: 1,
      assignee: { id: w.workerA1.id },
      dispatch: { auto: true },
    });
    const d = await detail(c!.id);
    expect(d.timeline.map((s: { action: string }) => s.action)).toEqual(['report', 'register', 'dispatch']);
    expect(d.timeline[0]).toMatchObject({
      actor: { id: 'system', name: '系统' },
      photos: ['https://cam.example/snap/1.jpg'],
    });
    expect(d.timeline[2].data).toMatchObject({ to: w.workerA1.id, auto: true, via: 'grid-worker' });
    expect(d.alarms).toEqual([expect.objectContaining({ alarmId: a.alarmId, count: 1, clearedAt: null })]);
    expect(d.source).toBe('alarm');
    expect(d.reporter).toBeNull();
  });

  it('joins alarms of the same place and category within the window: one pile of garbage, one case', async () => {
    const first = (await casesAt(w.compoundA1.id))[0]!;
    t.clock.advance(30 * 60_000);
    const again = alarmPayload(w.deviceA1, { alarmId: 'second-camera-alarm' });
    await emitAlarm(t, 'alarm.raised', again);
    // A repeat of the same alarm is an update, never another case.
    await emitAlarm(t, 'alarm.updated', { ...again, count: 4, lastAt: '2026-11-26T01:40:00.000Z' });
    await emitAlarm(t, 'alarm.raised', again);
    const cases = await casesAt(w.compoundA1.id);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ id: first.id, alarmCount: 2 });
    const d = await detail(first.id);
    expect(d.timeline.map((s: { action: string }) => s.action)).toEqual([
      'report',
      'register',
      'dispatch',
      'alarm-joined',
    ]);
    expect(d.alarms.find((x: { alarmId: string }) => x.alarmId === 'second-camera-alarm').count).toBe(4);

    await emitAlarm(t, 'alarm.cleared', { ...again, status: 'cleared', count: 4 } as never);
    const cleared = await detail(first.id);
    expect(cleared.state).toBe('dispatched');
    expect(cleared.timeline.at(-1)).toMatchObject({
      action: 'alarm-cleared',
      fromState: 'dispatched',
      toState: 'dispatched',
    });
    expect(
      cleared.alarms.find((x: { alarmId: string }) => x.alarmId === 'second-camera-alarm').clearedAt,
    ).not.toBeNull();

    // Another category at the same place is another case; so is the same category after the window.
    await emitAlarm(
      t,
      'alarm.raised',
      alarmPayload(w.deviceA1, { category: 'high_altitude_throw', title: '高空抛物' }),
    );
    expect(await casesAt(w.compoundA1.id)).toHaveLength(2);
    t.clock.advance(2 * 3_600_000);
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceA1));
    expect((await casesAt(w.compoundA1.id)).filter((c) => c.category.code === 'garbage_overflow')).toHaveLength(2);
  });

  it('skips what is not a case (device offline) and malformed events, and goes on', async () => {
    const before = (await call(t, w.dispatcher, 'GET', '/api/cases?source=alarm')).json.total;
    await inTransaction(t.ctx.db, t.ctx.clock, 'test', (unit) =>
      emitEvent(unit, { type: 'alarm.raised', subjectType: 'alarm', subjectId: 'bad', payload: { nonsense: true } }),
    );
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceA2, { category: 'device_offline', title: '设备离线' }));
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceA2, { category: 'fire_smoke', title: '烟雾' }));
    const after = (await call(t, w.dispatcher, 'GET', '/api/cases?source=alarm')).json.total;
    expect(after).toBe(before + 1);
    expect((await casesAt(w.compoundA2.id))[0]).toMatchObject({
      category: { code: 'fire_smoke' },
      assignee: { id: w.workerA2.id },
    });
  });

  it('gives the case to whoever the duty roster has on duty, then back to the grid worker', async () => {
    const roster = await call(t, w.dispatcher, 'PUT', '/api/rosters', {
      gridId: w.gridA1.id,
      shifts: [
        { userId: w.workerA1b.id, weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' },
        { userId: w.headA1.id, weekdays: [1, 2, 3, 4, 5, 6, 7], start: '20:00', end: '08:00' },
      ],
    });
    expect(roster.status).toBe(200);
    t.clock.set('2026-11-30T02:00:00.000Z'); // Monday 10:00
    expect(roster.json.shifts).toHaveLength(2);
    expect((await call(t, w.dispatcher, 'GET', `/api/rosters?grid=${w.gridA1.id}`)).json[0].onDutyNow).toEqual([
      w.workerA1b.id,
    ]);
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceA1, { category: 'illegal_parking', title: '违停' }));
    const byRoster = (await casesAt(w.compoundA1.id)).find((c) => c.category.code === 'illegal_parking')!;
    expect(byRoster.assignee!.id).toBe(w.workerA1b.id);
    expect((await detail(byRoster.id)).timeline[2].data.via).toBe('roster');
    // At night the night shift (past midnight) has it.
    t.clock.set('2026-11-30T17:00:00.000Z'); // Tuesday 01:00
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceA1, { category: 'street_vendor', title: '游商' }));
    expect((await casesAt(w.compoundA1.id)).find((c) => c.category.code === 'street_vendor')!.assignee!.id).toBe(
      w.headA1.id,
    );
    // A dated shift replaces the weekly pattern that day.
    await call(t, w.dispatcher, 'PUT', '/api/rosters', {
      gridId: w.gridA1.id,
      shifts: [
        { userId: w.workerA1b.id, weekdays: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' },
        { userId: w.workerA1.id, date: '2026-12-01', start: '09:00', end: '18:00' },
      ],
    });
    t.clock.set('2026-12-01T02:00:00.000Z'); // Tuesday 10:00
    expect((await call(t, w.dispatcher, 'GET', `/api/rosters?grid=${w.gridA1.id}`)).json[0].onDutyNow).toEqual([
      w.workerA1.id,
    ]);
    await call(t, w.dispatcher, 'PUT', '/api/rosters', { gridId: w.gridA1.id, shifts: [] });
  });

  it('sends a department’s categories to its handlers, who alone (with the assignee) see them', async () => {
    const otherHandler = await t.user('handler', { placeId: w.district.id });
    const dept = await call(t, w.admin, 'PUT', '/api/departments/sanitation', {
      name: '环卫所',
      categories: ['garbage_overflow', 'exposed_garbage'],
      memberIds: [w.handler.id],
    });
    expect(dept.status).toBe(200);
    await call(t, w.admin, 'PUT', '/api/departments/parks', {
      name: '园林',
      categories: ['green_maintenance'],
      memberIds: [otherHandler.id],
    });
    t.clock.advance(3 * 3_600_000);
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceB1));
    const [c] = await casesAt(w.compoundB1.id);
    expect(c).toMatchObject({ assignee: { id: w.handler.id }, department: { code: 'sanitation' } });
    expect((await detail(c!.id)).timeline[2].data.via).toBe('department');
    const seen = async (who: typeof w.handler) =>
      (await call(t, who, 'GET', '/api/cases?pageSize=500')).json.items.map((x: { id: string }) => x.id);
    expect(await seen(w.handler)).toContain(c!.id);
    expect(await seen(otherHandler)).not.toContain(c!.id);
    const accepted = await act(t, w.handler, c!.id, { action: 'accept' });
    expect(accepted.firstResponsible.id).toBe(w.handler.id);
    await call(t, w.admin, 'PUT', '/api/departments/sanitation', { name: '环卫所', categories: [], memberIds: [] });
  });

  it('falls back to the grid head, and leaves a case nobody can take in the dispatchers’ queue', async () => {
    await call(t, w.admin, 'PATCH', `/api/grids/${w.gridB1.id}`, { workerId: null, headId: w.workerB1.id });
    t.clock.advance(3 * 3_600_000);
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceB1, { category: 'illegal_dumping', title: '倾倒' }));
    const byHead = (await casesAt(w.compoundB1.id)).find((c) => c.category.code === 'illegal_dumping')!;
    expect(byHead.assignee!.id).toBe(w.workerB1.id);
    expect((await detail(byHead.id)).timeline[2].data.via).toBe('grid-head');

    await call(t, w.admin, 'PATCH', `/api/grids/${w.gridB1.id}`, { workerId: null, headId: null });
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceB1, { category: 'material_piling', title: '乱堆物料' }));
    const nobody = (await casesAt(w.compoundB1.id)).find((c) => c.category.code === 'material_piling')!;
    expect(nobody).toMatchObject({ state: 'registered', assignee: null });
    const auto = await call(t, w.dispatcher, 'POST', `/api/cases/${nobody.id}/actions`, {
      action: 'dispatch',
      auto: true,
    });
    expect(auto.status).toBe(409);
    await call(t, w.admin, 'PATCH', `/api/grids/${w.gridB1.id}`, { workerId: w.workerB1.id });
    const dispatched = await act(t, w.dispatcher, nobody.id, { action: 'dispatch', auto: true });
    expect(dispatched).toMatchObject({
      state: 'dispatched',
      assignee: { id: w.workerB1.id },
      dispatch: { auto: true },
    });
  });

  it('lets a dispatcher auto-dispatch a resident’s report by the same rules', async () => {
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { category: 'road_damage' }))).json;
    await act(t, w.dispatcher, c.id, { action: 'register' });
    const d = await act(t, w.dispatcher, c.id, { action: 'dispatch', auto: true });
    expect(d.assignee.id).toBe(w.workerA1.id);
  });

  it('leaves alarm cases for the dispatchers when auto-dispatch is off', async () => {
    expect((await call(t, w.admin, 'PUT', '/api/case-settings', { autoDispatchAlarms: false })).json).toMatchObject({
      autoDispatchAlarms: false,
      joinWindowMinutes: 120,
    });
    await emitAlarm(t, 'alarm.raised', alarmPayload(w.deviceA2, { category: 'flooding', title: '水浸' }));
    expect((await casesAt(w.compoundA2.id)).find((c) => c.category.code === 'flooding')!.state).toBe('reported');
    await call(t, w.admin, 'PUT', '/api/case-settings', { autoDispatchAlarms: true });
  });
});
