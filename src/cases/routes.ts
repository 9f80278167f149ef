import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireRole } from '../kernel/auth/policy.ts';
import { actorOf, type Principal } from '../kernel/auth/principal.ts';
import { type Executor, inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { limits, pageOf } from '../kernel/http/paging.ts';
import { workingCalendar } from './calendar-years.ts';
import { caseActorOf, viewerDepartments, visibleCaseLoader } from './case-access.ts';
import { caseFilterResolver } from './case-list.ts';
import { caseActionTaker, caseCreator, reportResolver } from './case-service.ts';
import { snapshotsOf } from './case-steps.ts';
import { idempotencyHeaders, idempotently, idempotentRequestOf, sendIdempotent } from './idempotency.ts';
import { casePolicy } from './policy.ts';
import { presentCase, presentCaseDetail } from './presenters.ts';
import { caseActionInput, caseDetailView, caseInput, caseListQuery, caseView } from './schema.ts';
import type { CaseRow } from './store.ts';
import * as store from './store.ts';
import { seedCategories, timeLimitSchema } from './time-limits.ts';

const tags = { tags: ['cases 案件'] };
const idParams = z.object({ id: z.string() });

/** `/api/cases` and `/api/case-categories`: the closed loop over HTTP. */
export function caseRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const detail = async (db: Executor, caller: Principal, row: CaseRow) => {
    const [snapshot] = await snapshotsOf(db, [row]);
    return presentCaseDetail(
      snapshot!,
      await store.listTimeline(db, row.id),
      await store.listCaseAlarms(db, row.id),
      caller,
      ctx.clock.now(),
      await workingCalendar(db),
    );
  };

  r.get('/api/case-categories', {
    schema: {
      ...tags,
      summary: 'Case categories (事件小类) and their time limits',
      response: {
        200: z.array(
          z.object({
            code: z.string(),
            name: z.string(),
            nameEn: z.string(),
            eventClass: z.string(),
            severity: z.string(),
            accept: timeLimitSchema,
            handle: timeLimitSchema,
          }),
        ),
      },
    },
    handler: async (req) => {
      requireRole(callerOf(req), casePolicy.read, 'read case categories');
      return seedCategories.map((c) => ({
        code: c.code,
        name: c.name,
        nameEn: c.nameEn,
        eventClass: c.eventClass,
        severity: c.severity,
        accept: c.accept,
        handle: c.handle,
      }));
    },
  });

  r.post('/api/cases', {
    schema: {
      ...tags,
      summary: 'Report a case (上报)',
      description:
        'Contact details (reporterName, reporterPhone, reporterEmail): a dispatcher’s hotline caller, or a resident’s or ' +
        'enterprise’s own (optional; never public, masked in lists). With `Idempotency-Key`, a retry creates nothing new.',
      headers: idempotencyHeaders,
      body: caseInput,
      response: { 201: caseDetailView },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.create, 'report cases');
      const once = idempotentRequestOf(caller.userId, req.headers['idempotency-key'], {
        method: 'POST',
        path: '/api/cases',
        body: req.body,
      });
      const answer = await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        idempotently(unit, once, 201, async () => {
          const report = await reportResolver(unit.tx, ctx.twin, caseActorOf(caller), req.body);
          const row = await caseCreator(unit, ctx.events.wake, caseActorOf(caller), report);
          return detail(unit.tx, caller, row);
        }),
      );
      return sendIdempotent(reply, answer);
    },
  });

  r.get('/api/cases', {
    schema: {
      ...tags,
      summary: 'List cases you may see (paged; newest first)',
      description:
        'Reporters’ contact details are masked here for everyone but the reporter (in full: GET /api/cases/{id}).',
      querystring: caseListQuery,
      response: { 200: pageOf(caseView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.read, 'read cases');
      const now = ctx.clock.now();
      const { filter } = await caseFilterResolver(ctx.db, caller, req.query, now);
      const { rows, total } = await store.listCases(
        ctx.db,
        caller,
        await viewerDepartments(ctx.db, caller),
        filter,
        limits(req.query),
      );
      const calendar = await workingCalendar(ctx.db);
      const snapshots = await snapshotsOf(ctx.db, rows);
      return {
        items: snapshots.map((s) => presentCase(s, caller, now, calendar, 'list')),
        page: req.query.page,
        pageSize: req.query.pageSize,
        total,
      };
    },
  });

  r.get('/api/cases/:id', {
    schema: { ...tags, summary: 'One case with its timeline', params: idParams, response: { 200: caseDetailView } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.read, 'read cases');
      return detail(ctx.db, caller, await visibleCaseLoader(ctx.db, caller, req.params.id));
    },
  });

  r.post('/api/cases/:id/actions', {
    schema: {
      ...tags,
      summary: 'Take a workflow action (立案, 派遣, 签收, 处置, 核查, 结案, 评价, 回退, 作废, 转派, 延期 …)',
      description:
        'Illegal in the case’s state → 409; not your role or not your case → 403; missing reason, target or date → 400. ' +
        'With `Idempotency-Key`, a retry returns the first answer and does not act twice.',
      headers: idempotencyHeaders,
      params: idParams,
      body: caseActionInput,
      response: { 200: caseDetailView },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, casePolicy.read, 'act on cases');
      const once = idempotentRequestOf(caller.userId, req.headers['idempotency-key'], {
        method: 'POST',
        path: `/api/cases/${req.params.id}/actions`,
        body: req.body,
      });
      const answer = await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        idempotently(unit, once, 200, async () => {
          const row = await visibleCaseLoader(unit.tx, caller, req.params.id);
          const after = await caseActionTaker(unit, ctx.events.wake, caseActorOf(caller), row, req.body);
          return detail(unit.tx, caller, after);
        }),
      );
      return sendIdempotent(reply, answer);
    },
  });
}
