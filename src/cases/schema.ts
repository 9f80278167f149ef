import { z } from 'zod';
import { pageQuery } from '../kernel/http/paging.ts';
import { caseActionSchema, caseStateSchema } from './workflow.ts';

// The case module's vocabulary: one Zod schema per input and view gives the check, the type and
// the OpenAPI docs.

/** Where a case comes from (案件来源). */
export const caseSources = [
  'alarm', // 设备告警: a rule raised an alarm
  'resident', // 居民上报
  'patrol', // 巡查上报: a grid worker on patrol
  'hotline', // 12345 热线
  'enterprise', // 企业诉求
  'food_safety', // 食品安全隐患 (later)
  'elder_call', // 老人紧急呼叫 (later)
] as const;
export const caseSourceSchema = z.enum(caseSources);
export type CaseSource = z.infer<typeof caseSourceSchema>;

/** Chinese labels of the states, for screens. */
export const caseStateLabels: Record<z.infer<typeof caseStateSchema>, string> = {
  reported: '待立案',
  registered: '已立案',
  dispatched: '待签收',
  accepted: '处置中',
  handled: '待核查',
  verified: '待结案',
  closed: '已结案',
  evaluated: '已评价',
  returned: '已回退',
  voided: '已作废',
};

/** 满意 / 基本满意 / 不满意, as 12345 call-backs (回访) record it; the first two count as satisfied. */
export const satisfactionSchema = z.enum(['satisfied', 'basically_satisfied', 'unsatisfied']);
export type Satisfaction = z.infer<typeof satisfactionSchema>;

const lngLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const photos = z.array(z.string().min(1).max(500)).max(20);

/** `POST /api/cases`: a report (上报). Give a place, a point, or both. */
export const caseInput = z
  .object({
    source: z
      .enum(['resident', 'patrol', 'hotline', 'enterprise'])
      .optional()
      .describe('default by role: resident → resident, worker → patrol, enterprise → enterprise, dispatcher → hotline'),
    category: z.string().min(1).describe('case category code (事件小类), see GET /api/case-categories'),
    title: z.string().min(1).max(200).optional(),
    description: z.string().max(4000).default(''),
    placeId: z.string().optional(),
    location: lngLat.optional().describe('[lng, lat] (WGS84)'),
    address: z.string().max(300).optional(),
    photos: photos.default([]),
    reporterName: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe('contact name: a hotline caller’s (dispatchers), or a resident’s or enterprise’s own, optional'),
    reporterPhone: z
      .string()
      .regex(/^\+?[0-9 -]{5,20}$/)
      .optional()
      .describe('contact phone, as reporterName; never public, masked for all but dispatchers and admins'),
    reporterEmail: z
      .string()
      .max(254)
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address')
      .optional()
      .describe('contact e-mail, as reporterName'),
  })
  .refine((v) => v.placeId !== undefined || v.location !== undefined, {
    message: 'give placeId or location',
    path: ['placeId'],
  });
export type CaseInput = z.infer<typeof caseInput>;

/** `POST /api/cases/{id}/actions`. Which fields an action needs is the workflow's business. */
export const caseActionInput = z.object({
  action: caseActionSchema,
  note: z.string().max(2000).optional(),
  photos: photos.optional(),
  reason: z.string().max(1000).optional().describe('回退, 作废, 返工, 延期 and its refusal'),
  targetId: z.string().optional().describe('user to dispatch or transfer to'),
  auto: z.boolean().optional().describe('dispatch: let the dispatch rules choose (grid → roster → worker → head)'),
  until: z.iso.datetime({ offset: true }).optional().describe('extension: the new handling deadline'),
  satisfaction: satisfactionSchema.optional().describe('evaluate: 满意 / 基本满意 / 不满意'),
});
export type CaseActionInput = z.infer<typeof caseActionInput>;

