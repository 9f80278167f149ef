import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/kernel/events/outbox.ts';
import { type MqttEndpoint, startEmbeddedBroker } from '../../src/signals/mqtt-broker.ts';
import { buildWorld, engineUnderTest, TestApp } from '../helpers/test-app.ts';

/** The embedded broker (Aedes, port 0) with a real MQTT client, as a device speaks to it. */
describe(`signals over MQTT, embedded broker (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  let broker: MqttEndpoint;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    broker = await startEmbeddedBroker({ ingest: t.ctx.signals.ingest, log: t.ctx.log, host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });
  afterAll(async () => {
    await broker.close();
    await t.stop();
  });

  const connect = async (token: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: token,
      reconnectPeriod: 0,
      clientId: `test-${t.next()}`,
    });
    clients.push(client);
    return client;
  };
  const storedFor = async (deviceId: string) =>
    t.ctx.db.selectFrom('signal_log').select(['payload', 'source']).where('device_id', '=', deviceId).execute();
  /** Lets the event loop run until `ready()` holds (no timers: bounded turns). */
  const until = async (ready: () => boolean) => {
    for (let i = 0; i < 10_000 && !ready(); i++) await new Promise((r) => setImmediate(r));
    expect(ready()).toBe(true);
  };

  it('refuses a connection with an unknown token (CONNACK 5, not authorised)', async () => {
    const err = await mqtt
      .connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: 'no-such-token', reconnectPeriod: 0 })
      .then(
        (c) => {
          clients.push(c);
          return null;
        },
        (e: { code?: number }) => e,
      );
    expect(err?.code).toBe(5);
  });

  it('stores QoS 1 telemetry and attributes; the PUBACK comes after the commit', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
    const client = await connect(device.accessToken);
    const release = t.ctx.signals.writer.hold();
    let acked = false;
    const published = client
      .publishAsync('v1/devices/me/telemetry', JSON.stringify({ smoke: false, battery: 88 }), { qos: 1 })
      .then(() => {
        acked = true;
      });
    // The broker has handed the message to the writer, which is held: no commit, so no PUBACK —
    // not even after a full round trip through the broker on another connection.
    await until(() => t.ctx.signals.writer.waiting === 1);
    const other = await connect(device.accessToken);
    await other.subscribeAsync('anything').catch(() => undefined);
    expect(acked).toBe(false);
    expect(Object.keys(client.outgoing)).toHaveLength(1);
    expect(await storedFor(device.row.id)).toHaveLength(0);
    release();
    await published;
    // Acknowledged means durable: the row is there the moment the PUBACK arrives.
    expect(await storedFor(device.row.id)).toEqual([{ payload: '{"smoke":false,"battery":88}', source: 'mqtt' }]);
    await client.publishAsync('v1/devices/me/attributes', JSON.stringify({ firmware: '3.0' }), { qos: 1 });
    const kinds = await t.ctx.db
      .selectFrom('signal_log')
      .select('kind')
      .where('device_id', '=', device.row.id)
      .execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(['attributes', 'telemetry']);
  });

  it('stores a repeated message once, and many messages in one commit', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'temp_humidity');
    const client = await connect(device.accessToken);
    const ts = t.clock.now().getTime();
    const reading = JSON.stringify({ ts, values: { temperature: 20 } });
    await client.publishAsync('v1/devices/me/telemetry', reading, { qos: 1 });
    await client.publishAsync('v1/devices/me/telemetry', reading, { qos: 1 });
    const release = t.ctx.signals.writer.hold();
    const commits = t.ctx.signals.writer.stats.commits;
    const many = Array.from({ length: 20 }, (_, i) =>
      client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: ts + 1 + i, values: { temperature: i } }), {
        qos: 1,
      }),
    );
    await until(() => t.ctx.signals.writer.waiting >= 1);
    release();
    await Promise.all(many);
    expect(t.ctx.signals.writer.stats.commits - commits).toBeLessThan(20);
    expect(await storedFor(device.row.id)).toHaveLength(21);
  });

  it('drops and counts a malformed or oversize message, acknowledges it, and keeps the connection', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'gas');
    const client = await connect(device.accessToken);
    await client.publishAsync('v1/devices/me/telemetry', '{"gas_lel": ', { qos: 1 });
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ detection: { type: 'x' } }), { qos: 1 });
    await client.publishAsync('v1/devices/me/telemetry', 'x'.repeat(t.ctx.config.signalMaxBytes + 1), { qos: 1 });
    await client.publishAsync('v1/devices/me/rpc/request/1', '{}', { qos: 1 });
    expect(t.ctx.signals.ingest.dropped.get(device.row.code)).toEqual({
      malformed: 2,
      oversize: 1,
      'unknown-topic': 1,
    });
    expect(await storedFor(device.row.id)).toHaveLength(0);
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ gas_lel: 2 }), { qos: 1 });
    expect(client.connected).toBe(true);
    expect(await storedFor(device.row.id)).toHaveLength(1);
  });

  it('lets no device subscribe to others’ messages', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
    const client = await connect(device.accessToken);
    // The SUBACK grants 0x80 (failure), which MQTT.js reports as an error; the connection stays.
    await expect(client.subscribeAsync('v1/devices/me/telemetry', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(client.connected).toBe(true);
  });

  it('turns a camera’s high-altitude-throw detection into one alarm for its grid', async () => {
    const camera = await t.device(w.compoundA2.id, [104.115, 30.665], 'ai_camera');
    const client = await connect(camera.accessToken);
    const detection = { type: 'high_altitude_throw', confidence: 0.93, snapshotUrl: 'https://cam.example/s/1.jpg' };
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ detection }), { qos: 1 });
    await t.ctx.signals.consumer.drain();
    const alarms = await t.ctx.db.selectFrom('alarms').selectAll().where('device_id', '=', camera.row.id).execute();
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      category: 'high_altitude_throw',
      severity: 'major',
      status: 'active',
      grid_id: w.gridA2.id,
      count: 1,
    });
    const raised = (await readEvents(t.ctx.db, 0, ['alarm.raised'], 1000)).filter((e) => e.subjectId === alarms[0]?.id);
    expect(raised).toHaveLength(1);
    expect(raised[0]?.payload).toMatchObject({
      deviceCode: camera.row.code,
      gridId: w.gridA2.id,
      detection: { type: 'high_altitude_throw', confidence: 0.93, snapshotUrl: detection.snapshotUrl },
    });
  });
});
