import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { badRequest, outsideScope } from '../kernel/problems.ts';
import { findPlace } from '../twin/store.ts';
import { workingCalendar } from './calendar-years.ts';
import { kpiCsv, kpiPeriod, kpiQuery, kpiReporter, kpiReportView, kpiXlsx } from './kpi-report.ts';
import { casePolicy } from './policy.ts';
import * as store from './store.ts';
import { tableTypes } from './table-files.ts';

/** `GET /api/kpis`: KPIs of a place subtree, department and period; JSON, CSV or XLSX. */
export function kpiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/kpis', {
    schema: {
      tags: ['cases 案件'],
      summary:
        'KPIs (处置率, 按期处置率, 结案率, 按期结案率, 返工率, 准确派遣率, 满意率 …) for a place, department, period',
      description:
        'How each count is derived: src/cases/kpi-counts.ts; formulas: src/cases/kpis.ts. `format=csv|xlsx` to export.',
      querystring: kpiQuery,
      response: { 200: kpiReportView },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.kpis, 'read KPIs');
      const q = req.query;
      const placeId = q.place ?? caller.scope.placeId;
      const place = placeId ? ((await findPlace(ctx.db, placeId)) ?? null) : null;
      if (placeId && !place)
        throw badRequest(`place ${placeId} does not exist`, [{ pointer: '/query/place', detail: 'unknown' }]);
      // KPIs add up a whole subtree: a grid-scoped viewer could otherwise count neighbours' cases.
      if (caller.scope.gridId !== null) throw outsideScope('KPIs add up whole places; your scope is one grid');
      if (place) requireInScope(caller, { path: place.path, gridId: caller.scope.gridId }, `place ${place.code}`);
      let department = null;
      if (q.department) {
        department = (await store.findDepartmentByCode(ctx.db, q.department)) ?? null;
        if (!department)
          throw badRequest(`department ${q.department} does not exist`, [
            { pointer: '/query/department', detail: 'unknown' },
          ]);
      }
      const calendar = await workingCalendar(ctx.db);
      const now = ctx.clock.now();
      const { from, to } = kpiPeriod(q, now, calendar);
      const report = await kpiReporter(ctx.db, { place, department, from, to, now });
      const name = `kpis-${calendar.localDate(from)}-${calendar.localDate(new Date(to.getTime() - 1))}`;
      // Files are sent as they are; the JSON schema above describes the default format.
      const file = reply as FastifyReply;
      if (q.format === 'csv')
        return file
          .type(tableTypes.csv)
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(kpiCsv(report));
      if (q.format === 'xlsx')
        return file
          .type(tableTypes.xlsx)
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await kpiXlsx(report));
      return report;
    },
  });
}
