import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type MqttEndpoint, startEmbeddedBroker } from '../../src/signals/mqtt-broker.ts';
import { engineUnderTest, TestApp } from '../helpers/test-app.ts';
import { act, buildCaseWorld, type CaseWorld, call } from './cases-fixtures.ts';

/**
 * The headline, end to end with the real pipeline: a camera publishes a 高空抛物 detection
 * over MQTT → signal log → default rule → alarm → one case dispatched to the grid's worker → a push
 * on that worker's WebSocket; the case is walked to closed and evaluated, and the KPIs count it.
 */
describe(`signal → case → push (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: CaseWorld;
  let broker: MqttEndpoint;
  let wsBase: string;

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildCaseWorld(t);
    broker = await startEmbeddedBroker({ ingest: t.ctx.signals.ingest, log: t.ctx.log, host: '127.0.0.1', port: 0 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    wsBase = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/live`;
  });
  afterAll(async () => {
    await broker.close();
    await t.stop();
  });

  it('turns one detection into one dispatched case pushed to the worker, and on to the KPIs', async () => {
    const camera = await t.device(w.compoundA1.id, [104.105, 30.665], 'ai_camera');
    const ws = new WebSocket(`${wsBase}?token=${w.workerA1.headers.authorization.slice(7)}`);
    const messages: { type: string; data?: { id: string; category: { code: string }; step: { action: string } } }[] =
      [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (raw) => {
        const m = JSON.parse(raw.toString());
        messages.push(m);
        if (m.type === 'live') resolve();
      });
      ws.on('error', reject);
    });

    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: camera.accessToken,
      reconnectPeriod: 0,
    });
    const detection = { type: 'high_altitude_throw', confidence: 0.93, snapshotUrl: 'https://cam.example/throw.jpg' };
    await device.publishAsync('v1/devices/me/telemetry', JSON.stringify({ detection }), { qos: 1 });
    // The camera repeats itself a moment later: still one alarm, one case.
    await device.publishAsync('v1/devices/me/telemetry', JSON.stringify({ detection }), { qos: 1 });
    await device.endAsync();
    await t.ctx.signals.consumer.drain();
    await t.tick();
    await t.ctx.live.publish([]);
    const pong = new Promise<void>((resolve) =>
      ws.on('message', (raw) => JSON.parse(raw.toString()).type === 'pong' && resolve()),
    );
    ws.send(JSON.stringify({ type: 'ping' }));
    await pong;

    const cases = (await call(t, w.dispatcher, 'GET', `/api/cases?source=alarm&place=${w.compoundA1.id}`)).json;
    expect(cases.total).toBe(1);
    const c = cases.items[0];
    expect(c).toMatchObject({
      category: { code: 'high_altitude_throw' },
      state: 'dispatched',
      assignee: { id: w.workerA1.id },
      dispatch: { auto: true },
    });
    const pushed = messages.filter((m) => m.data?.id === c.id);
    expect(pushed.map((m) => [m.type, m.data?.step.action])).toEqual([['case.updated', 'dispatch']]);
    ws.close();

    await act(t, w.workerA1, c.id, { action: 'accept' });
    await act(t, w.workerA1, c.id, { action: 'handle', photos: ['upload:net'] });
    await act(t, w.dispatcher, c.id, { action: 'verify' });
    await act(t, w.dispatcher, c.id, { action: 'close' });
    expect((await act(t, w.dispatcher, c.id, { action: 'evaluate', satisfaction: 'satisfied' })).state).toBe(
      'evaluated',
    );
    const kpis = (await call(t, w.dispatcher, 'GET', '/api/kpis?from=2026-11-01&to=2026-12-01')).json;
    expect(kpis.counts).toMatchObject({ reported: 1, closed: 1, closedOnTime: 1, inspectorReported: 1, satisfied: 1 });
  });
});
