import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/kernel/events/outbox.ts';
import { parseRuleEvent, type RuleEventType } from '../../src/rules/events.ts';
import { SignalPipeline } from '../../src/signals/runtime.ts';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

type Alarm = { id: string; status: string; count: number; category: string; severity: string; lastAt: string };

/** Signals → rules → alarms: raise, repeat, clear; acknowledge and clear by hand; roll-up to places. */
describe(`rules and alarms (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;
  let dispatcher: TestUser;
  let workerA1: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
    dispatcher = await t.user('dispatcher');
    workerA1 = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
  });
  afterAll(() => t.stop());

  /** Sends readings as the device and lets the rules run. */
  const send = async (token: string, payload: unknown) => {
    const res = await t.inject({ method: 'POST', url: `/api/v1/${token}/telemetry`, payload: payload as object });
    expect(res.statusCode).toBe(200);
    await t.ctx.signals.consumer.drain();
  };
  const alarmsOf = async (deviceId: string, who = admin): Promise<Alarm[]> =>
    (await t.inject({ method: 'GET', url: `/api/alarms?device=${deviceId}&pageSize=100`, headers: who.headers })).json()
      .items;
  const eventsOf = async (alarmId: string) =>
    (await readEvents(t.ctx.db, 0, ['alarm.raised', 'alarm.updated', 'alarm.acknowledged', 'alarm.cleared'], 100_000))
      .filter((e) => e.subjectId === alarmId)
      .map((e) => ({ type: e.type, payload: parseRuleEvent(e.type as RuleEventType, e.payload) }));
  const rule = async (body: Record<string, unknown>) => {
    const res = await t.inject({ method: 'POST', url: '/api/rules', headers: admin.headers, payload: body });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string };
  };

  it('raises one alarm, repeats it instead of raising another, and clears it when the reading is normal', async () => {
    const smoke = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
    await send(smoke.accessToken, { smoke: true });
    t.clock.advance(30_000);
    await send(smoke.accessToken, { smoke: true });
    await send(smoke.accessToken, [{ ts: t.clock.now().getTime() + 1, values: { smoke: true } }]);
    const [alarm] = await alarmsOf(smoke.row.id);
    expect(alarm).toMatchObject({ status: 'active', count: 3, category: 'fire_smoke', severity: 'critical' });
    expect((await alarmsOf(smoke.row.id)).length).toBe(1);
    t.clock.advance(1000);
    await send(smoke.accessToken, { smoke: false });
    const cleared = await alarmsOf(smoke.row.id);
    expect(cleared).toEqual([expect.objectContaining({ status: 'cleared', clearedBy: 'system' })]);
    const events = await eventsOf(cleared[0]?.id as string);
    expect(events.map((e) => e.type)).toEqual(['alarm.raised', 'alarm.updated', 'alarm.updated', 'alarm.cleared']);
    expect(events[0]?.payload).toMatchObject({
      deviceId: smoke.row.id,
      deviceKind: 'smoke',
      placeId: w.compoundA1.id,
      gridId: w.gridA1.id,
      location: [104.105, 30.665],
      count: 1,
      title: '火警/烟雾',
    });
    expect(events[2]?.payload).toMatchObject({ count: 3 });
    t.clock.advance(1000);
    await send(smoke.accessToken, { smoke: true });
    const after = await alarmsOf(smoke.row.id);
    expect(after.map((a) => a.status).sort()).toEqual(['active', 'cleared']);
    const actions = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', cleared[0]?.id as string)
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['alarm.raise', 'alarm.clear']);
  });

  it('is acknowledged and cleared by people, with 409 for what the lifecycle forbids, each step audited', async () => {
    const button = await t.device(w.compoundA1.id, [104.105, 30.665], 'emergency_button');
    await send(button.accessToken, { pressed: true });
    const [alarm] = await alarmsOf(button.row.id);
    expect(alarm).toMatchObject({ status: 'active', category: 'emergency_call' });
    const id = alarm?.id as string;
    const act = (verb: string, who: TestUser, note?: string) =>
      t.inject({
        method: 'POST',
        url: `/api/alarms/${id}/${verb}`,
        headers: who.headers,
        payload: note ? { note } : {},
      });
    const leader = await t.user('leader');
    expect((await act('ack', leader)).statusCode).toBe(403);
    const ack = await act('ack', workerA1, '已到现场');
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: `user:${workerA1.username}` });
    expect((await act('ack', dispatcher)).statusCode).toBe(409);
    // A repeat keeps it acknowledged; pressing "no" does not clear an emergency call (no auto-clear).
    t.clock.advance(1000);
    await send(button.accessToken, { pressed: true });
    await send(button.accessToken, { pressed: false });
    expect((await alarmsOf(button.row.id))[0]).toMatchObject({ status: 'acknowledged', count: 2 });
    const clear = await act('clear', dispatcher, '误报');
    expect(clear.json()).toMatchObject({
      status: 'cleared',
      clearReason: '误报',
      clearedBy: `user:${dispatcher.username}`,
    });
    const again = await act('clear', dispatcher);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(['alarm.raised', 'alarm.acknowledged', 'alarm.updated', 'alarm.cleared']);
    expect(events[1]?.payload).toMatchObject({
      by: `user:${workerA1.username}`,
      reason: '已到现场',
      status: 'acknowledged',
    });
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('subject_id', '=', id)
      .execute();
    expect(audit).toEqual([
      { action: 'alarm.raise', actor: 'system' },
      { action: 'alarm.acknowledge', actor: `user:${workerA1.username}` },
      { action: 'alarm.clear', actor: `user:${dispatcher.username}` },
    ]);
  });

  it('refuses alarms outside the caller’s scope and lists only those inside', async () => {
    const a2 = await t.device(w.compoundA2.id, [104.115, 30.665], 'gas');
    await send(a2.accessToken, { gas_lel: 35 });
    const [alarm] = await alarmsOf(a2.row.id);
    for (const [method, url] of [
      ['GET', `/api/alarms/${alarm?.id}`],
      ['POST', `/api/alarms/${alarm?.id}/ack`],
      ['POST', `/api/alarms/${alarm?.id}/clear`],
    ] as const) {
      const res = await t.inject({
        method,
        url,
        headers: workerA1.headers,
        ...(method === 'POST' ? { payload: {} } : {}),
      });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().type).toMatch(/outside-scope$/);
    }
    const mine = (
      await t.inject({ method: 'GET', url: '/api/alarms?status=open&pageSize=500', headers: workerA1.headers })
    ).json();
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((a: { gridId: string }) => a.gridId === w.gridA1.id)).toBe(true);
    const resident = await t.user('resident', { placeId: w.communityA.id });
    expect((await t.inject({ method: 'GET', url: '/api/alarms', headers: resident.headers })).statusCode).toBe(403);
    const filtered = (
      await t.inject({
        method: 'GET',
        url: `/api/alarms?place=${w.compoundA2.id}&category=gas_leak&severity=critical&status=active`,
        headers: admin.headers,
      })
    ).json();
    expect(filtered.items.map((a: { id: string }) => a.id)).toEqual([alarm?.id]);
  });

  it('rolls open alarms and device states up the place tree, narrowed to the viewer’s scope', async () => {
    const state = async (place: string, who = admin) =>
      t.inject({ method: 'GET', url: `/api/twin/state?place=${place}`, headers: who.headers });
    const before = (await state(w.communityB.id)).json();
    const b1 = await t.device(w.compoundB1.id, [104.135, 30.665], 'manhole');
    await send(b1.accessToken, { tilt_deg: 40 });
    const street = (await state(w.street.id)).json();
    const community = street.children.find((c: { id: string }) => c.id === w.communityB.id);
    expect(community.alarms.critical).toBe(before.alarms.critical + 1);
    expect(street.alarms.total).toBeGreaterThanOrEqual(community.alarms.total);
    const b = (await state(w.communityB.id)).json();
    expect(b.alarms.total).toBe(before.alarms.total + 1);
    expect(b.devices.online).toBe(before.devices.online + 1);
    expect(b.children.find((c: { id: string }) => c.id === w.compoundB1.id).alarms.critical).toBeGreaterThan(0);
    // A worker may look at the street above their grid, but counts only what their grid holds.
    const narrowed = (await state(w.street.id, workerA1)).json();
    expect(narrowed.children.find((c: { id: string }) => c.id === w.communityB.id).alarms.total).toBe(0);
    const outside = await state(w.communityB.id, workerA1);
    expect(outside.statusCode).toBe(403);
    expect(outside.json().type).toMatch(/outside-scope$/);
    const resident = await t.user('resident', { placeId: w.communityA.id });
    expect((await state(w.communityA.id, resident)).statusCode).toBe(403);
    await send(b1.accessToken, { tilt_deg: 2 });
    expect((await state(w.communityB.id)).json().alarms.total).toBe(before.alarms.total);
  });

  it('keeps a duration’s window state in the database: a restarted evaluator picks it up', async () => {
    const th = await t.device(w.compoundA1.id, [104.105, 30.665], 'temp_humidity');
    await send(th.accessToken, { temperature: 75 });
    const states = await t.ctx.db.selectFrom('rule_state').selectAll().where('device_id', '=', th.row.id).execute();
    expect(states).toHaveLength(1);
    expect(JSON.parse(states[0]?.state as string)).toEqual({ c: { since: t.clock.now().getTime() } });
    // A new pipeline, as after a restart: nothing in memory, everything from the database.
    const restarted = await SignalPipeline.create({
      db: t.ctx.db,
      logTarget: t.ctx.signals.logTarget,
      clock: t.clock,
      log: t.ctx.log,
      config: t.ctx.config,
      wakeEvents: () => undefined,
      twin: t.ctx.twin,
    });
    t.clock.advance(60_000);
    await restarted.ingest.fromDevice(await deviceContext(th.accessToken), 'telemetry', { temperature: 76 }, 'http');
    await restarted.consumer.drain();
    expect(await alarmsOf(th.row.id)).toHaveLength(0);
    t.clock.advance(60_000);
    await restarted.ingest.fromDevice(await deviceContext(th.accessToken), 'telemetry', { temperature: 77 }, 'http');
    await restarted.consumer.drain();
    expect(await alarmsOf(th.row.id)).toEqual([expect.objectContaining({ title: '温度异常升高', severity: 'major' })]);
    await restarted.stop();
  });
  const deviceContext = async (token: string) => {
    const d = await t.ctx.signals.ingest.deviceFor(token);
    if (!d) throw new Error('no device');
    return d;
  };

  it('raises an offline alarm after the rule’s silence, once, and clears it on traffic', async () => {
    const bin = await t.device(w.compoundA1.id, [104.105, 30.665], 'smart_bin');
    const silentForever = await t.device(w.compoundA1.id, [104.105, 30.665], 'smart_bin');
    await send(bin.accessToken, { fill_level: 20 });
    t.clock.advance(29 * 60_000);
    await t.ctx.signals.tick();
    expect(await alarmsOf(bin.row.id)).toHaveLength(0);
    t.clock.advance(2 * 60_000);
    await t.ctx.signals.tick();
    await t.ctx.signals.tick();
    expect(await alarmsOf(bin.row.id)).toEqual([
      expect.objectContaining({ category: 'device_offline', severity: 'warning', status: 'active', count: 1 }),
    ]);
    expect(await alarmsOf(silentForever.row.id)).toHaveLength(0);
    await send(bin.accessToken, { fill_level: 25 });
    expect((await alarmsOf(bin.row.id))[0]?.status).toBe('cleared');
  });

  it('counts detections in a window, measures rates, and follows schedules — as rules written through the API', async () => {
    const door = await t.device(w.compoundA1.id, [104.105, 30.665], 'door');
    await rule({
      code: 'door-three-times',
      name: '10分钟内开门3次',
      scope: { deviceIds: [door.row.id] },
      condition: {
        type: 'count',
        of: { type: 'threshold', key: 'open', op: '==', value: true },
        count: 3,
        windowSeconds: 600,
      },
      alarm: { category: 'other_door', severity: 'minor', title: '频繁开门' },
      autoClear: false,
    });
    await rule({
      code: 'door-night',
      name: '夜间开门',
      scope: { deviceKinds: ['door'], placeIds: [w.compoundA1.id] },
      condition: { type: 'threshold', key: 'open', op: '==', value: true },
      alarm: { category: 'door_night', severity: 'warning', title: '夜间开门' },
      schedule: { timezone: 'Asia/Shanghai', from: '22:00', to: '06:00' },
    });
    // 01:00 UTC is 09:00 in Beijing: the night rule sleeps.
    for (let i = 0; i < 2; i++) {
      t.clock.advance(60_000);
      await send(door.accessToken, { open: true });
    }
    expect(await alarmsOf(door.row.id)).toHaveLength(0);
    t.clock.advance(60_000);
    await send(door.accessToken, { open: true });
    expect((await alarmsOf(door.row.id)).map((a) => a.category)).toEqual(['other_door']);
    t.clock.advance(14 * 3600_000);
    await send(door.accessToken, { open: true });
    expect((await alarmsOf(door.row.id)).map((a) => a.category).sort()).toEqual(['door_night', 'other_door']);

    const level = await t.device(w.compoundA1.id, [104.105, 30.665], 'river_gauge');
    await rule({
      code: 'river-rising',
      name: '水位快速上涨',
      scope: { deviceKinds: ['river_gauge'] },
      condition: { type: 'rate', key: 'level_cm', op: '>=', value: 5, perSeconds: 60 },
      alarm: { category: 'flooding' },
    });
    await send(level.accessToken, { level_cm: 100 });
    t.clock.advance(60_000);
    await send(level.accessToken, { level_cm: 102 });
    expect(await alarmsOf(level.row.id)).toHaveLength(0);
    t.clock.advance(60_000);
    await send(level.accessToken, { level_cm: 110 });
    expect(await alarmsOf(level.row.id)).toEqual([expect.objectContaining({ category: 'flooding', status: 'active' })]);
  });

  it('evaluates a changed rule as its new version, and a disabled rule not at all', async () => {
    const gauge = await t.device(w.compoundA1.id, [104.105, 30.665], 'pressure');
    const body = {
      code: 'pressure-high',
      name: '压力过高',
      scope: { deviceKinds: ['pressure'] },
      condition: { type: 'threshold', key: 'bar', op: '>', value: 8 },
      alarm: { category: 'pressure_high', severity: 'minor' },
    };
    const created = await rule(body);
    const v2 = await t.inject({
      method: 'PUT',
      url: `/api/rules/${created.id}`,
      headers: admin.headers,
      payload: { ...body, condition: { ...body.condition, value: 6 } },
    });
    expect(v2.json().version).toBe(2);
    await send(gauge.accessToken, { bar: 7 });
    const raised = await t.ctx.db.selectFrom('alarms').selectAll().where('device_id', '=', gauge.row.id).execute();
    expect(raised.map((a) => Number(a.rule_version))).toEqual([2]);
    await t.inject({
      method: 'PUT',
      url: `/api/rules/${created.id}`,
      headers: admin.headers,
      payload: { ...body, enabled: false, autoClear: false },
    });
    await send(gauge.accessToken, { bar: 9 });
    expect((await alarmsOf(gauge.row.id))[0]?.count).toBe(1);
  });
});
