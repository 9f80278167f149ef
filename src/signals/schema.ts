import { z } from 'zod';

/** Largest number of items in one `POST /api/signals` batch. */
export const maxBatchItems = 20_000;

/** What kind of message a signal is: telemetry, or ThingsBoard client-side attributes. */
export const signalKindSchema = z.enum(['telemetry', 'attributes']);
export type SignalKind = z.infer<typeof signalKindSchema>;

/** Where a signal came in. */
export type SignalSource = 'http' | 'mqtt' | 'batch';

const lngLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/**
 * An AI camera's or edge box's detection, sent as the telemetry value `detection`. `type` is a
 * detection type (`high_altitude_throw`, `garbage_overflow`, `fire_smoke`, `illegal_parking`, …) or
 * a vendor's numeric alarm code (890 暴露垃圾 …), which is mapped to its type.
 */
export const detectionSchema = z.object({
  type: z.union([
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash, underscore'),
    z.number().int().nonnegative(),
  ]),
  confidence: z.number().min(0).max(1).describe('0…1'),
  snapshotUrl: z
    .string()
    .max(2048)
    .regex(/^https?:\/\//, 'an http(s) URL')
    .nullable()
    .optional(),
  at: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true })])
    .optional()
    .describe('when it was seen: epoch milliseconds or ISO-8601; default the reading’s ts'),
  location: lngLat.optional().describe('[longitude, latitude] of what was seen, when the camera knows it'),
});
export type DetectionInput = z.infer<typeof detectionSchema>;

/** A detection as stored in the signal log (type mapped, time as ISO-8601). */
export type Detection = {
  type: string;
  confidence: number;
  snapshotUrl: string | null;
  at: string;
  location?: [number, number];
};

const telemetryValues = z
  .record(z.string(), z.unknown())
  .describe('key → number, string, boolean or JSON; `detection` is an AI detection object');

/** The ThingsBoard telemetry payloads, for the API docs: `{k: v}`, `{ts, values}`, or an array of these. */
export const telemetryPayloadDoc = z.union([
  telemetryValues,
  z.object({
    ts: z.number().int().describe('epoch milliseconds'),
    values: telemetryValues,
    id: z.string().optional().describe('message id (civictwin extension): a repeat with the same id is stored once'),
  }),
  z.array(z.unknown()),
]);

/** One item of a gateway or bulk batch. */
export const batchItemSchema = z.object({
  device: z.string().min(1).max(64).describe('device code'),
  kind: signalKindSchema.default('telemetry'),
  ts: z.number().int().positive().optional().describe('epoch milliseconds; default: when received'),
  id: z.string().min(1).max(128).optional().describe('message id: a repeat with the same id is stored once'),
  values: z.record(z.string(), z.unknown()),
});

/** `POST /api/signals`: many devices' items in one request, stored all or nothing. */
export const batchBody = z.object({ items: z.array(z.unknown()).min(1).max(maxBatchItems) });

/** What an ingest answers: how many items were new, how many were repeats already stored. */
export const ingestResult = z.object({ stored: z.number().int(), duplicates: z.number().int() });
export type IngestResult = z.infer<typeof ingestResult>;

/** A stored signal, as staff see it. */
export const signalView = z.object({
  seq: z.number().int(),
  deviceId: z.string(),
  kind: signalKindSchema,
  ts: z.string(),
  receivedAt: z.string(),
  source: z.string(),
  values: z.record(z.string(), z.unknown()),
});
export type SignalView = z.infer<typeof signalView>;
