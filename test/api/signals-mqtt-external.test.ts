import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedSubscriber } from '../../src/signals/mqtt-subscriber.ts';
import { buildWorld, engineUnderTest, TestApp } from '../helpers/test-app.ts';

const url = process.env.MQTT_URL;

/** Waits (polling) until `check` holds; the broker delivers in its own time. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Devices through an external broker (CI: Mosquitto at MQTT_URL), read with a shared subscription. */
describe.skipIf(!url)(`signals over MQTT, external broker (${engineUnderTest})`, () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildWorld>>;
  const run = randomUUID().slice(0, 8);
  const group = `civictwin-test-${run}`;
  const clientId = `civictwin-test-${run}`;
  let publisher: MqttClient;

  const subscribe = () =>
    startSharedSubscriber({
      url: url as string,
      group,
      clientId,
      ingest: t.ctx.signals.ingest,
      clock: t.clock,
      log: t.ctx.log,
    });

  beforeAll(async () => {
    t = await TestApp.start();
    w = await buildWorld(t);
    publisher = await mqtt.connectAsync(url as string, { clientId: `device-${run}`, reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await publisher.endAsync(true);
    // Remove the persistent session from the broker, so nothing queues for it after the test.
    const cleaner = await mqtt.connectAsync(url as string, { clientId, clean: true, reconnectPeriod: 0 });
    await cleaner.endAsync();
    await t.stop();
  });

  const rows = async (deviceId: string) =>
    (await t.ctx.db.selectFrom('signal_log').select('payload').where('device_id', '=', deviceId).execute()).length;

  it('stores what devices publish to v1/devices/<token>/telemetry and …/attributes', async () => {
    const sub = await subscribe();
    try {
      const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'smoke');
      await publisher.publishAsync(`v1/devices/${device.accessToken}/telemetry`, JSON.stringify({ smoke: false }), {
        qos: 1,
      });
      await publisher.publishAsync(`v1/devices/${device.accessToken}/attributes`, JSON.stringify({ fw: '1' }), {
        qos: 1,
      });
      await publisher.publishAsync('v1/devices/unknown-token/telemetry', JSON.stringify({ smoke: true }), { qos: 1 });
      await eventually(async () => (await rows(device.row.id)) === 2);
    } finally {
      await sub.close();
    }
  });

  it('acknowledges only after the commit: a message in flight when the node dies is delivered again, stored once', async () => {
    const device = await t.device(w.compoundA1.id, [104.105, 30.665], 'temp_humidity');
    const first = await subscribe();
    const release = t.ctx.signals.writer.hold();
    const duplicates = t.ctx.signals.writer.stats.duplicates;
    const reading = JSON.stringify({ ts: t.clock.now().getTime(), values: { temperature: 23 } });
    await publisher.publishAsync(`v1/devices/${device.accessToken}/telemetry`, reading, { qos: 1 });
    await eventually(async () => t.ctx.signals.writer.waiting === 1);
    // The node dies before its commit: the connection drops without a PUBACK.
    first.client.stream.destroy();
    await first.client.endAsync(true);
    release();
    await t.ctx.signals.writer.flush();
    expect(await rows(device.row.id)).toBe(1);
    // Back on the same persistent session, the broker delivers the unacknowledged message again.
    const second = await subscribe();
    try {
      await eventually(async () => t.ctx.signals.writer.stats.duplicates > duplicates);
      expect(await rows(device.row.id)).toBe(1);
    } finally {
      await second.close();
    }
  });
});
