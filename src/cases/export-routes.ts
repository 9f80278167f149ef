import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { badRequest } from '../kernel/problems.ts';
import { allGrids, allPlacesInScope, findGrid } from '../twin/store.ts';
import { workingCalendar } from './calendar-years.ts';
import { viewerDepartments } from './case-access.ts';
import { caseExportRows, exportWidths, localTime, maxExportRows } from './case-export.ts';
import { caseFilterResolver } from './case-list.ts';
import { snapshotsOf } from './case-steps.ts';
import { casePolicy } from './policy.ts';
import { presentCase } from './presenters.ts';
import { caseExportQuery } from './schema.ts';
import * as store from './store.ts';
import { csvOf, tableTypes, xlsxOf } from './table-files.ts';

/** `GET /api/cases/export`: the case list with the same filters, as a CSV or XLSX file. */
export function caseExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/cases/export', {
    schema: {
      tags: ['cases 案件'],
      summary: 'Export the case list (the filters of GET /api/cases) as CSV or XLSX',
      description:
        `Admins, leaders and dispatchers; newest first, at most ${maxExportRows} cases (more → 400: narrow the filters). ` +
        'Chinese column headers, Beijing times; reporters’ names and phones masked as in the list. ' +
        'A place or grid filter outside your scope → 403.',
      querystring: caseExportQuery,
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.export, 'export cases');
      const q = req.query;
      const now = ctx.clock.now();
      const { filter, place } = await caseFilterResolver(ctx.db, caller, q, now);
      if (place) requireInScope(caller, { path: place.path, gridId: caller.scope.gridId }, `place ${place.code}`);
      if (q.grid) {
        const grid = await findGrid(ctx.db, q.grid);
        if (!grid) throw badRequest(`grid ${q.grid} does not exist`, [{ pointer: '/query/grid', detail: 'unknown' }]);
        requireInScope(caller, { path: grid.path, gridId: grid.id }, `grid ${grid.code}`);
      }
      const { rows, total } = await store.listCases(ctx.db, caller, await viewerDepartments(ctx.db, caller), filter, {
        limit: maxExportRows,
        offset: 0,
      });
      if (total > maxExportRows)
        throw badRequest(`${total} cases match; an export holds at most ${maxExportRows}: narrow the filters`, [
          { pointer: '/query', detail: 'too many cases' },
        ]);
      const calendar = await workingCalendar(ctx.db);
      const views = (await snapshotsOf(ctx.db, rows)).map((s) => presentCase(s, caller, now, calendar, 'list'));
      const places = new Map((await allPlacesInScope(ctx.db, caller.scope)).map((p) => [p.id, p.name]));
      const grids = new Map((await allGrids(ctx.db)).map((g) => [g.id, g.name]));
      const table = caseExportRows(
        views,
        { place: (id) => places.get(id) ?? id, grid: (id) => (id ? (grids.get(id) ?? id) : '') },
        calendar.offsetMinutes,
      );
      const name = `cases-${localTime(now.toISOString(), calendar.offsetMinutes)!.replace(/\D/g, '')}.${q.format}`;
      void reply.header('content-disposition', `attachment; filename="${name}"`);
      if (q.format === 'xlsx')
        return reply.type(tableTypes.xlsx).send(await xlsxOf([{ name: '案件', rows: table, widths: exportWidths }]));
      return reply.type(tableTypes.csv).send(csvOf(table));
    },
  });
}
