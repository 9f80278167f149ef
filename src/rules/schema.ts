import { z } from 'zod';
import { alarmSeveritySchema, alarmStatusSchema } from './events.ts';

/** Comparison operators of threshold, duration and rate conditions. */
export const comparisonSchema = z.enum(['>', '>=', '<', '<=', '==', '!=']);
export type Comparison = z.infer<typeof comparisonSchema>;

const key = z.string().min(1).max(255).describe('telemetry key');
const scalar = z.union([z.number(), z.string().max(256), z.boolean()]);

/**
 * A rule's condition, evaluated on each telemetry reading of a device in the rule's scope.
 * Each evaluates to true (alarm), false (normal: clears an open alarm when the rule auto-clears)
 * or "no opinion" (the reading does not carry the key).
 */
export type Condition =
  | { type: 'threshold'; key: string; op: Comparison; value: number | string | boolean }
  | { type: 'range'; key: string; min?: number | undefined; max?: number | undefined; trigger: 'outside' | 'inside' }
  | { type: 'duration'; key: string; op: Comparison; value: number | string | boolean; seconds: number }
  | { type: 'count'; of: Condition; count: number; windowSeconds: number }
  | { type: 'absence'; minutes: number }
  | { type: 'rate'; key: string; op: Comparison; value: number; perSeconds: number }
  | { type: 'detection'; types?: string[] | undefined; excludeTypes?: string[] | undefined; minConfidence: number }
  | { type: 'all'; of: Condition[] }
  | { type: 'any'; of: Condition[] };

// The lazy schema returns one union instance (built once below), so JSON Schema generation for
// the API docs sees the recursion as a cycle instead of an endless tree.
export const conditionSchema: z.ZodType<Condition> = z.lazy(() => conditionUnion);

const conditionUnion: z.ZodType<Condition> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('threshold'), key, op: comparisonSchema, value: scalar }).strict(),
  z
    .object({
      type: z.literal('range'),
      key,
      min: z.number().optional(),
      max: z.number().optional(),
      trigger: z.enum(['outside', 'inside']).default('outside'),
    })
    .strict()
    .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give min, max or both' })
    .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
      message: 'min must not exceed max',
      path: ['min'],
    }),
  z
    .object({
      type: z.literal('duration'),
      key,
      op: comparisonSchema,
      value: scalar,
      seconds: z
        .number()
        .int()
        .positive()
        .max(7 * 86_400)
        .describe('how long the comparison must hold'),
    })
    .strict(),
  z
    .object({
      type: z.literal('count'),
      of: conditionSchema.describe('a stateless condition (threshold, range, detection) counted in the window'),
      count: z.number().int().min(1).max(10_000),
      windowSeconds: z
        .number()
        .int()
        .positive()
        .max(7 * 86_400),
    })
    .strict(),
  z
    .object({
      type: z.literal('absence'),
      minutes: z
        .number()
        .positive()
        .max(30 * 1440)
        .describe('no traffic for this long'),
    })
    .strict(),
  z
    .object({
      type: z.literal('rate'),
      key,
      op: comparisonSchema,
      value: z.number(),
      perSeconds: z.number().int().positive().default(60).describe('change per this many seconds'),
    })
    .strict(),
  z
    .object({
      type: z.literal('detection'),
      types: z.array(z.string().min(1)).min(1).optional().describe('detection types that count (default: any)'),
      excludeTypes: z.array(z.string().min(1)).optional(),
      minConfidence: z.number().min(0).max(1).describe('AI confidence cut-off'),
    })
    .strict(),
  z.object({ type: z.literal('all'), of: z.array(conditionSchema).min(1).max(20) }).strict(),
  z.object({ type: z.literal('any'), of: z.array(conditionSchema).min(1).max(20) }).strict(),
]) as z.ZodType<Condition>;

