import net from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { FastifyBaseLogger } from 'fastify';
import type { DeviceContext } from '../twin/device-state.ts';
import type { SignalKind } from './schema.ts';
import type { SignalIngest } from './service.ts';

/** A listening MQTT endpoint. */
export type MqttEndpoint = { port: number; close(): Promise<void> };

/** ThingsBoard's device topics → what they carry; other topics are acknowledged and dropped. */
export function kindOfDeviceTopic(topic: string): SignalKind | null {
  if (topic === 'v1/devices/me/telemetry') return 'telemetry';
  if (topic === 'v1/devices/me/attributes') return 'attributes';
  return null;
}

/**
 * The embedded MQTT broker of the one-machine mode (Aedes): ThingsBoard's device API, where a
 * device connects with its access token as the user name and publishes to
 * `v1/devices/me/telemetry` or `v1/devices/me/attributes`. An unknown token is refused at CONNECT
 * (CONNACK 5, not authorised). A QoS 1 PUBLISH is acknowledged (PUBACK) only once the signal
 * log has committed it: Aedes sends the PUBACK after `authorizePublish` calls back, and we call
 * back after the group commit. Devices neither subscribe nor receive each other's messages.
 */
export async function startEmbeddedBroker(opts: {
  ingest: SignalIngest;
  log: FastifyBaseLogger;
  host: string;
  port: number;
}): Promise<MqttEndpoint> {
  const devices = new WeakMap<Client, DeviceContext>();
  // A retransmitted QoS 1/2 PUBLISH (DUP) waits for the first copy instead of being stored again.
  const inflight = new WeakMap<Client, Map<number, Promise<unknown>>>();

  const broker = await Aedes.createBroker({
    // Device codes and vendors' client ids run longer than MQTT 3.1's 23 characters.
    maxClientsIdLength: 256,
    authenticate(client, username, _password, done) {
      opts.ingest
        .deviceFor(username ?? '')
        .then((device) => {
          if (!device) {
            const err = new Error('unknown device access token') as AuthenticateError;
            err.returnCode = 5;
            done(err, false);
            return;
          }
          devices.set(client, device);
          done(null, true);
        })
        .catch((err: unknown) => {
          opts.log.error({ err }, 'MQTT authentication failed');
          const e = new Error('server unavailable') as AuthenticateError;
          e.returnCode = 3;
          done(e, false);
        });
    },
    authorizePublish(client, packet, done) {
      if (packet.topic.startsWith('$SYS')) return done(new Error('$SYS topics are reserved'));
      const device = client ? devices.get(client) : undefined;
      if (!client || !device) return done(new Error('not authenticated'));
      packet.retain = false;
      const id = packet.qos > 0 ? packet.messageId : undefined;
      let mine = inflight.get(client);
      if (!mine) {
        mine = new Map();
        inflight.set(client, mine);
      }
      const pending = id !== undefined ? mine.get(id) : undefined;
      const work = pending ?? opts.ingest.fromMqtt(device, kindOfDeviceTopic(packet.topic), packet.payload as Buffer);
      if (id !== undefined && !pending) mine.set(id, work);
      work.then(
        () => {
          if (id !== undefined) mine.delete(id);
          done(null);
        },
        (err: unknown) => {
          if (id !== undefined) mine.delete(id);
          // Not stored: no PUBACK. Aedes closes the connection; the device sends it again.
          opts.log.warn({ err, device: device.code }, 'MQTT message not stored; connection closed');
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    },
    authorizeSubscribe(_client, _sub, done) {
      // Devices only publish; a refused subscription is granted as 0x80 (failure), the connection stays.
      done(null, null);
    },
    authorizeForward() {
      return null;
    },
  });
  broker.on('clientError', (client, err) =>
    opts.log.debug({ client: client.id, err: err.message }, 'MQTT client error'),
  );

  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
