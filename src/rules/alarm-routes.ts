import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { actorOf, inScope, type Principal } from '../kernel/auth/principal.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { limits, pageOf, pageQuery } from '../kernel/http/paging.ts';
import { badRequest, notFound, outsideScope } from '../kernel/problems.ts';
import { type PlaceBrief, placesById, rootPlaces } from '../twin/device-state.ts';
import { alarmAcknowledger, alarmClearer, alarmLoader } from './alarms.ts';
import { alarmSeveritySchema } from './events.ts';
import { twinStateOf } from './live-state.ts';
import { rulesPolicy } from './policy.ts';
import { presentAlarm } from './presenters.ts';
import { alarmView, twinStateView } from './schema.ts';
import * as store from './store.ts';

const tags = { tags: ['alarms 告警'] };
const idParams = z.object({ id: z.string() });
const scopedAlarm = (a: store.AlarmRow) => ({ path: a.path, gridId: a.grid_id });

/** A place the caller may look at: inside their scope, or above it (then counts are narrowed to the scope). */
function requireViewable(caller: Principal, place: PlaceBrief): void {
  const s = caller.scope;
  if (inScope(s, { path: place.path, gridId: s.gridId })) return;
  if (s.path?.startsWith(place.path)) return;
  throw outsideScope(`place ${place.code} is outside your area of responsibility`);
}

/** `/api/alarms` (list, acknowledge, clear) and `/api/twin/state` (alarms rolled up over the place tree). */
export function alarmRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const placeOf = async (id: string) => {
    const [place] = await placesById(ctx.db, [id]);
    if (!place) throw notFound(`place ${id}`);
    return place;
  };

  r.get('/api/alarms', {
    schema: {
      ...tags,
      summary: 'List alarms, newest first (paged, within your scope)',
      querystring: pageQuery.extend({
        status: z
          .enum(['open', 'active', 'acknowledged', 'cleared'])
          .optional()
          .describe('open: active or acknowledged'),
        severity: alarmSeveritySchema.optional(),
        category: z.string().optional(),
        place: z.string().optional().describe('id of a place: alarms in its subtree'),
        grid: z.string().optional().describe('id of a grid cell'),
        device: z.string().optional().describe('id of a device'),
        from: z.iso.datetime().optional().describe('last seen at or after'),
        to: z.iso.datetime().optional().describe('first seen before'),
      }),
      response: { 200: pageOf(alarmView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.readAlarms, 'read alarms');
      const q = req.query;
      const place = q.place ? await placeOf(q.place) : undefined;
      const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString());
      const { rows, total } = await store.listAlarms(
        ctx.db,
        caller.scope,
        {
          status: q.status,
          severity: q.severity,
          category: q.category,
          placePath: place?.path,
          gridId: q.grid,
          deviceId: q.device,
          from: iso(q.from),
          to: iso(q.to),
        },
        limits(q),
      );
      return { items: rows.map(presentAlarm), page: q.page, pageSize: q.pageSize, total };
    },
  });

  r.get('/api/alarms/:id', {
    schema: { ...tags, summary: 'One alarm', params: idParams, response: { 200: alarmView } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.readAlarms, 'read alarms');
      const alarm = await alarmLoader(ctx.db, req.params.id);
      requireInScope(caller, scopedAlarm(alarm), 'the alarm');
      return presentAlarm(alarm);
    },
  });

  for (const [verb, summary, act] of [
    ['ack', '确认 Acknowledge an active alarm (409 otherwise)', alarmAcknowledger],
    ['clear', '清除 Clear an open alarm (409 when already cleared)', alarmClearer],
  ] as const) {
    r.post(`/api/alarms/:id/${verb}`, {
      schema: {
        ...tags,
        summary,
        params: idParams,
        body: z
          .object({ note: z.string().max(500).optional().describe('why, for the audit log and the push') })
          .strict()
          .optional(),
        response: { 200: alarmView },
      },
      handler: async (req) => {
        const caller = callerOf(req);
        requireRole(caller, rulesPolicy.actOnAlarms, 'act on alarms');
        const row = await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) => {
          const alarm = await alarmLoader(unit.tx, req.params.id);
          requireInScope(caller, scopedAlarm(alarm), 'the alarm');
          return act(unit, alarm, req.body?.note ?? null, ctx.events.wake);
        });
        return presentAlarm(row);
      },
    });
  }

  r.get('/api/twin/state', {
    schema: {
      tags: ['twin 数字孪生'],
      summary: 'Live state of a place subtree: open alarms by severity and devices by status, for it and each child',
      querystring: z.object({
        place: z.string().optional().describe('id of the place; default: the root of your scope'),
      }),
      response: { 200: twinStateView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, rulesPolicy.readTwinState, 'read the live state');
      const id = req.query.place ?? caller.scope.placeId;
      let place: PlaceBrief | undefined;
      if (id) place = await placeOf(id);
      else {
        const roots = await rootPlaces(ctx.db);
        if (roots.length !== 1)
          throw badRequest('name the place', [{ pointer: '/query/place', detail: `${roots.length} root places` }]);
        place = roots[0];
      }
      if (!place) throw notFound('place');
      requireViewable(caller, place);
      return twinStateOf(ctx.db, place, caller.scope);
    },
  });
}
