import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { inScope, type Scope } from '../kernel/auth/principal.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import { hasNul, MAX_JSON_DEPTH, tooDeep } from '../kernel/http/input-guards.ts';
import { badRequest, outsideScope } from '../kernel/problems.ts';
import { type DeviceContext, deviceByAccessToken, devicesByCode } from '../twin/device-state.ts';
import {
  type InputError,
  type Parsed,
  parseAttributes,
  parseBatchItem,
  parseTelemetry,
  type SignalInput,
  type SignalRecord,
  toRecords,
} from './parse.ts';
import type { IngestResult, SignalKind, SignalSource } from './schema.ts';
import type { SignalWriter } from './writer.ts';

const cacheMs = 60_000;
const cacheSize = 100_000;

/** Why an MQTT message was dropped (it is acknowledged, so the device does not send it again). */
export type DropReason = 'malformed' | 'oversize' | 'unknown-topic';

/**
 * Ingestion's use cases: a device's own message (HTTP or MQTT), and a gateway's or bulk loader's
 * batch. Each checks everything before it submits anything, so a bad message is refused whole,
 * and waits for the group commit, so an answer means "stored".
 */
export class SignalIngest {
  /** Dropped MQTT messages per device code and reason (`malformed`, `oversize`, `unknown-topic`). */
  readonly dropped = new Map<string, Record<DropReason, number>>();
  // Devices by token hash and by code: a device speaks again and again. Entries live a minute of
  // clock time, so a removed or moved device is noticed within a minute.
  private readonly byToken = new Map<string, { device: DeviceContext; at: number }>();
  private readonly byCode = new Map<string, { device: DeviceContext; at: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly writer: SignalWriter,
    private readonly log: FastifyBaseLogger,
    private readonly maxMessageBytes: number,
  ) {}

  /** The device a token belongs to. */
  async deviceFor(token: string): Promise<DeviceContext | undefined> {
    const now = this.clock.now().getTime();
    const known = this.byToken.get(token);
    if (known && now - known.at < cacheMs) return known.device;
    const device = await deviceByAccessToken(this.db, token);
    if (this.byToken.size >= cacheSize) this.byToken.clear();
    if (device) this.byToken.set(token, { device, at: now });
    else this.byToken.delete(token);
    return device;
  }

  /** Devices by code (unknown codes are left out). */
  private async devicesByCode(codes: readonly string[]): Promise<Map<string, DeviceContext>> {
    const now = this.clock.now().getTime();
    const out = new Map<string, DeviceContext>();
    const missing: string[] = [];
    for (const code of codes) {
      const known = this.byCode.get(code);
      if (known && now - known.at < cacheMs) out.set(code, known.device);
      else missing.push(code);
    }
    if (missing.length > 0) {
      if (this.byCode.size + missing.length > cacheSize) this.byCode.clear();
      for (const device of await devicesByCode(this.db, missing)) {
        this.byCode.set(device.code, { device, at: now });
        out.set(device.code, device);
      }
    }
    return out;
  }

  /** A device's telemetry or attributes (already JSON-parsed); 400 with pointers when malformed. */
  async fromDevice(
    device: DeviceContext,
    kind: SignalKind,
    payload: unknown,
    source: SignalSource,
  ): Promise<IngestResult> {
    const now = this.clock.now().getTime();
    const parsed = kind === 'telemetry' ? parseTelemetry(payload, now) : parseAttributes(payload, now);
    if (!parsed.ok) throw badRequest(`the ${kind} payload is not valid`, parsed.errors);
    return this.writer.submit(toRecords(device.id, parsed.items, now, source));
  }

  /**
   * An MQTT message: stored, or dropped (and counted, and logged) when it is not JSON, too large or
   * not valid — never half-stored. Resolves after the commit; rejects only when storing failed.
   */
  async fromMqtt(device: DeviceContext, kind: SignalKind | null, payload: Buffer): Promise<IngestResult | DropReason> {
    if (kind === null) return this.drop(device, 'unknown-topic', 'topic not handled');
    if (payload.length > this.maxMessageBytes)
      return this.drop(device, 'oversize', `${payload.length} bytes > ${this.maxMessageBytes}`);
    const text = payload.toString('utf8');
    if (hasNul(text)) return this.drop(device, 'malformed', 'U+0000 (NUL) in the payload');
    if (tooDeep(text)) return this.drop(device, 'malformed', `nested deeper than ${MAX_JSON_DEPTH} levels`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.drop(device, 'malformed', 'not JSON');
    }
    const now = this.clock.now().getTime();
    const parsed: Parsed = kind === 'telemetry' ? parseTelemetry(json, now) : parseAttributes(json, now);
    if (!parsed.ok) return this.drop(device, 'malformed', describe(parsed.errors));
    return this.writer.submit(toRecords(device.id, parsed.items, now, 'mqtt'));
  }

  /**
   * A batch of many devices' items (`POST /api/signals`): every item valid, every device known
   * and inside the caller's scope — else nothing is stored (400 with pointers, or 403).
   */
  async batch(items: readonly unknown[], scope: Scope): Promise<IngestResult> {
    const now = this.clock.now().getTime();
    const errors: InputError[] = [];
    const parsed: { device: string; item: SignalInput; index: number }[] = [];
    items.forEach((raw, index) => {
      const p = parseBatchItem(raw, now, `/items/${index}`, errors);
      if (p) parsed.push({ ...p, index });
    });
    if (errors.length > 0) throw badRequest('the batch is not valid; nothing was stored', errors.slice(0, 100));
    const codes = [...new Set(parsed.map((p) => p.device))];
    const devices = await this.devicesByCode(codes);
    for (const p of parsed) {
      const device = devices.get(p.device);
      if (!device) errors.push({ pointer: `/items/${p.index}/device`, detail: `no device ${p.device}` });
      else if (!inScope(scope, { path: device.path, gridId: device.gridId }))
        throw outsideScope(`device ${device.code} (/items/${p.index}) is outside your scope; nothing was stored`);
    }
    if (errors.length > 0) throw badRequest('unknown devices; nothing was stored', errors.slice(0, 100));
    const records: SignalRecord[] = [];
    for (const p of parsed)
      records.push(...toRecords((devices.get(p.device) as DeviceContext).id, [p.item], now, 'batch'));
    return this.writer.submit(records);
  }

  private drop(device: DeviceContext, reason: DropReason, detail: string): DropReason {
    const counts = this.dropped.get(device.code) ?? { malformed: 0, oversize: 0, 'unknown-topic': 0 };
    counts[reason] += 1;
    this.dropped.set(device.code, counts);
    const n = counts[reason];
    // The first of each kind, then every hundredth: a broken device must not flood the log.
    if (n === 1 || n % 100 === 0)
      this.log.warn({ device: device.code, reason, detail, count: n }, 'MQTT message dropped');
    return reason;
  }
}

function describe(errors: readonly InputError[]): string {
  return errors
    .slice(0, 5)
    .map((e) => `${e.pointer}: ${e.detail}`)
    .join('; ');
}
