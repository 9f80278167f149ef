import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedPlan } from '../../src/cases/demo-workers.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call, reportBody } from './cases-fixtures.ts';

/** Demo mode: simulated workers sign and handle most cases through the workflow, and leave some. */
describe(`the demo's simulated workers (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;

  beforeAll(async () => {
    t = await TestApp.start({ demo: true });
    w = await buildCaseWorld(t);
  });
  afterAll(() => t.stop());

  it('accept, then handle, after their own delays; about one case in five is left alone', async () => {
    const ids: { id: string; code: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const c = (await call(t, w.resident, 'POST', '/api/cases', reportBody(w))).json;
      await act(t, w.dispatcher, c.id, { action: 'register' });
      await act(t, w.dispatcher, c.id, { action: 'dispatch', targetId: w.workerA1.id });
      ids.push({ id: c.id, code: c.code });
    }
    t.clock.advance(30 * 60_000); // every accept delay (2–26 min) has passed
    await t.tick();
    const states = async () =>
      Promise.all(ids.map(async (c) => (await call(t, w.dispatcher, 'GET', `/api/cases/${c.id}`)).json));
    for (const c of await states()) {
      const plan = simulatedPlan(c.code);
      expect(c.state, c.code).toBe(plan.ignore ? 'dispatched' : 'accepted');
      if (!plan.ignore) expect(c.firstResponsible.id).toBe(w.workerA1.id);
    }
    t.clock.advance(2 * 3_600_000); // every handling delay (10–119 min) has passed
    await t.tick();
    const after = await states();
    for (const c of after) expect(c.state, c.code).toBe(simulatedPlan(c.code).ignore ? 'dispatched' : 'handled');
    const handled = after.find((c) => c.state === 'handled')!;
    expect(handled.timeline.at(-1)).toMatchObject({ action: 'handle', actor: { id: w.workerA1.id } });
    // These twelve case numbers include left-alone ones, so both paths ran.
    expect(ids.filter((c) => simulatedPlan(c.code).ignore).length).toBeGreaterThan(0);
  });
});
