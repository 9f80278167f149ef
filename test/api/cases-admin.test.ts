import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../../src/kernel/audit/audit.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

const year2027 = {
  source: 'test notice',
  year: 2027,
  holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
  makeUpWorkdays: ['2027-01-09'],
};

/** The working calendar import, duty rosters, departments, settings: who may, and what they do. */
describe(`case administration (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let adminB: TestUser;
  let dispatcherB: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    adminB = await t.user('admin', { placeId: w.communityB.id });
    dispatcherB = await t.user('dispatcher', { placeId: w.communityB.id });
  });
  afterAll(() => t.stop());

  async function handleByOf(at: string) {
    t.clock.set(at);
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, c.id, { action: 'register' });
    return (await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id })).deadlines.handleBy;
  }

  it('imports another year’s holidays (admin), and deadlines follow them', async () => {
    // Thursday 2026-12-31 17:00: 1 working hour left that day, 3 more on the next working day.
    expect(await handleByOf('2026-12-31T09:00:00.000Z')).toBe('2027-01-01T04:00:00.000Z'); // 2027 unknown: Friday works
    const bad = await call(t, w.admin, 'POST', '/api/calendar/years', {
      ...year2027,
      holidays: [{ name: 'x', from: '2027-02-30', to: '2027-03-01' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { pointer: string }) => e.pointer)).toContain('/holidays/0/from');
    const clash = await call(t, w.admin, 'POST', '/api/calendar/years', {
      ...year2027,
      makeUpWorkdays: ['2027-01-02'],
    });
    expect(clash.status).toBe(400);
    const ok = await call(t, w.admin, 'POST', '/api/calendar/years', year2027);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ year: 2027, imported: true });
    const years = (await call(t, w.dispatcher, 'GET', '/api/calendar/years')).json;
    expect(years.map((y: { year: number; imported: boolean }) => [y.year, y.imported])).toEqual([
      [2026, false],
      [2027, true],
    ]);
    expect(await handleByOf('2026-12-31T09:00:00.000Z')).toBe('2027-01-04T04:00:00.000Z'); // 元旦: Monday
    // Saturday 2027-01-09 is a make-up working day (调休).
    expect(await handleByOf('2027-01-09T01:00:00.000Z')).toBe('2027-01-09T06:30:00.000Z');
    expect((await auditTrail(t.ctx.db, 'calendar-year', '2027')).map((a) => a.action)).toEqual([
      'calendar.import-year',
    ]);
    // Importing a year again replaces it.
    expect((await call(t, w.admin, 'POST', '/api/calendar/years', { ...year2027, makeUpWorkdays: [] })).status).toBe(
      201,
    );
    expect(await handleByOf('2027-01-09T01:00:00.000Z')).toBe('2027-01-11T06:30:00.000Z');
  });

  it('refuses calendar imports by others than system admins, and calendar reads by residents', async () => {
    expect((await call(t, w.dispatcher, 'POST', '/api/calendar/years', year2027)).json.type).toMatch(/forbidden$/);
    expect((await call(t, adminB, 'POST', '/api/calendar/years', year2027)).json.type).toMatch(/outside-scope$/);
    expect((await call(t, w.resident, 'GET', '/api/calendar/years')).status).toBe(403);
  });

  it('manages duty rosters within scope', async () => {
    const body = {
      gridId: w.gridA1.id,
      shifts: [{ userId: w.workerA1.id, weekdays: [1, 2, 3], start: '08:00', end: '17:00' }],
    };
    expect((await call(t, w.workerA1, 'PUT', '/api/rosters', body)).json.type).toMatch(/forbidden$/);
    expect((await call(t, w.workerA1, 'GET', '/api/rosters')).status).toBe(403);
    expect((await call(t, dispatcherB, 'PUT', '/api/rosters', body)).json.type).toMatch(/outside-scope$/);
    expect((await call(t, dispatcherB, 'GET', `/api/rosters?grid=${w.gridA1.id}`)).json.type).toMatch(/outside-scope$/);
    const both = await call(t, w.dispatcher, 'PUT', '/api/rosters', {
      gridId: w.gridA1.id,
      shifts: [{ userId: w.workerA1.id, date: '2026-12-01', weekdays: [1], start: '08:00', end: '17:00' }],
    });
    expect([both.status, both.json.errors[0].pointer]).toEqual([400, '/shifts/0/date']);
    const notWorker = await call(t, w.dispatcher, 'PUT', '/api/rosters', {
      gridId: w.gridA1.id,
      shifts: [{ userId: w.resident.id, weekdays: [1], start: '08:00', end: '17:00' }],
    });
    expect([notWorker.status, notWorker.json.errors[0].pointer]).toEqual([400, '/shifts/0/userId']);
    expect((await call(t, w.dispatcher, 'PUT', '/api/rosters', { ...body, gridId: 'nope' })).status).toBe(400);
    const saved = await call(t, w.dispatcher, 'PUT', '/api/rosters', body);
    expect(saved.json.shifts).toEqual([
      { id: expect.any(String), userId: w.workerA1.id, weekdays: [1, 2, 3], start: '08:00', end: '17:00' },
    ]);
    expect((await auditTrail(t.ctx.db, 'grid', w.gridA1.id)).at(-1)?.action).toBe('roster.replace');
    // A dispatcher of community B lists only B's grids.
    expect((await call(t, dispatcherB, 'GET', '/api/rosters')).json.map((r: { gridId: string }) => r.gridId)).toEqual([
      w.gridB1.id,
    ]);
  });

  it('manages departments (system admins) and checks them', async () => {
    const body = { name: '环卫所', categories: ['garbage_overflow'], memberIds: [w.handler.id] };
    expect((await call(t, w.dispatcher, 'PUT', '/api/departments/sanitation', body)).json.type).toMatch(/forbidden$/);
    expect((await call(t, adminB, 'PUT', '/api/departments/sanitation', body)).json.type).toMatch(/outside-scope$/);
    expect((await call(t, w.resident, 'GET', '/api/departments')).status).toBe(403);
    const unknown = await call(t, w.admin, 'PUT', '/api/departments/sanitation', { ...body, categories: ['nope'] });
    expect([unknown.status, unknown.json.errors[0].pointer]).toEqual([400, '/categories/0']);
    const notHandler = await call(t, w.admin, 'PUT', '/api/departments/sanitation', {
      ...body,
      memberIds: [w.workerA1.id],
    });
    expect([notHandler.status, notHandler.json.errors[0].pointer]).toEqual([400, '/memberIds/0']);
    expect((await call(t, w.admin, 'PUT', '/api/departments/sanitation', body)).status).toBe(200);
    const taken = await call(t, w.admin, 'PUT', '/api/departments/parks', { ...body, name: '园林' });
    expect(taken.status).toBe(400);
    expect((await call(t, w.dispatcher, 'GET', '/api/departments')).json).toEqual([
      {
        id: expect.any(String),
        code: 'sanitation',
        name: '环卫所',
        categories: ['garbage_overflow'],
        memberIds: [w.handler.id],
      },
    ]);
  });

  it('lets system admins change the case settings', async () => {
    expect((await call(t, w.dispatcher, 'GET', '/api/case-settings')).status).toBe(403);
    expect((await call(t, adminB, 'PUT', '/api/case-settings', { joinWindowMinutes: 5 })).json.type).toMatch(
      /outside-scope$/,
    );
    expect((await call(t, w.admin, 'PUT', '/api/case-settings', { joinWindowMinutes: -1 })).status).toBe(400);
    expect(
      (await call(t, w.admin, 'PUT', '/api/case-settings', { joinWindowMinutes: 60 })).json.joinWindowMinutes,
    ).toBe(60);
    expect((await call(t, w.admin, 'GET', '/api/case-settings')).json).toEqual({
      joinWindowMinutes: 60,
      autoDispatchAlarms: true,
      remindEveryWorkingHours: 2,
      subdistrictAfterWorkingHours: 4,
    });
  });

  it('lists the categories and their time limits to everyone signed in', async () => {
    const cats = (await call(t, w.resident, 'GET', '/api/case-categories')).json;
    expect(cats.find((c: { code: string }) => c.code === 'exposed_garbage')).toMatchObject({
      name: '暴露垃圾',
      handle: { unit: 'workingHours', value: 4 },
    });
    expect(cats.find((c: { code: string }) => c.code === 'high_altitude_throw').handle).toEqual({ unit: 'sameDay' });
  });
});
