import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

type Stats = { at: string; places: { placeId: string; open: number; overdue: number }[] };

/** Case statistics of the big screen, over cases made through the API. */
describe(`case statistics by place (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let leaderA: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    leaderA = await t.user('leader', { placeId: w.communityA.id });
  });
  afterAll(() => t.stop());

  const statsOf = async (who: TestUser) => {
    const r = await call(t, who, 'GET', '/api/cases/stats/by-place');
    expect(r.status).toBe(200);
    return r.json as Stats;
  };
  const of = (s: Stats, placeId: string) => s.places.find((p) => p.placeId === placeId);

  it('counts open cases per place and the overdue ones once the handling deadline passed', async () => {
    const a1 = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, a1.id, { action: 'register' });
    const dispatched = await act(t, w.dispatcher, a1.id, { action: 'dispatch', targetId: w.workerA1.id });
    // A second compound-A1 case left reported (open, never overdue), and one in compound B1.
    await call(t, w.resident, 'POST', '/api/cases', reportBody(w));
    const b1 = await call(
      t,
      w.dispatcher,
      'POST',
      '/api/cases',
      reportBody(w, { placeId: w.compoundB1.id, location: [104.135, 30.665] }),
    );
    expect(b1.status).toBe(201);
    // A voided case is not open.
    const gone = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
    await act(t, w.dispatcher, gone.id, { action: 'void', reason: '重复上报' });

    let s = await statsOf(w.dispatcher);
    expect(of(s, w.compoundA1.id)).toEqual({ placeId: w.compoundA1.id, open: 2, overdue: 0 });
    expect(of(s, w.compoundB1.id)).toEqual({ placeId: w.compoundB1.id, open: 1, overdue: 0 });

    const handleBy = new Date(dispatched.deadlines.handleBy).getTime();
    t.clock.advance(handleBy - t.clock.now().getTime() + 60_000);
    s = await statsOf(w.dispatcher);
    expect(s.at).toBe(t.clock.now().toISOString());
    expect(of(s, w.compoundA1.id)).toEqual({ placeId: w.compoundA1.id, open: 2, overdue: 1 });
    expect(of(s, w.compoundB1.id)?.overdue).toBe(0);
    // The big screen's tiles: reported today (the voided one left out), open, overdue.
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/stats/summary')).json).toEqual({
      at: t.clock.now().toISOString(),
      day: '2026-11-26',
      reportedToday: 3,
      open: 3,
      overdue: 1,
    });
    expect((await call(t, leaderA, 'GET', '/api/cases/stats/summary')).json).toMatchObject({
      reportedToday: 2,
      open: 2,
      overdue: 1,
    });

    // Handled: no longer overdue, still open until closed.
    await act(t, w.workerA1, a1.id, { action: 'accept' });
    await act(t, w.workerA1, a1.id, { action: 'handle', note: '已清理', photos: ['upload:after-1'] });
    s = await statsOf(w.dispatcher);
    expect(of(s, w.compoundA1.id)).toEqual({ placeId: w.compoundA1.id, open: 2, overdue: 0 });
  });

  it("narrows to the caller's scope", async () => {
    const s = await statsOf(leaderA);
    expect(of(s, w.compoundA1.id)?.open).toBeGreaterThan(0);
    expect(of(s, w.compoundB1.id)).toBeUndefined();
  });

  it('counts “today” by the local day: after midnight Beijing time the day starts at zero', async () => {
    const before = (await call(t, w.dispatcher, 'GET', '/api/cases/stats/summary')).json;
    expect(before).toMatchObject({ day: '2026-11-26', reportedToday: 3, open: 3, overdue: 0 });
    // 2026-11-26T16:00Z is midnight in Beijing (UTC+8).
    t.clock.advance(Date.parse('2026-11-26T16:00:00.000Z') - t.clock.now().getTime());
    const after = (await call(t, w.dispatcher, 'GET', '/api/cases/stats/summary')).json;
    expect(after).toMatchObject({ day: '2026-11-27', reportedToday: 0, open: 3 });
    await call(t, w.resident, 'POST', '/api/cases', reportBody(w));
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/stats/summary')).json.reportedToday).toBe(1);
  });

  it('refuses roles that do not watch areas (403) and anonymous callers (401)', async () => {
    for (const url of ['/api/cases/stats/by-place', '/api/cases/stats/summary']) {
      for (const who of [w.workerA1, w.resident]) {
        const r = await call(t, who, 'GET', url);
        expect(r.status, JSON.stringify(r.json)).toBe(403);
      }
      expect((await call(t, null, 'GET', url)).status).toBe(401);
    }
  });
});

type Trend = { days: string[]; series: { category: string; counts: number[] }[] };
type OnTime = {
  communities: { communityId: string; dueHandling: number; handledOnTime: number; onTimeHandlingRate: number | null }[];
};

/** Trends of the big screen: cases per category per day, 按期处置率 per community. */
describe(`case trends (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let leaderA: TestUser;
  let start: string;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    leaderA = await t.user('leader', { placeId: w.communityA.id });
    start = t.clock.now().toISOString();
  });
  afterAll(() => t.stop());

  const report = async (who: TestUser, over: Record<string, unknown>) => {
    const r = await call(t, who, 'POST', '/api/cases', reportBody(w, over));
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json;
  };

  it('counts reported cases per category per local day and the on-time share per community', async () => {
    // Yesterday: one exposed-garbage case in compound A1, handled at once (on time).
    const x = await report(w.resident, {});
    await act(t, w.dispatcher, x.id, { action: 'register' });
    await act(t, w.dispatcher, x.id, { action: 'dispatch', targetId: w.workerA1.id });
    await act(t, w.workerA1, x.id, { action: 'accept' });
    await act(t, w.workerA1, x.id, { action: 'handle' });
    t.clock.advance(24 * 3_600_000);
    // Today: one in compound B1 handled after its deadline (late), one road-cleaning case, one voided.
    const y = await report(w.dispatcher, { placeId: w.compoundB1.id, location: [104.135, 30.665] });
    await act(t, w.dispatcher, y.id, { action: 'register' });
    const dy = await act(t, w.dispatcher, y.id, { action: 'dispatch', targetId: w.workerB1.id });
    await report(w.resident, { category: 'road_cleaning' });
    const v = await report(w.resident, {});
    await act(t, w.dispatcher, v.id, { action: 'void', reason: '重复上报' });
    t.clock.advance(new Date(dy.deadlines.handleBy).getTime() - t.clock.now().getTime() + 60_000);
    await act(t, w.workerB1, y.id, { action: 'accept' });
    await act(t, w.workerB1, y.id, { action: 'handle' });

    const trend = (await call(t, w.dispatcher, 'GET', '/api/cases/stats/trend?days=14')).json as Trend;
    expect(trend.days).toHaveLength(14);
    const garbage = trend.series.find((s) => s.category === 'exposed_garbage')?.counts ?? [];
    const today = trend.days.length - 1;
    // The clock starts Thursday 09:00 Beijing; y's deadline (4 working hours) is still on Friday.
    expect(garbage[today]).toBe(1);
    expect(garbage[today - 1]).toBe(1);
    expect(garbage.reduce((p, q) => p + q, 0)).toBe(2);
    expect(trend.series.find((s) => s.category === 'road_cleaning')?.counts[today]).toBe(1);

    const to = new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString();
    const url = `/api/cases/stats/on-time-by-community?from=${encodeURIComponent(start)}&to=${encodeURIComponent(to)}`;
    const all = (await call(t, w.dispatcher, 'GET', url)).json as OnTime;
    const a = all.communities.find((c) => c.communityId === w.communityA.id);
    const b = all.communities.find((c) => c.communityId === w.communityB.id);
    // Community A: x due and on time; the road-cleaning case was never dispatched (no deadline, not due).
    expect(a).toMatchObject({ dueHandling: 1, handledOnTime: 1, onTimeHandlingRate: 100 });
    expect(b).toMatchObject({ dueHandling: 1, handledOnTime: 0, onTimeHandlingRate: 0 });

    const mine = (await call(t, leaderA, 'GET', url)).json as OnTime;
    expect(mine.communities.map((c) => c.communityId)).toEqual([w.communityA.id]);
    const leaderTrend = (await call(t, leaderA, 'GET', '/api/cases/stats/trend')).json as Trend;
    expect(leaderTrend.series.find((s) => s.category === 'exposed_garbage')?.counts.reduce((p, q) => p + q, 0)).toBe(1);
  });

  it('refuses bad input with 400 and other roles with 403', async () => {
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/stats/trend?days=0')).status).toBe(400);
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/stats/trend?days=abc')).status).toBe(400);
    const backwards = `/api/cases/stats/on-time-by-community?from=${encodeURIComponent(t.clock.now().toISOString())}&to=${encodeURIComponent(start)}`;
    expect((await call(t, w.dispatcher, 'GET', backwards)).status).toBe(400);
    expect((await call(t, w.dispatcher, 'GET', '/api/cases/stats/on-time-by-community?from=yesterday')).status).toBe(
      400,
    );
    for (const url of ['/api/cases/stats/trend', '/api/cases/stats/on-time-by-community']) {
      for (const who of [w.workerA1, w.resident]) expect((await call(t, who, 'GET', url)).status).toBe(403);
    }
  });
});
