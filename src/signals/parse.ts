import { hash } from 'node:crypto';
import { categoryForDetection } from '../cases/time-limits.ts';
import { pointerToken, toPointer } from '../kernel/problems.ts';
import { type Detection, detectionSchema, type SignalKind, type SignalSource } from './schema.ts';

/** One reading as a device sent it, checked and normalised, not yet tied to a stored device. */
export type SignalInput = {
  kind: SignalKind;
  /** Device time in epoch milliseconds (the receive time when the device sent none). */
  tsMs: number;
  values: Record<string, unknown>;
  /** The sender's message id, when it gave one: repeats with the same id are stored once. */
  messageId?: string;
};

/** A signal ready for the log. */
export type SignalRecord = {
  idemKey: string;
  deviceId: string;
  kind: SignalKind;
  ts: string;
  receivedAt: string;
  payload: string;
  source: SignalSource;
  /** The reading as parsed (so the consumer, handed the batch in the same transaction, need not parse `payload` again). */
  reading?: { tsMs: number; values: Record<string, unknown> };
};

/** A problem in the input, where it is (RFC 6901 pointer) and what is wrong. */
export type InputError = { pointer: string; detail: string };

/** The outcome of parsing: the readings, or what is wrong (never both). */
export type Parsed = { ok: true; items: SignalInput[] } | { ok: false; errors: InputError[] };

const maxKeys = 1000;
const maxKeyLength = 255;
const maxItems = 10_000;
// Epoch milliseconds of 1 Jan 2000 and 1 Jan 2200: anything outside is a unit error (seconds, µs).
const minTs = 946_684_800_000;
const maxTs = 7_258_118_400_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a ThingsBoard telemetry payload: `{"k": v}`, `{"ts": ms, "values": {…}}` (optionally with
 * `"id"`, a civictwin extension), or an array of these. Pointers are relative to the payload.
 */
export function parseTelemetry(payload: unknown, receivedAtMs: number): Parsed {
  const errors: InputError[] = [];
  const items: SignalInput[] = [];
  if (Array.isArray(payload)) {
    if (payload.length === 0) return fail('', 'an empty array carries no readings');
    if (payload.length > maxItems) return fail('', `at most ${maxItems} readings per message`);
    payload.forEach((entry, i) => {
      const item = telemetryEntry(entry, receivedAtMs, `/${i}`, errors);
      if (item) items.push(item);
    });
  } else {
    const item = telemetryEntry(payload, receivedAtMs, '', errors);
    if (item) items.push(item);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, items };
}

/** Parses a ThingsBoard client-attributes payload: one flat object of key → value. */
export function parseAttributes(payload: unknown, receivedAtMs: number): Parsed {
  const errors: InputError[] = [];
  if (!isObject(payload)) return fail('', 'attributes are a JSON object of key → value');
  const values = checkValues(payload, '', errors, receivedAtMs);
  if (!values || errors.length > 0) return { ok: false, errors };
  return { ok: true, items: [{ kind: 'attributes', tsMs: receivedAtMs, values }] };
}

/**
 * Parses one item of `POST /api/signals`: `{device, kind?, ts?, id?, values}`. Returns the device
 * code beside the reading; `pointer` is where the item sits in the body.
 */
export function parseBatchItem(
  raw: unknown,
  receivedAtMs: number,
  pointer: string,
  errors: InputError[],
): { device: string; item: SignalInput } | undefined {
  if (!isObject(raw)) {
    errors.push({ pointer, detail: 'an item is an object {device, values, ts?, id?, kind?}' });
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!['device', 'kind', 'ts', 'id', 'values'].includes(key))
      errors.push({ pointer: `${pointer}/${pointerToken(key)}`, detail: 'unknown field' });
  }
  const device = raw.device;
  if (typeof device !== 'string' || device.length === 0 || device.length > 64)
    errors.push({ pointer: `${pointer}/device`, detail: 'the device code (a string)' });
  const kind = raw.kind ?? 'telemetry';
  if (kind !== 'telemetry' && kind !== 'attributes')
    errors.push({ pointer: `${pointer}/kind`, detail: 'telemetry or attributes' });
  const tsMs = raw.ts === undefined ? receivedAtMs : checkTs(raw.ts, `${pointer}/ts`, errors);
  const messageId = raw.id === undefined ? undefined : checkId(raw.id, `${pointer}/id`, errors);
  if (!isObject(raw.values)) {
    errors.push({ pointer: `${pointer}/values`, detail: 'an object of key → value' });
    return undefined;
  }
  const values = checkValues(raw.values, `${pointer}/values`, errors, tsMs);
  if (errors.length > before || !values || tsMs === undefined) return undefined;
  const item: SignalInput = { kind: kind as SignalKind, tsMs, values };
  if (messageId !== undefined) item.messageId = messageId;
  return { device: device as string, item };
}

