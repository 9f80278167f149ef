import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireRole } from '../kernel/auth/policy.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { badRequest } from '../kernel/problems.ts';
import { allPlacesInScope, type PlaceRow } from '../twin/store.ts';
import type { WorkingCalendar } from './calendar.ts';
import { workingCalendar } from './calendar-years.ts';
import { viewerDepartments } from './case-access.ts';
import { percent } from './kpis.ts';
import { casePolicy } from './policy.ts';
import {
  caseStatsByPlace,
  caseSummary,
  casesPerCategoryHour,
  type HourlyCategoryCount,
  onTimeCountsByPlace,
  type PlaceOnTimeCounts,
} from './stats-store.ts';

const dayMs = 86_400_000;

/** Cases per category per local day, oldest day first. */
export const caseTrendView = z.object({
  days: z.array(z.string()).describe('local dates (YYYY-MM-DD) of the working calendar, oldest first'),
  series: z.array(z.object({ category: z.string(), counts: z.array(z.number().int().nonnegative()) })),
});
export type CaseTrend = z.infer<typeof caseTrendView>;

/**
 * The last `days` local days ending today, and the instant the first one starts. The working
 * calendar's zone has a fixed offset (China has no daylight saving time), so days are 24 h apart.
 */
export function trendWindow(now: Date, days: number, calendar: WorkingCalendar): { days: string[]; from: Date } {
  const list = Array.from({ length: days }, (_, i) =>
    calendar.localDate(new Date(now.getTime() - (days - 1 - i) * dayMs)),
  );
  const from = new Date(Date.parse(`${list[0]}T00:00:00Z`) - calendar.offsetMinutes * 60_000);
  return { days: list, from };
}

/** Folds hourly counts into the window's local days, one series per category (sorted by code). */
export function trendOf(days: string[], hours: HourlyCategoryCount[], calendar: WorkingCalendar): CaseTrend {
  const index = new Map(days.map((d, i) => [d, i]));
  const series = new Map<string, number[]>();
  for (const h of hours) {
    const i = index.get(calendar.localDate(new Date(`${h.hour}:00:00Z`)));
    if (i === undefined) continue;
    let counts = series.get(h.category);
    if (!counts) {
      counts = days.map(() => 0);
      series.set(h.category, counts);
    }
    counts[i] = (counts[i] ?? 0) + h.count;
  }
  return {
    days,
    series: [...series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, counts]) => ({ category, counts })),
  };
}

/** 按期处置率 of one community. */
export const communityOnTimeView = z.object({
  communityId: z.string(),
  name: z.string(),
  dueHandling: z.number().int().nonnegative(),
  handledOnTime: z.number().int().nonnegative(),
  onTimeHandlingRate: z
    .number()
    .nullable()
    .describe('percent, 2 decimals (kpis.ts `percent`); null when nothing was due'),
});
export type CommunityOnTime = z.infer<typeof communityOnTimeView>;

/**
 * Adds up each place's counts into the community above it (by the parent chain); cases of places
 * above communities (a sub-district's road) belong to none and are left out. Sorted by name.
 */
