import type { Scope } from '../kernel/auth/principal.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import { childPlaces, deviceStatusCounts, type PlaceBrief } from '../twin/device-state.ts';
import type { AlarmSeverity } from './events.ts';
import type { TwinStateView } from './schema.ts';
import { openAlarmCountsUnder } from './store.ts';

type Counts = TwinStateView['alarms'];
type DeviceCounts = TwinStateView['devices'];

const noAlarms = (): Counts => ({ critical: 0, major: 0, minor: 0, warning: 0, total: 0 });
const noDevices = (): DeviceCounts => ({ online: 0, offline: 0, unknown: 0 });

/**
 * The twin's live state of a place: open alarms (active or acknowledged) by severity and devices
 * by status, rolled up over the place's subtree and over each child's, counting only what the
 * viewer's scope holds. A query over the alarms' and devices' materialised paths, so it is always
 * current; the big screen polls it or rebuilds it from the `alarm.*` and `twin.device-state` events.
 */
export async function twinStateOf(db: Executor, place: PlaceBrief, scope: Scope): Promise<TwinStateView> {
  const children = await childPlaces(db, place.id);
  const slots = children.map((c) => ({ place: c, alarms: noAlarms(), devices: noDevices() }));
  const slotOf = (path: string) => slots.find((s) => path.startsWith(s.place.path));
  const alarms = noAlarms();
  for (const r of await openAlarmCountsUnder(db, place.path, scope)) {
    const severity = r.severity as AlarmSeverity;
    alarms[severity] += r.n;
    alarms.total += r.n;
    const slot = slotOf(r.path);
    if (slot) {
      slot.alarms[severity] += r.n;
      slot.alarms.total += r.n;
    }
  }
  const devices = noDevices();
  for (const r of await deviceStatusCounts(db, place.path, scope)) {
    const status = r.status === 'online' || r.status === 'offline' ? r.status : 'unknown';
    devices[status] += r.n;
    const slot = slotOf(r.path);
    if (slot) slot.devices[status] += r.n;
  }
  const brief = (p: PlaceBrief) => ({ id: p.id, code: p.code, name: p.name, kind: p.kind });
  return {
    place: brief(place),
    alarms,
    devices,
    children: slots.map((s) => ({ ...brief(s.place), alarms: s.alarms, devices: s.devices })),
  };
}
