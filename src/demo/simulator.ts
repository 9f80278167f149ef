import type { AppContext } from '../app-context.ts';
import type { Scope } from '../kernel/auth/principal.ts';
import type { SignalIngest } from '../signals/service.ts';
import * as twinStore from '../twin/store.ts';
import { mulberry32, pick, type Rng } from './geometry.ts';

/**
 * The demo's devices come alive: every round each device reports what a device of its kind
 * reports (bins fill up and are emptied, rooms and cold rooms hold their temperature, buttons stay
 * unpressed) and now and then something happens — a camera sees garbage piling up or an object
 * thrown from a high floor, a bin overflows, a manhole cover tilts — so the rules raise alarms,
 * cases are dispatched, and the simulated workers handle some of them. Everything goes through the
 * same ingestion as a real device (`SignalIngest.batch`), with a seeded random source.
 */
export class DeviceSimulator {
  private devices: { code: string; kind: string }[] = [];
  private readonly fill = new Map<string, number>();
  private readonly rng: Rng;

  constructor(
    private readonly deps: { db: AppContext['db']; ingest: SignalIngest },
    private readonly options: { seed?: number; incidentsPerRound?: number } = {},
  ) {
    this.rng = mulberry32(options.seed ?? 20261126);
  }

  /** One round at `now`: a reading from every device, a few incidents; returns the signals sent. */
  async round(now: Date): Promise<number> {
    if (this.devices.length === 0) await this.reload();
    const items = this.plan(now);
    if (items.length > 0) await this.deps.ingest.batch(items, everywhere);
    return items.length;
  }

  /** What a round at `now` sends, as `POST /api/signals` items (the same seed gives the same rounds). */
  plan(now: Date): { device: string; ts: number; values: Record<string, unknown> }[] {
    const ts = now.getTime();
    const items = this.devices.map((d) => ({ device: d.code, ts, values: this.reading(d) }));
    for (let i = 0; i < (this.options.incidentsPerRound ?? 1); i++) {
      const incident = this.incident(ts);
      if (incident) items.push(incident);
    }
    return items;
  }

  /** Re-reads the devices (after the twin changed). */
  async reload(): Promise<void> {
    this.devices = (await twinStore.allDeviceKinds(this.deps.db)).map((d) => ({ code: d.code, kind: d.kind }));
  }

  /** A normal reading of a device of this kind. */
  private reading(d: { code: string; kind: string }): Record<string, unknown> {
    const r = this.rng;
    const around = (centre: number, spread: number) => Math.round((centre + (r() * 2 - 1) * spread) * 10) / 10;
    switch (d.kind) {
      case 'smart_bin': {
        // Fills a few percent a round; emptied by the sanitation round before it overflows, mostly.
        let level = (this.fill.get(d.code) ?? r() * 60) + r() * 4;
        if (level > 85 && r() < 0.5) level = r() * 10;
        this.fill.set(d.code, Math.min(level, 100));
        return { fill_level: Math.round(Math.min(level, 100)) };
      }
      case 'temp_humidity':
        return { temperature: around(21, 4), humidity: around(55, 15) };
      case 'cold_room':
        return { temperature: around(-18, 1.5), door_open: r() < 0.05 };
      case 'smoke':
        return { smoke: false, battery: around(90, 8) };
      case 'gas':
        return { gas_lel: around(1, 1), gas_alarm: false };
      case 'water_level':
        return { water_leak: false, water_level_cm: Math.max(0, around(1, 1)) };
      case 'manhole':
        return { tilt_deg: Math.max(0, around(2, 2)), displaced: false };
      case 'door':
        return { open: r() < 0.3 };
      case 'emergency_button':
        return { pressed: false, battery: around(85, 10) };
      default:
        return { online: true };
    }
  }

  /** Now and then, something a rule should catch. */
  private incident(ts: number): { device: string; ts: number; values: Record<string, unknown> } | undefined {
    const r = this.rng;
    const of = (kind: string) => this.devices.filter((d) => d.kind === kind);
    const roll = r();
    if (roll < 0.6) {
      const cameras = of('ai_camera');
      if (cameras.length === 0) return undefined;
      const type = pick(r, [
        'garbage_overflow',
        'garbage_overflow',
        'garbage_overflow',
        'illegal_parking',
        'high_altitude_throw',
        'fire_smoke',
      ]);
      const camera = pick(r, cameras);
      const confidence = Math.round((0.82 + r() * 0.16) * 100) / 100;
      return {
        device: camera.code,
        ts,
        values: { detection: { type, confidence, snapshotUrl: null, at: ts } },
      };
    }
    if (roll < 0.75) {
      const covers = of('manhole');
      return covers.length === 0
        ? undefined
        : { device: pick(r, covers).code, ts, values: { tilt_deg: 20, displaced: true } };
    }
    return undefined;
  }
}

const everywhere: Scope = { placeId: null, path: null, gridId: null };

/** Registers the simulator as a timed task of the demo (every 30 s; `tick()` in tests). */
export function registerDeviceSimulator(ctx: AppContext, everyMs = 30_000): DeviceSimulator {
  const simulator = new DeviceSimulator({ db: ctx.db, ingest: ctx.signals.ingest });
  ctx.tasks.register({ name: 'demo.device-simulator', everyMs, run: (now) => simulator.round(now) });
  return simulator;
}