export function onTimeByCommunity(
  counts: PlaceOnTimeCounts[],
  places: Pick<PlaceRow, 'id' | 'parent_id' | 'kind' | 'name'>[],
): CommunityOnTime[] {
  const byId = new Map(places.map((p) => [p.id, p]));
  const communityOf = (id: string) => {
    for (let p = byId.get(id), hops = 0; p && hops < 32; p = p.parent_id ? byId.get(p.parent_id) : undefined, hops++)
      if (p.kind === 'community') return p;
    return undefined;
  };
  const sums = new Map<string, { name: string; due: number; onTime: number }>();
  for (const c of counts) {
    const community = communityOf(c.placeId);
    if (!community) continue;
    const s = sums.get(community.id) ?? { name: community.name, due: 0, onTime: 0 };
    s.due += c.dueHandling;
    s.onTime += c.handledOnTime;
    sums.set(community.id, s);
  }
  return [...sums.entries()]
    .map(([communityId, s]) => ({
      communityId,
      name: s.name,
      dueHandling: s.due,
      handledOnTime: s.onTime,
      onTimeHandlingRate: percent(s.onTime, s.due),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** `GET /api/cases/stats/summary`. */
export const caseSummaryView = z.object({
  at: z.string(),
  day: z.string().describe('today, the local date (YYYY-MM-DD) of the working calendar'),
  reportedToday: z.number().int().nonnegative().describe('cases reported today, voided ones left out'),
  open: z.number().int().nonnegative().describe('cases not closed, evaluated or voided'),
  overdue: z.number().int().nonnegative().describe('dispatched or accepted with the handling deadline passed'),
});

/** Open and overdue cases of one place, as the big screen colours compounds with them. */
export const placeCaseStatsView = z.object({
  placeId: z.string(),
  open: z.number().int().nonnegative(),
  overdue: z.number().int().nonnegative(),
});

/**
 * `GET /api/cases/stats/by-place`: per place, open cases and overdue ones, within the caller's
 * scope. Places are not rolled up here: the screen already knows the place tree and maps each
 * place to its compound (twin-model.ts `compoundResolver`), so the case module does not read places.
 */
export function caseStatsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/cases/stats/by-place', {
    schema: {
      tags: ['cases 案件'],
      summary: 'Open and overdue cases per place (within your scope), for the big screen map',
      description: 'Overdue: dispatched or accepted with the handling deadline passed (the red light).',
      response: { 200: z.object({ at: z.string(), places: z.array(placeCaseStatsView) }) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      // Same audience as the KPIs: people who watch whole areas, not single cases.
      requireRole(caller, casePolicy.kpis, 'read case statistics');
      const at = ctx.clock.now().toISOString();
      const places = await caseStatsByPlace(ctx.db, caller, await viewerDepartments(ctx.db, caller), at);
      return { at, places };
    },
  });

  r.get('/api/cases/stats/summary', {
    schema: {
      tags: ['cases 案件'],
      summary: 'Cases reported today, open and overdue (within your scope), for the big screen’s tiles',
      description:
        'Today: the local day of the working calendar, voided cases left out (as the trend). Overdue: as by-place.',
      response: { 200: caseSummaryView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.kpis, 'read case statistics');
      const calendar = await workingCalendar(ctx.db);
      const now = ctx.clock.now();
      const { days, from } = trendWindow(now, 1, calendar);
      const departments = await viewerDepartments(ctx.db, caller);
      const counts = await caseSummary(ctx.db, caller, departments, from.toISOString(), now.toISOString());
      return { at: now.toISOString(), day: days[0]!, ...counts };
    },
  });

  r.get('/api/cases/stats/trend', {
    schema: {
      tags: ['cases 案件'],
      summary: 'Cases reported per category per local day (within your scope), voided ones left out',
      querystring: z.object({ days: z.coerce.number().int().min(1).max(90).default(14) }),
      response: { 200: caseTrendView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.kpis, 'read case statistics');
      const calendar = await workingCalendar(ctx.db);
      const now = ctx.clock.now();
      const { days, from } = trendWindow(now, req.query.days, calendar);
      const to = new Date(Date.parse(`${days.at(-1)}T00:00:00Z`) - calendar.offsetMinutes * 60_000 + dayMs);
      const departments = await viewerDepartments(ctx.db, caller);
      const hours = await casesPerCategoryHour(ctx.db, caller, departments, from.toISOString(), to.toISOString());
      return trendOf(days, hours, calendar);
    },
  });

  r.get('/api/cases/stats/on-time-by-community', {
    schema: {
      tags: ['cases 案件'],
      summary: '按期处置率 per community (within your scope) over cases due in [from, to); default the last 30 days',
      querystring: z.object({
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      }),
      response: { 200: z.object({ from: z.string(), to: z.string(), communities: z.array(communityOnTimeView) }) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.kpis, 'read case statistics');
      const to = req.query.to ? new Date(req.query.to) : ctx.clock.now();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 30 * dayMs);
      if (from >= to) throw badRequest('from must be before to', [{ pointer: '/query/from', detail: 'not before to' }]);
      const departments = await viewerDepartments(ctx.db, caller);
      const counts = await onTimeCountsByPlace(ctx.db, caller, departments, from.toISOString(), to.toISOString());
      const places = await allPlacesInScope(ctx.db, caller.scope);
      return { from: from.toISOString(), to: to.toISOString(), communities: onTimeByCommunity(counts, places) };
    },
  });
}