function telemetryEntry(
  entry: unknown,
  receivedAtMs: number,
  pointer: string,
  errors: InputError[],
): SignalInput | undefined {
  if (!isObject(entry)) {
    errors.push({
      pointer: pointer || '/',
      detail: 'a reading is a JSON object: {"k": v} or {"ts": ms, "values": {…}}',
    });
    return undefined;
  }
  // ThingsBoard's timestamped form; anything else is a flat object of key → value.
  if ('ts' in entry && 'values' in entry) {
    const before = errors.length;
    for (const key of Object.keys(entry)) {
      if (key !== 'ts' && key !== 'values' && key !== 'id')
        errors.push({ pointer: `${pointer}/${pointerToken(key)}`, detail: 'unknown field beside ts and values' });
    }
    const tsMs = checkTs(entry.ts, `${pointer}/ts`, errors);
    const messageId = entry.id === undefined ? undefined : checkId(entry.id, `${pointer}/id`, errors);
    if (!isObject(entry.values)) {
      errors.push({ pointer: `${pointer}/values`, detail: 'an object of key → value' });
      return undefined;
    }
    const values = checkValues(entry.values, `${pointer}/values`, errors, tsMs);
    if (errors.length > before || !values || tsMs === undefined) return undefined;
    const item: SignalInput = { kind: 'telemetry', tsMs, values };
    if (messageId !== undefined) item.messageId = messageId;
    return item;
  }
  const values = checkValues(entry, pointer, errors, receivedAtMs);
  return values ? { kind: 'telemetry', tsMs: receivedAtMs, values } : undefined;
}

function checkTs(ts: unknown, pointer: string, errors: InputError[]): number | undefined {
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < minTs || ts > maxTs) {
    errors.push({ pointer, detail: 'epoch milliseconds (an integer between the years 2000 and 2200)' });
    return undefined;
  }
  return ts;
}

function checkId(id: unknown, pointer: string, errors: InputError[]): string | undefined {
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) {
    errors.push({ pointer, detail: 'a message id is a string of 1 to 128 characters' });
    return undefined;
  }
  return id;
}

/** Checks keys and the `detection` value; returns the values with the detection normalised. */
function checkValues(
  values: Record<string, unknown>,
  pointer: string,
  errors: InputError[],
  tsMs: number | undefined,
): Record<string, unknown> | undefined {
  const keys = Object.keys(values);
  if (keys.length === 0) {
    errors.push({ pointer: pointer || '/', detail: 'no key → value pairs' });
    return undefined;
  }
  if (keys.length > maxKeys) {
    errors.push({ pointer: pointer || '/', detail: `at most ${maxKeys} keys` });
    return undefined;
  }
  let out = values;
  for (const key of keys) {
    if (key.length === 0 || key.length > maxKeyLength) {
      errors.push({ pointer: `${pointer}/${pointerToken(key)}`, detail: `a key has 1 to ${maxKeyLength} characters` });
      continue;
    }
    const v = values[key];
    if (v === null || v === undefined) {
      errors.push({
        pointer: `${pointer}/${pointerToken(key)}`,
        detail: 'a value is a number, string, boolean or JSON',
      });
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // 1e400 parses as Infinity, which JSON would store as null: refuse rather than lose the reading.
      errors.push({
        pointer: `${pointer}/${pointerToken(key)}`,
        detail: 'a number out of range (finite doubles only)',
      });
      continue;
    }
    if (key === 'detection' && tsMs !== undefined) {
      const detection = checkDetection(v, `${pointer}/detection`, errors, tsMs);
      if (detection) out = { ...out, detection };
    }
  }
  return out;
}

function checkDetection(raw: unknown, pointer: string, errors: InputError[], tsMs: number): Detection | undefined {
  const parsed = detectionSchema.strict().safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      errors.push({ pointer: pointer + toPointer(issue.path), detail: issue.message });
    return undefined;
  }
  const d = parsed.data;
  // A vendor's numeric alarm code names a case category; store the category's detection type.
  const type =
    typeof d.type === 'number' ? (categoryForDetection(d.type)?.detectionTypes[0] ?? String(d.type)) : d.type;
  const atMs = d.at === undefined ? tsMs : typeof d.at === 'number' ? d.at : Date.parse(d.at);
  const detection: Detection = {
    type,
    confidence: d.confidence,
    snapshotUrl: d.snapshotUrl ?? null,
    at: new Date(atMs).toISOString(),
  };
  if (d.location) detection.location = d.location;
  return detection;
}

function fail(pointer: string, detail: string): Parsed {
  return { ok: false, errors: [{ pointer: pointer || '/', detail }] };
}

/**
 * The idempotency key of a reading from a device: the sender's message id when it gave one (128
 * bits of sha-256, hex), else the reading's time in base 36 followed by 96 bits of the sha-256 of
 * device, kind, time and content. Keys of the second kind arrive in time order, so the unique
 * index grows at its end instead of at random pages (several times faster on SQLite).
 */
export function idempotencyKey(deviceId: string, item: SignalInput, payload: string): string {
  if (item.messageId !== undefined)
    return hash('sha256', `${deviceId}\u0000id\u0000${item.messageId}`, 'hex').slice(0, 32);
  const digest = hash('sha256', `${deviceId}\u0000${item.kind}\u0000${item.tsMs}\u0000${payload}`, 'hex');
  return `${item.tsMs.toString(36).padStart(9, '0')}${digest.slice(0, 24)}`;
}

/** Turns checked readings of one device into log records. */
export function toRecords(
  deviceId: string,
  items: readonly SignalInput[],
  receivedAtMs: number,
  source: SignalSource,
): SignalRecord[] {
  const receivedAt = new Date(receivedAtMs).toISOString();
  return items.map((item) => {
    const payload = JSON.stringify(item.values);
    return {
      idemKey: idempotencyKey(deviceId, item, payload),
      deviceId,
      kind: item.kind,
      ts: new Date(item.tsMs).toISOString(),
      receivedAt,
      payload,
      source,
      reading: { tsMs: item.tsMs, values: item.values },
    };
  });
}
