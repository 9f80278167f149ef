import { randomUUID } from 'node:crypto';
import { appendAudit } from '../kernel/audit/audit.ts';
import { hashSecret, randomSecret } from '../kernel/auth/secrets.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import { badRequest, conflict, notFound } from '../kernel/problems.ts';
import { presentDevice } from './presenters.ts';
import type { DeviceInput, DevicePatch } from './schema.ts';
import * as store from './store.ts';
import type { TwinIndex } from './twin-index.ts';

/**
 * A device's access token: random, or in demo mode exactly `demo-<device code>` so that demos
 * and scripts can speak as a device. Only its hash is stored.
 */
export function deviceToken(code: string, demo: boolean): string {
  return demo ? `demo-${code}` : randomSecret('dev_');
}

async function placeOf(tx: Executor, placeId: string) {
  const place = await store.findPlace(tx, placeId);
  if (!place) throw badRequest(`place ${placeId} does not exist`, [{ pointer: '/placeId', detail: 'unknown place' }]);
  return place;
}

/** Registers devices (audited) and returns each with its access token, shown only this once. */
export async function deviceCreator(unit: Unit, index: TwinIndex, inputs: DeviceInput[], demo: boolean) {
  const now = unit.clock.now().toISOString();
  const created: { row: store.DeviceRow; accessToken: string }[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.code) || (await store.findDeviceByCode(unit.tx, input.code)))
      throw conflict(`device code ${input.code} exists`);
    seen.add(input.code);
    const place = await placeOf(unit.tx, input.placeId);
    const location =
      input.location ?? (place.lng !== null && place.lat !== null ? ([place.lng, place.lat] as const) : null);
    if (!location)
      throw badRequest(`place ${place.code} has no location; give the device a location`, [
        { pointer: '/location', detail: 'required' },
      ]);
    const accessToken = deviceToken(input.code, demo);
    const row: store.DeviceRow = {
      id: randomUUID(),
      code: input.code,
      name: input.name,
      kind: input.kind,
      place_id: place.id,
      path: place.path,
      grid_id: index.locate(location[0], location[1]).gridId,
      lng: location[0],
      lat: location[1],
      attributes: JSON.stringify(input.attributes ?? {}),
      status: 'unknown',
      last_seen_at: null,
      token_hash: hashSecret(accessToken),
      created_at: now,
      updated_at: now,
    };
    created.push({ row, accessToken });
  }
  await store.insertDevices(
    unit.tx,
    created.map((c) => c.row),
  );
  for (const { row } of created) {
    await appendAudit(unit.tx, unit.clock, {
      actor: unit.actor,
      action: 'device.create',
      subjectType: 'device',
      subjectId: row.id,
      after: presentDevice(row),
    });
  }
  return created;
}

/** Changes a device (audited); a new place or location re-derives its grid. */
export async function deviceUpdater(unit: Unit, index: TwinIndex, before: store.DeviceRow, patch: DevicePatch) {
  const after: store.DeviceRow = { ...before, updated_at: unit.clock.now().toISOString() };
  if (patch.name !== undefined) after.name = patch.name;
  if (patch.kind !== undefined) after.kind = patch.kind;
  if (patch.attributes !== undefined) after.attributes = JSON.stringify(patch.attributes);
  if (patch.placeId !== undefined && patch.placeId !== before.place_id) {
    const place = await placeOf(unit.tx, patch.placeId);
    after.place_id = place.id;
    after.path = place.path;
  }
  if (patch.location) [after.lng, after.lat] = patch.location;
  after.grid_id = index.locate(after.lng, after.lat).gridId;
  await store.updateDevice(unit.tx, before.id, after);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'device.update',
    subjectType: 'device',
    subjectId: before.id,
    before: presentDevice(before),
    after: presentDevice(after),
  });
  return after;
}

/** Removes a device (audited). */
export async function deviceRemover(unit: Unit, row: store.DeviceRow): Promise<void> {
  await store.deleteDevice(unit.tx, row.id);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'device.delete',
    subjectType: 'device',
    subjectId: row.id,
    before: presentDevice(row),
  });
}

/** Loads a device or answers 404. */
export async function deviceLoader(tx: Executor, id: string): Promise<store.DeviceRow> {
  const row = await store.findDevice(tx, id);
  if (!row) throw notFound(`device ${id}`);
  return row;
}
