import type { OutboxListener } from '../kernel/events/outbox.ts';
import { deviceTrafficRecorder } from '../twin/device-state.ts';
import type { SignalHandler } from './consumer.ts';

/**
 * The signal log's twin consumer: devices that sent something are online, with their last-seen
 * time. To spare the devices table a write per message, last-seen moves in steps of
 * `resolutionMs` (a status change is written at once); the offline check allows for the step.
 */
export function deviceTrafficHandler(wake: OutboxListener, resolutionMs: number): SignalHandler {
  return {
    name: 'device-traffic',
    async handle(unit, batch) {
      const latest = new Map<string, string>();
      for (const row of batch.rows) {
        const at = latest.get(row.device_id);
        if (!at || row.received_at > at) latest.set(row.device_id, row.received_at);
      }
      const seen = [];
      for (const [deviceId, at] of latest) {
        const device = batch.devices.get(deviceId);
        if (!device) continue;
        const stale =
          device.status !== 'online' ||
          device.lastSeenAt === null ||
          Date.parse(at) - Date.parse(device.lastSeenAt) >= resolutionMs;
        if (stale) seen.push({ device, at });
      }
      await deviceTrafficRecorder(unit, seen, wake);
      // The contexts are the consumer's cache: make them say what was just written.
      for (const { device, at } of seen) {
        device.status = 'online';
        device.lastSeenAt = at;
      }
    },
  };
}
