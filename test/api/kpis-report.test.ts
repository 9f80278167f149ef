import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../src/cases/calendar.ts';
import { caseActorOf } from '../../src/cases/case-access.ts';
import { caseActionTaker, caseCreator, reportResolver } from '../../src/cases/case-service.ts';
import { findCase } from '../../src/cases/store.ts';
import { principalFromToken } from '../../src/kernel/auth/service.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { inTransaction, type Unit } from '../../src/kernel/db/unit-of-work.ts';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

const kpi = (report: { kpis: { key: string; value: number | null }[] }, key: string) =>
  report.kpis.find((k) => k.key === key)?.value;

/** KPIs over cases, through the API: the formulas of kpis.ts on the counts of kpi-counts.ts. */
describe(`KPIs (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let leader: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    leader = await t.user('leader', { placeId: w.district.id });
  });
  afterAll(() => t.stop());

  it('counts a small month by hand: dispatch accuracy, rework, satisfaction, mean times', async () => {
    // November 2026 (the clock starts on Thursday the 26th, 09:00 Beijing).
    const walk = async (opts: { transfer?: boolean; rework?: boolean; satisfaction: string }) => {
      const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
      await act(t, w.dispatcher, c.id, { action: 'register' });
      await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
      let who = w.workerA1;
      if (opts.transfer) {
        await act(t, w.dispatcher, c.id, { action: 'transfer', targetId: w.workerA1b.id });
        who = w.workerA1b;
      }
      t.clock.advance(10 * 60_000);
      await act(t, who, c.id, { action: 'accept' });
      t.clock.advance(50 * 60_000);
      await act(t, who, c.id, { action: 'handle' });
      if (opts.rework) {
        await act(t, w.dispatcher, c.id, { action: 'rework', reason: '未清理干净' });
        await act(t, who, c.id, { action: 'handle' });
      }
      await act(t, w.dispatcher, c.id, { action: 'verify' });
      await act(t, w.dispatcher, c.id, { action: 'close' });
      await act(t, w.resident, c.id, { action: 'evaluate', satisfaction: opts.satisfaction });
    };
    await walk({ satisfaction: 'satisfied' });
    await walk({ transfer: true, rework: true, satisfaction: 'unsatisfied' });
    const r = await call(t, leader, 'GET', `/api/kpis?from=2026-11-01&to=2026-12-01`);
    expect(r.status).toBe(200);
    expect(r.json.counts).toMatchObject({
      reported: 2,
      registered: 2,
      publicReported: 2,
      dueDispatch: 2,
      dispatchedAccurately: 1,
      dueHandling: 2,
      handled: 2,
      handledOnTime: 2,
      closed: 2,
      reworked: 1,
      evaluated: 2,
      satisfied: 1,
    });
    expect(kpi(r.json, 'accurateDispatchRate')).toBe(50);
    expect(kpi(r.json, 'reworkRate')).toBe(50);
    expect(kpi(r.json, 'satisfactionRate')).toBe(50);
    expect(kpi(r.json, 'closingRate')).toBe(100);
    expect(kpi(r.json, 'handlingRate')).toBe(100);
    expect(r.json.meanResponseMinutes).toBe(10);
    expect(r.json.meanHandlingMinutes).toBe(60);
    expect(r.json.place).toMatchObject({ id: w.district.id });
  });

  it('reproduces a published monthly report: 911 closed of 972 due → 93.72 %, 737 on time → 75.82 %', async () => {
    const workingDays: string[] = [];
    for (let d = 1; d <= 28; d++) {
      const day = `2026-12-${String(d).padStart(2, '0')}`;
      if (defaultCalendar.isWorkingDay(day)) workingDays.push(day);
    }
    const reporter = caseActorOf(await principal(w.workerA1));
    const dispatcher = caseActorOf(await principal(w.dispatcher));
    // One transaction, through the case service (not 972 × 4 HTTP calls); each step at its own time.
    await inTransaction(t.ctx.db, t.ctx.clock, 'test:kpi-fixture', async (unit) => {
      const at = (iso: string | number): Unit => ({ ...unit, clock: new ManualClock(new Date(iso)) });
      const report = await reportResolver(unit.tx, t.ctx.twin, reporter, {
        ...reportBody(w),
        description: '',
        photos: [],
      } as never);
      for (let i = 0; i < 972; i++) {
        const t0 = Date.parse(`${workingDays[i % workingDays.length]}T01:00:00.000Z`) + (i % 50) * 60_000;
        let row = await caseCreator(at(t0), undefined, reporter, report);
        row = await caseActionTaker(at(t0 + 10 * 60_000), undefined, reporter, row, { action: 'selfHandle' });
        if (i >= 911) continue; // 61 handled, not yet closed
        row = await caseActionTaker(at(t0 + 20 * 60_000), undefined, dispatcher, row, { action: 'verify' });
        // 737 closed within the 4 working hours; 174 closed late the same afternoon.
        const closeAt = i < 737 ? t0 + 30 * 60_000 : t0 + 8 * 3_600_000;
        await caseActionTaker(at(closeAt), undefined, dispatcher, row, { action: 'close' });
      }
    });
    // Not due in December: a voided report, and a case in community B for the place filter.
    const voided = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, voided.id, { action: 'void', reason: '重复' });
    t.clock.set('2027-01-05T02:00:00.000Z');
    const r = await call(t, leader, 'GET', `/api/kpis?place=${w.district.id}&from=2026-12-01&to=2027-01-01`);
    expect(r.status).toBe(200);
    expect(r.json.counts).toMatchObject({ dueClosing: 972, closed: 911, closedOnTime: 737, closedOverdue: 174 });
    expect(kpi(r.json, 'closingRate')).toBe(93.72);
    expect(kpi(r.json, 'onTimeClosingRate')).toBe(75.82);
    expect(kpi(r.json, 'overdueClosingRate')).toBe(17.9);
    expect(kpi(r.json, 'handlingRate')).toBe(100);
    expect(kpi(r.json, 'inspectorReportShare')).toBe(100);
    expect(r.json.from).toBe('2026-11-30T16:00:00.000Z');
    expect(r.json.to).toBe('2026-12-31T16:00:00.000Z');
    const one = (await findCase(t.ctx.db, voided.id))!;
    expect(one.state).toBe('voided');
    // Community B had none of them.
    const b = await call(t, leader, 'GET', `/api/kpis?place=${w.communityB.id}&from=2026-12-01&to=2027-01-01`);
    expect([b.json.counts.dueClosing, kpi(b.json, 'closingRate')]).toEqual([0, null]);

    // The same report as CSV and as an Excel workbook.
    const csv = await call(t, leader, 'GET', '/api/kpis?from=2026-12-01&to=2027-01-01&format=csv');
    expect(csv.res.headers['content-type']).toContain('text/csv');
    expect(csv.res.body.charCodeAt(0)).toBe(0xfeff);
    expect(csv.res.body).toContain('结案率,closingRate,93.72,911,972');
    expect(csv.res.body).toContain('按期结案率,onTimeClosingRate,75.82,737,972');
    const xlsx = await call(t, leader, 'GET', '/api/kpis?from=2026-12-01&to=2027-01-01&format=xlsx');
    expect(xlsx.res.headers['content-disposition']).toContain('kpis-2026-12-01-2026-12-31.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.res.rawPayload as unknown as ArrayBuffer);
    const rows = wb.getWorksheet('KPIs')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows.find((row) => row[2] === 'closingRate')?.slice(1)).toEqual(['结案率', 'closingRate', 93.72, 911, 972]);
  }, 120_000);

  it('refuses roles without KPIs, places outside scope and bad periods', async () => {
    for (const who of [w.workerA1, w.resident, w.handler]) {
      const r = await call(t, who, 'GET', '/api/kpis');
      expect(r.status).toBe(403);
      expect(r.json.type).toMatch(/forbidden$/);
    }
    expect((await call(t, w.leaderA, 'GET', `/api/kpis?place=${w.communityB.id}`)).json.type).toMatch(/outside-scope$/);
    const gridDispatcher = await t.user('dispatcher', { placeId: w.communityA.id, gridId: w.gridA1.id });
    expect((await call(t, gridDispatcher, 'GET', '/api/kpis')).status).toBe(403);
    expect((await call(t, leader, 'GET', '/api/kpis?from=2026-12-01&to=2026-11-01')).status).toBe(400);
    expect((await call(t, leader, 'GET', '/api/kpis?from=2026-13-01')).status).toBe(400);
    expect((await call(t, leader, 'GET', '/api/kpis?department=nope')).status).toBe(400);
    expect((await call(t, leader, 'GET', '/api/kpis?place=nope')).status).toBe(400);
    // A community leader gets their community by default.
    expect((await call(t, w.leaderA, 'GET', '/api/kpis')).json.place.id).toBe(w.communityA.id);
  });

  /** The principal behind a test user's token. */
  async function principal(u: TestUser) {
    const p = await principalFromToken(t.ctx.db, t.ctx.clock, u.headers.authorization.slice(7));
    if (p?.userId !== u.id) throw new Error('no principal');
    return p;
  }
});
