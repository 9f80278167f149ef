import type { Kysely } from 'kysely';
import { hashSecret } from '../kernel/auth/secrets.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { emitEvent, type OutboxListener } from '../kernel/events/outbox.ts';
import type { DeviceStatePayload } from '../rules/events.ts';
import * as store from './live-state-store.ts';

export type { DeviceContext } from './live-state-store.ts';

/**
 * A device's online/offline state, derived from its traffic (the signal log's consumer reports
 * what it saw) and its silence (a timed task). Changes are `twin.device-state` domain events.
 * Status changes are not audited: they are data, not decisions.
 */

/** The device an access token belongs to (tokens are stored as sha-256 hashes). */
export async function deviceByAccessToken(db: Executor, token: string): Promise<store.DeviceContext | undefined> {
  if (token.length === 0 || token.length > 256) return undefined;
  return store.deviceByTokenHash(db, hashSecret(token));
}

/** Devices by id (unknown ids are left out). */
export const devicesById = store.devicesById;
/** Devices by code (unknown codes are left out). */
export const devicesByCode = store.devicesByCode;

async function emitState(
  unit: Unit,
  device: store.DeviceContext,
  status: 'online' | 'offline',
  lastSeenAt: string | null,
  wake: OutboxListener | undefined,
): Promise<void> {
  const previous = device.status === 'online' || device.status === 'offline' ? device.status : 'unknown';
  const payload: DeviceStatePayload = {
    deviceId: device.id,
    deviceCode: device.code,
    deviceKind: device.kind,
    placeId: device.placeId,
    placePath: device.path,
    gridId: device.gridId,
    status,
    previous,
    lastSeenAt,
  };
  await emitEvent(unit, { type: 'twin.device-state', subjectType: 'device', subjectId: device.id, payload });
  // One wake per transaction, however many devices changed.
  if (wake && !woken.has(unit)) {
    woken.add(unit);
    unit.afterCommit(wake);
  }
}

const woken = new WeakSet<Unit>();

/**
 * Records traffic: each device's last-seen time moves forward to `at` and it is online. Returns
 * the devices that came (back) online; each is also a `twin.device-state` event.
 */
export async function deviceTrafficRecorder(
  unit: Unit,
  seen: readonly { device: store.DeviceContext; at: string }[],
  wake?: OutboxListener,
): Promise<store.DeviceContext[]> {
  const cameOnline: store.DeviceContext[] = [];
  for (const { device, at } of seen) {
    await store.markSeen(unit.tx, device.id, at);
    if (device.status !== 'online') {
      await emitState(unit, device, 'online', at, wake);
      cameOnline.push(device);
    }
  }
  return cameOnline;
}

/** Marks online devices silent since before `cutoff` offline; returns them. */
export async function silentDeviceMarker(unit: Unit, cutoff: Date, wake?: OutboxListener) {
  const silent = await store.onlineSilentSince(unit.tx, cutoff.toISOString());
  for (const device of silent) {
    await store.markOffline(unit.tx, device.id);
    await emitState(unit, device, 'offline', device.lastSeenAt, wake);
  }
  return silent;
}

/** Devices heard from at least once and silent since before `cutoff` (for absence rules). */
export function silentDevices(db: Kysely<Database> | Executor, cutoff: Date): Promise<store.DeviceContext[]> {
  return store.seenButSilentSince(db, cutoff.toISOString());
}

/** Device counts by status, per place path, under a place path and within a scope. */
export const deviceStatusCounts = store.statusCountsUnder;

export type { PlaceBrief } from './live-state-store.ts';
/** Places by id (unknown ids are left out). */
export const placesById = store.placesById;
/** A place's children, by code. */
export const childPlaces = store.childPlaces;
/** Places without a parent. */
export const rootPlaces = store.rootPlaces;
