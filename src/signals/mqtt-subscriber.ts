import type { FastifyBaseLogger } from 'fastify';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Clock } from '../kernel/clock.ts';
import type { DeviceContext } from '../twin/device-state.ts';
import type { SignalKind } from './schema.ts';
import type { SignalIngest } from './service.ts';

/** Topics devices publish to on an external broker: the access token stands where ThingsBoard has `me`. */
export const externalTopics = ['v1/devices/+/telemetry', 'v1/devices/+/attributes'] as const;

/** `v1/devices/<token>/telemetry|attributes` → token and kind. */
export function parseExternalTopic(topic: string): { token: string; kind: SignalKind } | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'v1' || parts[1] !== 'devices' || !parts[2]) return null;
  if (parts[3] === 'telemetry') return { token: parts[2], kind: 'telemetry' };
  if (parts[3] === 'attributes') return { token: parts[2], kind: 'attributes' };
  return null;
}

type PacketSender = (
  packet: { cmd: string; messageId?: number },
  cb?: (err?: Error) => void,
  ...rest: unknown[]
) => void;

/**
 * Reads devices' messages from an external broker (Mosquitto, EMQX…) with a shared subscription
 * (`$share/<group>/…`), so several civictwin nodes split the load, on a persistent session (clean
 * = false, QoS 1), so the broker keeps what arrives while a node is down. The broker authenticates
 * devices; the token in the topic says which device spoke (configure the broker's ACL so devices
 * may publish there but only civictwin may subscribe). Each message is acknowledged (PUBACK) only
 * after its commit: MQTT.js acknowledges when `handleMessage` calls back, one message at a time,
 * so we call back at once (to keep reading) and hold the PUBACK itself until the commit.
 */
export async function startSharedSubscriber(opts: {
  url: string;
  group: string;
  clientId: string;
  ingest: SignalIngest;
  clock: Clock;
  log: FastifyBaseLogger;
}): Promise<{ client: MqttClient; close(): Promise<void> }> {
  const client = mqtt.connect(opts.url, {
    clientId: opts.clientId,
    clean: false,
    reconnectPeriod: 1000,
    protocolVersion: 4,
  });
  const held = new Map<number, Promise<unknown>>();
  const internals = client as unknown as { _sendPacket: PacketSender };
  const send = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, cb, ...rest) => {
    const work = packet.cmd === 'puback' && packet.messageId !== undefined ? held.get(packet.messageId) : undefined;
    if (!work) return send(packet, cb, ...rest);
    held.delete(packet.messageId as number);
    cb?.();
    work.then(
      () => send(packet),
      (err: unknown) => {
        // Not stored: no PUBACK. Dropping the connection makes the broker deliver it again.
        opts.log.warn({ err }, 'MQTT message not stored; reconnecting so the broker redelivers it');
        client.stream?.destroy();
      },
    );
  };

  // A node sees each device's token again and again: remember answers (unknown tokens too) for a minute.
  const tokens = new Map<string, { device: DeviceContext | undefined; at: number }>();
  const deviceFor = async (token: string) => {
    const now = opts.clock.now().getTime();
    const known = tokens.get(token);
    if (known && now - known.at < 60_000) return known.device;
    const device = await opts.ingest.deviceFor(token);
    if (tokens.size > 100_000) tokens.clear();
    tokens.set(token, { device, at: now });
    return device;
  };

  client.handleMessage = (packet: IPublishPacket, done) => {
    const topic = parseExternalTopic(packet.topic);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const work = (async () => {
      if (!topic) return;
      const device = await deviceFor(topic.token);
      if (!device) {
        opts.log.warn(
          { topic: packet.topic.replace(topic.token, '***') },
          'MQTT message from an unknown token dropped',
        );
        return;
      }
      await opts.ingest.fromMqtt(device, topic.kind, payload);
    })();
    if (packet.qos > 0 && packet.messageId !== undefined) held.set(packet.messageId, work);
    else work.catch((err: unknown) => opts.log.warn({ err }, 'MQTT QoS 0 message not stored'));
    done();
  };

  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    client.once('error', fail);
    client.once('connect', () => {
      client.off('error', fail);
      resolve();
    });
  });
  client.on('error', (err) => opts.log.warn({ err: err.message }, 'MQTT subscriber error'));
  await client.subscribeAsync(
    externalTopics.map((t) => `$share/${opts.group}/${t}`),
    { qos: 1 },
  );
  return {
    client,
    close: async () => {
      await Promise.allSettled([...held.values()]);
      await client.endAsync();
    },
  };
}
