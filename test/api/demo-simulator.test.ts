import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDistrictLoader } from '../../src/demo/loader.ts';
import { DeviceSimulator } from '../../src/demo/simulator.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';

/** The demo comes alive: simulated devices report, incidents raise alarms, cases are dispatched. */
describe(`the demo's device simulator (${engineUnderTest})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ demo: true });
    await demoDistrictLoader(t.ctx, 'demo-password-1');
  }, 120_000);
  afterAll(() => t.stop());

  it('reports from every device, raises alarms from incidents, and opens dispatched cases', async () => {
    const simulator = new DeviceSimulator({ db: t.ctx.db, ingest: t.ctx.signals.ingest }, { incidentsPerRound: 6 });
    let sent = 0;
    for (let round = 0; round < 4; round++) {
      sent += await simulator.round(t.clock.now());
      await t.ctx.signals.consumer.drain();
      await t.ctx.events.drain();
      t.clock.advance(30_000);
    }
    const devices = await t.ctx.db.selectFrom('devices').select(['status']).execute();
    expect(sent).toBeGreaterThanOrEqual(devices.length * 4);
    expect(devices.every((d) => d.status === 'online')).toBe(true);

    const alarms = await t.ctx.db.selectFrom('alarms').select(['category']).execute();
    expect(alarms.length).toBeGreaterThan(0);
    const cases = await t.ctx.db.selectFrom('cases').select(['state', 'assignee_id', 'source']).execute();
    const fromAlarms = cases.filter((c) => c.source === 'alarm');
    expect(fromAlarms.length).toBeGreaterThan(0);
    expect(fromAlarms.every((c) => c.state === 'dispatched' && c.assignee_id !== null)).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const make = async (seed: number) => {
      const s = new DeviceSimulator({ db: t.ctx.db, ingest: t.ctx.signals.ingest }, { seed, incidentsPerRound: 3 });
      await s.reload();
      return [s.plan(t.clock.now()), s.plan(t.clock.now())];
    };
    const a = await make(7);
    expect(await make(7)).toEqual(a);
    expect(await make(8)).not.toEqual(a);
    expect(a[0]?.length).toBeGreaterThan(700);
  });
});
