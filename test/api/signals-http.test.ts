import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/kernel/events/outbox.ts';
import { buildWorld, engineUnderTest, TestApp, type TestUser } from '../helpers/test-app.ts';

/** The ThingsBoard-compatible device API and the batch endpoint, over HTTP. */
describe(`signals over HTTP (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let admin: TestUser;
  let adminB: TestUser;
  let workerA1: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    admin = await t.user('admin');
    adminB = await t.user('admin', { placeId: w.communityB.id });
    workerA1 = await t.user('worker', { placeId: w.communityA.id, gridId: w.gridA1.id });
  });
  afterAll(() => t.stop());

  const telemetry = (token: string, payload: unknown) =>
    t.inject({ method: 'POST', url: `/api/v1/${token}/telemetry`, payload: payload as object });
  const signalsOf = async (deviceId: string, who = admin) => {
    const res = await t.inject({
      method: 'GET',
      url: `/api/signals?device=${deviceId}&limit=500`,
      headers: who.headers,
    });
    expect(res.statusCode).toBe(200);
    return res.json().items as { kind: string; ts: string; values: Record<string, unknown>; source: string }[];
  };

  it('stores telemetry in each ThingsBoard form and answers after the commit', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'temp_humidity');
    const ts = t.clock.now().getTime() - 60_000;
    expect((await telemetry(device.accessToken, { temperature: 21.5 })).json()).toEqual({ stored: 1, duplicates: 0 });
    expect((await telemetry(device.accessToken, { ts, values: { temperature: 22 } })).json()).toEqual({
      stored: 1,
      duplicates: 0,
    });
    const array = await telemetry(device.accessToken, [
      { ts: ts + 1, values: { humidity: 40 } },
      { ts: ts + 2, values: { humidity: 41 } },
    ]);
    expect(array.statusCode).toBe(200);
    expect(array.json().stored).toBe(2);
    const attributes = await t.inject({
      method: 'POST',
      url: `/api/v1/${device.accessToken}/attributes`,
      payload: { firmware: '2.1.0' },
    });
    expect(attributes.json()).toEqual({ stored: 1, duplicates: 0 });
    const stored = await signalsOf(device.row.id);
    expect(stored).toHaveLength(5);
    expect(stored[0]).toMatchObject({ kind: 'attributes', values: { firmware: '2.1.0' }, source: 'http' });
    expect(stored.find((s) => s.values.temperature === 21.5)?.ts).toBe(t.clock.now().toISOString());
    expect(stored.find((s) => s.values.temperature === 22)?.ts).toBe(new Date(ts).toISOString());
  });

  it('stores a repeated message once: same content and time, or same message id', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
    const ts = t.clock.now().getTime();
    const first = await telemetry(device.accessToken, { ts, values: { smoke: false, battery: 97 } });
    const again = await telemetry(device.accessToken, { ts, values: { smoke: false, battery: 97 } });
    expect(first.json()).toEqual({ stored: 1, duplicates: 0 });
    expect(again.json()).toEqual({ stored: 0, duplicates: 1 });
    const byId = await telemetry(device.accessToken, { ts: ts + 5, values: { battery: 96 }, id: 'msg-1' });
    const byIdLater = await telemetry(device.accessToken, { ts: ts + 9, values: { battery: 95 }, id: 'msg-1' });
    expect(byId.json().stored).toBe(1);
    expect(byIdLater.json()).toEqual({ stored: 0, duplicates: 1 });
    const within = await telemetry(device.accessToken, [
      { ts: ts + 20, values: { battery: 90 } },
      { ts: ts + 20, values: { battery: 90 } },
    ]);
    expect(within.json()).toEqual({ stored: 1, duplicates: 1 });
    expect(await signalsOf(device.row.id)).toHaveLength(3);
  });

  it('refuses an unknown token (401 problem) before reading the body', async () => {
    for (const url of ['/api/v1/not-a-token/telemetry', '/api/v1/not-a-token/attributes']) {
      const res = await t.inject({
        method: 'POST',
        url,
        payload: 'not even json',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('refuses a malformed payload with pointers, and writes nothing of it', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'ai_camera');
    const bad = await telemetry(device.accessToken, [
      { ts: t.clock.now().getTime(), values: { people: 3 } },
      { values: { detection: { type: 'high_altitude_throw', confidence: 3 } }, ts: t.clock.now().getTime() },
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors).toEqual([{ pointer: '/1/values/detection/confidence', detail: expect.any(String) }]);
    const notJson = await t.inject({
      method: 'POST',
      url: `/api/v1/${device.accessToken}/telemetry`,
      payload: '{"temperature": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
    expect((await telemetry(device.accessToken, 42)).statusCode).toBe(400);
    expect(await signalsOf(device.row.id)).toHaveLength(0);
  });

  it('refuses an oversize message (413) and an oversize batch', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
    const big = await telemetry(device.accessToken, { blob: 'x'.repeat(t.ctx.config.signalMaxBytes + 1) });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    const huge = await t.inject({
      method: 'POST',
      url: '/api/signals',
      headers: admin.headers,
      payload: { items: [{ device: device.row.code, values: { blob: 'x'.repeat(t.ctx.config.bodyLimit) } }] },
    });
    expect(huge.statusCode).toBe(413);
    expect(await signalsOf(device.row.id)).toHaveLength(0);
  });

  it('takes a gateway’s batch of many devices, all or nothing', async () => {
    const d1 = await t.device(w.compoundA1.id, [104.105, 30.665], 'temp_humidity');
    const d2 = await t.device(w.compoundB1.id, [104.135, 30.665], 'temp_humidity');
    const ts = t.clock.now().getTime();
    const ok = await t.inject({
      method: 'POST',
      url: '/api/signals',
      headers: admin.headers,
      payload: {
        items: [
          { device: d1.row.code, ts, values: { temperature: 20 } },
          { device: d2.row.code, ts, values: { temperature: 21 }, id: 'gw-1' },
          { device: d2.row.code, kind: 'attributes', values: { model: 'TH-1' } },
        ],
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ stored: 3, duplicates: 0 });
    expect((await signalsOf(d2.row.id)).map((s) => s.source)).toEqual(['batch', 'batch']);

    const badItem = await t.inject({
      method: 'POST',
      url: '/api/signals',
      headers: admin.headers,
      payload: {
        items: [
          { device: d1.row.code, ts: ts + 1, values: { temperature: 30 } },
          { device: d1.row.code, ts: 'yesterday', values: { temperature: 31 } },
          { device: 'no-such-device', values: { temperature: 32 } },
        ],
      },
    });
    expect(badItem.statusCode).toBe(400);
    expect(badItem.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/items/1/ts']);
    const unknown = await t.inject({
      method: 'POST',
      url: '/api/signals',
      headers: admin.headers,
      payload: {
        items: [
          { device: d1.row.code, ts: ts + 2, values: { temperature: 30 } },
          { device: 'nope', values: { a: 1 } },
        ],
      },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([{ pointer: '/items/1/device', detail: 'no device nope' }]);
    expect((await signalsOf(d1.row.id)).map((s) => s.values.temperature)).toEqual([20]);
  });

  it('refuses batches outside the caller’s scope (403) or role (403), writing nothing', async () => {
    const a1 = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
    const b1 = await t.device(w.compoundB1.id, [104.135, 30.665], 'smoke');
    const items = [
      { device: b1.row.code, values: { smoke: false } },
      { device: a1.row.code, values: { smoke: false } },
    ];
    const outside = await t.inject({
      method: 'POST',
      url: '/api/signals',
      headers: adminB.headers,
      payload: { items },
    });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().type).toMatch(/outside-scope$/);
    const role = await t.inject({ method: 'POST', url: '/api/signals', headers: workerA1.headers, payload: { items } });
    expect(role.statusCode).toBe(403);
    expect(role.json().type).toMatch(/forbidden$/);
    expect(await signalsOf(b1.row.id)).toHaveLength(0);
    const mine = await t.inject({
      method: 'POST',
      url: '/api/signals',
      headers: adminB.headers,
      payload: { items: [items[0]] },
    });
    expect(mine.statusCode).toBe(200);
  });

  it('lets staff read a device’s signals only within their scope, and pages back', async () => {
    const a2 = await t.device(w.compoundA2.id, [104.115, 30.665], 'smoke');
    const ts = t.clock.now().getTime();
    await telemetry(
      a2.accessToken,
      [1, 2, 3].map((i) => ({ ts: ts + i, values: { battery: i } })),
    );
    const outside = await t.inject({
      method: 'GET',
      url: `/api/signals?device=${a2.row.id}`,
      headers: workerA1.headers,
    });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().type).toMatch(/outside-scope$/);
    const resident = await t.user('resident', { placeId: w.communityA.id });
    const role = await t.inject({ method: 'GET', url: `/api/signals?device=${a2.row.id}`, headers: resident.headers });
    expect(role.statusCode).toBe(403);
    const page1 = (
      await t.inject({ method: 'GET', url: `/api/signals?device=${a2.row.id}&limit=2`, headers: admin.headers })
    ).json();
    expect(page1.items.map((s: { values: { battery: number } }) => s.values.battery)).toEqual([3, 2]);
    const page2 = (
      await t.inject({
        method: 'GET',
        url: `/api/signals?device=${a2.row.id}&limit=2&before=${page1.nextBefore}`,
        headers: admin.headers,
      })
    ).json();
    expect(page2.items.map((s: { values: { battery: number } }) => s.values.battery)).toEqual([1]);
  });

  it('marks devices online from traffic and offline after the configured silence', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'water_level');
    const status = async () =>
      (await t.inject({ method: 'GET', url: `/api/devices/${device.row.id}`, headers: admin.headers })).json();
    expect((await status()).status).toBe('unknown');
    await telemetry(device.accessToken, { water_leak: false });
    await t.ctx.signals.consumer.drain();
    expect(await status()).toMatchObject({ status: 'online', lastSeenAt: t.clock.now().toISOString() });
    t.clock.advance(t.ctx.config.deviceOfflineMinutes * 60_000);
    await t.ctx.signals.tick();
    expect((await status()).status).toBe('online');
    t.clock.advance(60_000);
    await t.ctx.signals.tick();
    expect((await status()).status).toBe('offline');
    await telemetry(device.accessToken, { water_leak: false });
    await t.ctx.signals.consumer.drain();
    expect((await status()).status).toBe('online');
    const events = (await readEvents(t.ctx.db, 0, ['twin.device-state'], 10_000)).filter(
      (e) => e.subjectId === device.row.id,
    );
    expect(events.map((e) => (e.payload as { status: string; previous: string }).status)).toEqual([
      'online',
      'offline',
      'online',
    ]);
    expect(events[0]?.payload).toMatchObject({
      previous: 'unknown',
      deviceCode: device.row.code,
      placeId: w.compoundA1.id,
    });
  });

  it('serves the pipeline’s figures to an administrator of the whole system only', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/signals/stats', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().writer.stored).toBeGreaterThan(0);
    expect((await t.inject({ method: 'GET', url: '/api/signals/stats', headers: adminB.headers })).statusCode).toBe(
      403,
    );
    expect((await t.inject({ method: 'GET', url: '/api/signals/stats', headers: workerA1.headers })).statusCode).toBe(
      403,
    );
  });
});
