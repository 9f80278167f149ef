import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { actorOf, type Principal } from '../kernel/auth/principal.ts';
import { staffRoles } from '../kernel/auth/roles.ts';
import { inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { badRequest, outsideScope } from '../kernel/problems.ts';
import { allGridsInScope, findGrid } from '../twin/store.ts';
import { holidayYearSchema } from './calendar.ts';
import { calendarYearImporter, holidayYears, workingCalendar } from './calendar-years.ts';
import { departmentInput, departmentsWithMembers, departmentUpserter, departmentView } from './departments.ts';
import { casePolicy } from './policy.ts';
import { rosterInput, rosterReplacer, rostersOf, rosterView } from './roster.ts';
import { caseSettings, caseSettingsPatch, caseSettingsSchema, caseSettingsUpdater } from './settings.ts';

const tags = { tags: ['case administration 案件配置'] };

/** Installation-wide configuration is for administrators of the whole system. */
function requireSystemAdmin(caller: Principal, what: string): void {
  requireRole(caller, casePolicy.configure, what);
  if (caller.scope.path !== null) throw outsideScope(`only an administrator of the whole system may ${what}`);
}

const yearSummary = z.object({
  year: z.number().int(),
  imported: z.boolean(),
  source: z.string().nullable(),
  holidays: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
  makeUpWorkdays: z.array(z.string()),
});

/** Working calendar years, duty rosters, departments and the case settings. */
export function caseAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/calendar/years', {
    schema: {
      ...tags,
      summary: 'Holiday schedules in force (bundled and imported)',
      response: { 200: z.array(yearSummary) },
    },
    handler: async (req) => {
      requireRole(callerOf(req), staffRoles, 'read the working calendar');
      return (await holidayYears(ctx.db)).map(({ year, imported }) => ({
        year: year.year,
        imported,
        source: year.source ?? null,
        holidays: year.holidays,
        makeUpWorkdays: year.makeUpWorkdays,
      }));
    },
  });

  r.post('/api/calendar/years', {
    schema: {
      ...tags,
      summary: 'Import a year’s holiday schedule (the State Council notice), replacing that year',
      body: holidayYearSchema,
      response: { 201: yearSummary },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireSystemAdmin(caller, 'import holiday schedules');
      const year = await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        calendarYearImporter(unit, req.body),
      );
      return reply.status(201).send({
        year: year.year,
        imported: true,
        source: year.source ?? null,
        holidays: year.holidays,
        makeUpWorkdays: year.makeUpWorkdays,
      });
    },
  });

  r.get('/api/rosters', {
    schema: {
      ...tags,
      summary: 'Duty rosters of the grids in your scope, with who is on duty now',
      querystring: z.object({ grid: z.string().optional().describe('one grid id') }),
      response: { 200: z.array(rosterView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.rosters, 'read duty rosters');
      let gridIds: string[];
      if (req.query.grid) {
        const grid = await findGrid(ctx.db, req.query.grid);
        if (!grid)
          throw badRequest(`grid ${req.query.grid} does not exist`, [{ pointer: '/query/grid', detail: 'unknown' }]);
        requireInScope(caller, { path: grid.path, gridId: grid.id }, `grid ${grid.code}`);
        gridIds = [grid.id];
      } else {
        gridIds = (await allGridsInScope(ctx.db, caller.scope)).map((g) => g.id);
      }
      const calendar = await workingCalendar(ctx.db);
      return rostersOf(ctx.db, gridIds, ctx.clock.now(), calendar.offsetMinutes);
    },
  });

  r.put('/api/rosters', {
    schema: {
      ...tags,
      summary: 'Replace the duty roster of one grid',
      body: rosterInput,
      response: { 200: rosterView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.rosters, 'change duty rosters');
      await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) => {
        const grid = await findGrid(unit.tx, req.body.gridId);
        if (!grid)
          throw badRequest(`grid ${req.body.gridId} does not exist`, [{ pointer: '/gridId', detail: 'unknown' }]);
        requireInScope(caller, { path: grid.path, gridId: grid.id }, `grid ${grid.code}`);
        await rosterReplacer(unit, req.body);
      });
      const calendar = await workingCalendar(ctx.db);
      const [roster] = await rostersOf(ctx.db, [req.body.gridId], ctx.clock.now(), calendar.offsetMinutes);
      return roster!;
    },
  });

  r.get('/api/departments', {
    schema: { ...tags, summary: 'Departments and the categories they own', response: { 200: z.array(departmentView) } },
    handler: async (req) => {
      requireRole(callerOf(req), staffRoles, 'read departments');
      return departmentsWithMembers(ctx.db);
    },
  });

  r.put('/api/departments/:code', {
    schema: {
      ...tags,
      summary: 'Create or replace a department (its categories and handlers)',
      params: z.object({ code: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/) }),
      body: departmentInput,
      response: { 200: departmentView },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireSystemAdmin(caller, 'change departments');
      return inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        departmentUpserter(unit, req.params.code, req.body),
      );
    },
  });

  r.get('/api/case-settings', {
    schema: { ...tags, summary: 'Settings of the case engine', response: { 200: caseSettingsSchema } },
    handler: async (req) => {
      requireRole(callerOf(req), casePolicy.configure, 'read the case settings');
      return caseSettings(ctx.db);
    },
  });

  r.put('/api/case-settings', {
    schema: {
      ...tags,
      summary: 'Change settings of the case engine (join window, auto-dispatch, reminders, escalation)',
      body: caseSettingsPatch,
      response: { 200: caseSettingsSchema },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireSystemAdmin(caller, 'change the case settings');
      return inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) => caseSettingsUpdater(unit, req.body));
    },
  });
}