/** When a rule is active: days of the week (ISO, 1 = Monday) and a time window in a time zone. */
export const scheduleSchema = z
  .object({
    timezone: z
      .string()
      .default('Asia/Shanghai')
      .refine(validTimeZone, { message: 'an IANA time zone, e.g. Asia/Shanghai' }),
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional().describe('1 = Monday … 7 = Sunday'),
    from: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
      .default('00:00'),
    to: z
      .string()
      .regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'HH:MM')
      .default('24:00')
      .describe('exclusive; a window with to < from runs over midnight'),
  })
  .strict();
export type Schedule = z.infer<typeof scheduleSchema>;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const codeSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore');

/** Which devices a rule watches; every list given must match (an empty scope: every device). */
export const ruleScopeSchema = z
  .object({
    deviceKinds: z.array(z.string().min(1)).min(1).optional(),
    deviceIds: z.array(z.string().min(1)).min(1).optional(),
    placeIds: z.array(z.string().min(1)).min(1).optional().describe('devices in these places’ subtrees'),
  })
  .strict();
export type RuleScope = z.infer<typeof ruleScopeSchema>;

/** What a rule raises. */
export const ruleAlarmSchema = z
  .object({
    category: codeSchema
      .optional()
      .describe('case category code (src/cases/time-limits.ts); default: the detection’s category'),
    severity: alarmSeveritySchema.optional().describe('default: the category’s severity'),
    title: z.string().min(1).max(128).optional().describe('default: the category’s Chinese name'),
  })
  .strict();

/** A rule as data: the JSON admins write through `/api/rules`. */
export const ruleInput = z
  .object({
    code: codeSchema,
    name: z.string().min(1).max(128),
    enabled: z.boolean().default(true),
    scope: ruleScopeSchema.default({}),
    condition: conditionSchema,
    alarm: ruleAlarmSchema.default({}),
    schedule: scheduleSchema.optional(),
    autoClear: z
      .boolean()
      .default(true)
      .describe('clear the open alarm when a reading no longer meets the condition (or traffic resumes)'),
  })
  .strict();
export type RuleInput = z.infer<typeof ruleInput>;

/** What the rule engine keeps of a rule besides its identity. */
export type RuleDefinition = Pick<RuleInput, 'scope' | 'condition' | 'alarm' | 'schedule' | 'autoClear'>;

export const ruleView = ruleInput.extend({
  id: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RuleView = z.infer<typeof ruleView>;

export const ruleVersionView = z.object({
  version: z.number().int(),
  changedAt: z.string(),
  changedBy: z.string(),
  rule: z.unknown(),
});

export const alarmView = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  deviceId: z.string(),
  deviceCode: z.string(),
  deviceKind: z.string(),
  placeId: z.string(),
  gridId: z.string().nullable(),
  location: z.tuple([z.number(), z.number()]),
  category: z.string(),
  severity: alarmSeveritySchema,
  title: z.string(),
  status: alarmStatusSchema,
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  detection: z
    .object({ type: z.string(), confidence: z.number(), snapshotUrl: z.string().nullable(), at: z.string() })
    .nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  clearedAt: z.string().nullable(),
  clearedBy: z.string().nullable(),
  clearReason: z.string().nullable(),
});
export type AlarmView = z.infer<typeof alarmView>;

/** Counts of open alarms by severity. */
export const severityCounts = z.object({
  critical: z.number().int(),
  major: z.number().int(),
  minor: z.number().int(),
  warning: z.number().int(),
  total: z.number().int(),
});

const deviceCounts = z.object({
  online: z.number().int(),
  offline: z.number().int(),
  unknown: z.number().int(),
});

/** The twin's live state of a place subtree: open alarms and devices, for it and each child. */
export const twinStateView = z.object({
  place: z.object({ id: z.string(), code: z.string(), name: z.string(), kind: z.string() }),
  alarms: severityCounts,
  devices: deviceCounts,
  children: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      kind: z.string(),
      alarms: severityCounts,
      devices: deviceCounts,
    }),
  ),
});
export type TwinStateView = z.infer<typeof twinStateView>;