/** Filters of the case list and its export. */
export const caseFilterQuery = z.object({
  status: z.string().optional().describe('state, or several separated by commas'),
  category: z.string().optional(),
  grid: z.string().optional().describe('grid id'),
  place: z.string().optional().describe('place id: the place and everything under it'),
  assignee: z.string().optional().describe('user id, or `me`'),
  overdue: z.enum(['true', 'false']).optional().describe('past the handling deadline and not yet handled'),
  source: caseSourceSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('reported at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('reported before'),
});
export type CaseFilterQuery = z.infer<typeof caseFilterQuery>;

/** `GET /api/cases`: the filters, paged. */
export const caseListQuery = pageQuery.extend(caseFilterQuery.shape);
export type CaseListQuery = z.infer<typeof caseListQuery>;

/** `GET /api/cases/export`: the list's filters, and the file format. */
export const caseExportQuery = caseFilterQuery.extend({ format: z.enum(['csv', 'xlsx']).default('csv') });
export type CaseExportQuery = z.infer<typeof caseExportQuery>;

/** A person on a case; names and phones masked unless the viewer needs them. */
export const personView = z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable() });
export type PersonView = z.infer<typeof personView>;

/** Who reported a case and how to reach them; masked unless the viewer needs them (presenters.ts). */
export const reporterView = personView.extend({
  id: z.string().describe('the reporter’s user id; empty for a hotline caller without an account'),
  email: z.string().nullable(),
});
export type ReporterView = z.infer<typeof reporterView>;

/** The traffic light of the screens: red overdue, yellow running out, green in time. */
export const slaLightSchema = z.enum(['green', 'yellow', 'red']);
export type SlaLight = z.infer<typeof slaLightSchema>;

/** A case as clients see it (HTTP and WebSocket alike). */
export const caseView = z.object({
  id: z.string(),
  code: z.string(),
  source: caseSourceSchema,
  category: z.object({ code: z.string(), name: z.string() }),
  eventClass: z.string(),
  severity: z.string(),
  title: z.string(),
  description: z.string(),
  state: caseStateSchema,
  stateLabel: z.string(),
  placeId: z.string(),
  gridId: z.string().nullable(),
  location: lngLat.nullable(),
  address: z.string().nullable(),
  reporter: reporterView.nullable(),
  department: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
  assignee: personView.nullable(),
  firstResponsible: personView.nullable().describe('首问负责人: accountable until closed'),
  handler: personView.nullable(),
  verifier: personView.nullable(),
  accountable: z.array(z.string()).describe('user ids notified of every change'),
  dispatch: z.object({ auto: z.boolean().nullable(), accurate: z.boolean().nullable(), at: z.string().nullable() }),
  deadlines: z.object({ acceptBy: z.string(), handleBy: z.string() }).nullable(),
  sla: z.object({
    light: slaLightSchema.nullable(),
    overdue: z.boolean(),
    remainingMinutes: z.number().nullable().describe('wall-clock minutes to the handling deadline'),
  }),
  extension: z.object({ pending: z.boolean(), until: z.string().nullable(), reason: z.string().nullable() }),
  extensionCount: z.number().int(),
  reworkCount: z.number().int(),
  escalationLevel: z.number().int(),
  reminderCount: z.number().int(),
  alarmCount: z.number().int(),
  satisfaction: satisfactionSchema.nullable(),
  availableActions: z.array(caseActionSchema).describe('what the viewer’s role may do in this state'),
  createdAt: z.string(),
  updatedAt: z.string(),
  registeredAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  handledAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  evaluatedAt: z.string().nullable(),
});
export type CaseView = z.infer<typeof caseView>;

/** One step of a case's timeline. */
export const timelineEntryView = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.object({ id: z.string(), name: z.string().nullable() }),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  note: z.string().nullable(),
  photos: z.array(z.string()),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEntryView = z.infer<typeof timelineEntryView>;

/** `GET /api/cases/{id}`: the case, its timeline and joined alarms. */
export const caseDetailView = caseView.extend({
  timeline: z.array(timelineEntryView),
  alarms: z.array(
    z.object({
      alarmId: z.string(),
      deviceId: z.string(),
      count: z.number().int(),
      firstAt: z.string(),
      lastAt: z.string(),
      clearedAt: z.string().nullable(),
    }),
  ),
});
export type CaseDetailView = z.infer<typeof caseDetailView>;
