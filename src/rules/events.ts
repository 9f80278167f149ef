import { z } from 'zod';

/**
 * The contract between `rules`/`twin` (producers) and `cases`/`notify` (consumers): the domain
 * events written to the outbox (`emitEvent`, in the transaction of the alarm or device change,
 * then `ctx.events.wake`). Payloads are versioned by addition only: consumers must ignore fields
 * they do not know, producers never remove or retype one.
 */

/** Alarm severity, the same scale as case severity (src/cases/time-limits.ts `caseSeveritySchema`). */
export const alarmSeveritySchema = z.enum(['critical', 'major', 'minor', 'warning']);
export type AlarmSeverity = z.infer<typeof alarmSeveritySchema>;

/** Alarm lifecycle: active → acknowledged → cleared (active → cleared directly too). */
export const alarmStatusSchema = z.enum(['active', 'acknowledged', 'cleared']);
export type AlarmStatus = z.infer<typeof alarmStatusSchema>;

/** The AI detection that raised (or last repeated) an alarm. */
export const alarmDetectionSchema = z.object({
  /** `detection.type` as the camera sent it (`high_altitude_throw`, `garbage_overflow`, …). */
  type: z.string(),
  /** 0…1. */
  confidence: z.number(),
  snapshotUrl: z.string().nullable(),
  /** When the camera saw it (ISO-8601 UTC). */
  at: z.string(),
});
export type AlarmDetection = z.infer<typeof alarmDetectionSchema>;

/** What every `alarm.*` event carries: the alarm as it stands after the change. */
export const alarmEventPayloadSchema = z.object({
  alarmId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  deviceId: z.string(),
  deviceCode: z.string(),
  deviceKind: z.string(),
  placeId: z.string(),
  /** Materialised path of the device's place (`/district/…/compound/`): scope and roll-up key. */
  placePath: z.string(),
  /** Grid cell (网格) of the alarm's location: the detection's location when it gave one, else the device's. */
  gridId: z.string().nullable(),
  /** [longitude, latitude], WGS84. */
  location: z.tuple([z.number(), z.number()]),
  /**
   * Case category code (src/cases/time-limits.ts `seedCategories`): `garbage_overflow`,
   * `high_altitude_throw`, `fire_smoke`, `gas_leak`, `flooding` (水浸), `manhole_cover` (井盖),
   * `emergency_call`, … — or `device_offline`, which is not a case category of the seed table.
   * Detections of other types carry `categoryForDetection(type)?.code`, else the raw type.
   */
  category: z.string(),
  severity: alarmSeveritySchema,
  /** Chinese title for lists and pushes (`高空抛物`, `设备离线`). */
  title: z.string(),
  status: alarmStatusSchema,
  detection: alarmDetectionSchema.optional(),
  /** Signals that raised or repeated the alarm so far (1 when raised). */
  count: z.number().int().positive(),
  firstAt: z.string(),
  lastAt: z.string(),
});
export type AlarmEventPayload = z.infer<typeof alarmEventPayloadSchema>;

/** `alarm.acknowledged` / `alarm.cleared` also say who did it (`user:<name>`, `system`) and why. */
export const alarmActionPayloadSchema = alarmEventPayloadSchema.extend({
  by: z.string(),
  reason: z.string().nullable(),
});
export type AlarmActionPayload = z.infer<typeof alarmActionPayloadSchema>;

/** Online/offline changes of a device, derived from its traffic and silence. */
export const deviceStatePayloadSchema = z.object({
  deviceId: z.string(),
  deviceCode: z.string(),
  deviceKind: z.string(),
  placeId: z.string(),
  placePath: z.string(),
  gridId: z.string().nullable(),
  status: z.enum(['online', 'offline']),
  previous: z.enum(['online', 'offline', 'unknown']),
  /** Last traffic seen (ISO-8601 UTC), null if never. */
  lastSeenAt: z.string().nullable(),
});
export type DeviceStatePayload = z.infer<typeof deviceStatePayloadSchema>;

/** Event type → payload schema. `subjectType` is `alarm` (subjectId the alarm id) or `device`. */
export const ruleEventSchemas = {
  /** A new alarm. */
  'alarm.raised': alarmEventPayloadSchema,
  /** A repeat of an open (active or acknowledged) alarm: `count` and `lastAt` moved. One per batch, not per signal. */
  'alarm.updated': alarmEventPayloadSchema,
  'alarm.acknowledged': alarmActionPayloadSchema,
  /** Cleared by a person, or by the rule when its condition no longer holds (`by: 'system'`). */
  'alarm.cleared': alarmActionPayloadSchema,
  'twin.device-state': deviceStatePayloadSchema,
} as const;

/** The event types of this contract. */
export type RuleEventType = keyof typeof ruleEventSchemas;
export const ruleEventTypes = Object.keys(ruleEventSchemas) as RuleEventType[];

/** Payload type of each event type. */
export type RuleEventPayloads = { [K in RuleEventType]: z.infer<(typeof ruleEventSchemas)[K]> };

/** Parses the payload of one of these events (consumers: validate what you read from the outbox). */
export function parseRuleEvent<K extends RuleEventType>(type: K, payload: unknown): RuleEventPayloads[K] {
  return ruleEventSchemas[type].parse(payload) as RuleEventPayloads[K];
}
