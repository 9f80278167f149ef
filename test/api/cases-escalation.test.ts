import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/kernel/events/outbox.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

type Step = { action: string; data: { level?: number; to?: string[]; reason?: string } };

/**
 * Deadlines on the working calendar and escalation through the scheduler, driven by the injectable
 * clock: persisted timers fire on `tick()`, each step notifies and writes the timeline.
 */
describe(`escalation and reminders (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;

  beforeAll(async () => {
    t = await TestApp.start({ onDisk: true });
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  async function dispatched(place = w.compoundA1.id, location: [number, number] = [104.105, 30.665]) {
    const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w, { placeId: place, location }))).json;
    await act(t, w.dispatcher, c.id, { action: 'register' });
    return act(t, w.dispatcher, c.id, {
      action: 'dispatch',
      targetId: c.gridId === w.gridA1.id ? w.workerA1.id : w.workerA2.id,
    });
  }
  const escalations = async (id: string) =>
    ((await call(t, w.dispatcher, 'GET', `/api/cases/${id}`)).json.timeline as Step[]).filter(
      (s) => s.action === 'escalate' || s.action === 'remind',
    );
  const lastNotify = async (id: string) => {
    const events = (await readEvents(t.ctx.db, 0, ['case.updated'], 100_000)).filter((e) => e.subjectId === id);
    return (events[events.length - 1]!.payload as { notify: string[] }).notify;
  };

  it('escalates a case nobody accepts or handles: grid head → community → sub-district, with reminders', async () => {
    t.clock.set('2026-11-26T01:00:00.000Z'); // Thursday 09:00 in Beijing
    const c = await dispatched();
    expect(c.deadlines).toEqual({ acceptBy: '2026-11-26T02:00:00.000Z', handleBy: '2026-11-26T06:30:00.000Z' });
    // [clock, escalation level, the escalation/reminder steps so far, who the last step notified]
    const table: [string, number, string[], string | null][] = [
      ['2026-11-26T01:59:00.000Z', 0, [], null],
      ['2026-11-26T02:01:00.000Z', 1, ['escalate:1'], w.headA1.id], // 10:01 not accepted → grid head
      ['2026-11-26T06:29:00.000Z', 1, ['escalate:1'], null],
      ['2026-11-26T06:31:00.000Z', 2, ['escalate:1', 'escalate:2'], w.leaderA.id], // 14:31 overdue → community
      ['2026-11-26T08:32:00.000Z', 2, ['escalate:1', 'escalate:2', 'remind'], w.workerA1.id], // 督办 after 2 working hours
      // 14:30 + 4 working hours = Friday 09:30 (18:00 ends Thursday) → sub-district
      ['2026-11-27T01:31:00.000Z', 3, ['escalate:1', 'escalate:2', 'remind', 'escalate:3'], w.streetDispatcher.id],
      ['2026-11-27T01:33:00.000Z', 3, ['escalate:1', 'escalate:2', 'remind', 'escalate:3', 'remind'], w.workerA1.id],
    ];
    for (const [at, level, steps, notified] of table) {
      t.clock.set(at);
      await t.tick();
      const view = (await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json;
      expect(view.escalationLevel, at).toBe(level);
      const got = (await escalations(c.id)).map((s) => (s.action === 'remind' ? 'remind' : `escalate:${s.data.level}`));
      expect(got, at).toEqual(steps);
      if (notified) expect(await lastNotify(c.id), at).toContain(notified);
    }
    const steps = await escalations(c.id);
    expect(steps[0]!.data).toEqual({ level: 1, reason: 'accept-overdue', to: [w.headA1.id] });
    expect(steps[1]!.data).toEqual({ level: 2, reason: 'handle-overdue', to: [w.leaderA.id] });
    expect(steps[3]!.data).toEqual({ level: 3, reason: 'handle-overdue', to: [w.streetDispatcher.id] });
    expect((await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json.reminderCount).toBe(2);

    // Handling stops the chain: nothing more fires, however long we wait.
    await act(t, w.workerA1, c.id, { action: 'accept' });
    await act(t, w.workerA1, c.id, { action: 'handle' });
    t.clock.set('2026-12-04T01:00:00.000Z');
    await t.tick();
    expect(await escalations(c.id)).toHaveLength(5);
  });

  it('sends nothing when the case is accepted and handled in time', async () => {
    t.clock.set('2026-12-07T01:00:00.000Z'); // Monday 09:00
    const c = await dispatched();
    t.clock.set('2026-12-07T01:30:00.000Z');
    await act(t, w.workerA1, c.id, { action: 'accept' });
    t.clock.set('2026-12-07T03:00:00.000Z');
    await t.tick();
    await act(t, w.workerA1, c.id, { action: 'handle' });
    t.clock.set('2026-12-09T01:00:00.000Z');
    await t.tick();
    expect(await escalations(c.id)).toEqual([]);
  });

  it('passes a level with nobody on it to the next one up (grid A-2 has no head)', async () => {
    t.clock.set('2026-12-08T01:00:00.000Z');
    const c = await dispatched(w.compoundA2.id, [104.115, 30.665]);
    expect(c.gridId).toBe(w.gridA2.id);
    t.clock.set('2026-12-08T02:01:00.000Z');
    await t.tick();
    const [step] = await escalations(c.id);
    expect(step!.data).toEqual({ level: 2, reason: 'accept-overdue', to: [w.leaderA.id] });
  });

  it('counts deadlines in working time: a Friday-afternoon case is due on Monday', async () => {
    t.clock.set('2026-12-11T09:00:00.000Z'); // Friday 17:00
    const c = await dispatched();
    // 1 working hour to accept: 17:00–18:00; 4 to handle: 17:00–18:00 Friday, then 09:00–12:00 Monday.
    expect(c.deadlines).toEqual({ acceptBy: '2026-12-11T10:00:00.000Z', handleBy: '2026-12-14T04:00:00.000Z' });
    t.clock.set('2026-12-13T10:00:00.000Z'); // Sunday: accept overdue, handling not yet
    await t.tick();
    expect((await escalations(c.id)).map((s) => s.data.level)).toEqual([1]);
  });

  it('keeps its timers across a restart', async () => {
    t.clock.set('2026-12-15T01:00:00.000Z'); // Tuesday 09:00
    const c = await dispatched();
    await t.restart();
    t.clock.set('2026-12-15T02:05:00.000Z');
    await t.tick();
    expect((await escalations(c.id)).map((s) => s.data.level)).toEqual([1]);
    // And fires each timer once: a second tick (or a second node) finds it done.
    await t.tick();
    expect(await escalations(c.id)).toHaveLength(1);
  });
});
