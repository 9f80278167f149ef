import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { caseAdminRoutes } from './admin-routes.ts';
import { alarmIntakeProcessor } from './alarm-intake.ts';
import { simulatedWorkers } from './demo-workers.ts';
import { escalationRunner } from './escalation.ts';
import { caseExportRoutes } from './export-routes.ts';
import { idempotencyKeyPruner } from './idempotency.ts';
import { kpiRoutes } from './kpi-routes.ts';
import { caseRoutes } from './routes.ts';
import { caseStatsRoutes } from './stats-routes.ts';

/** How often the escalation scheduler polls its timers (real time; due times follow the injectable clock). */
export const escalationPollMs = 15_000;

/**
 * Background work of the case engine: the alarm intake (an event processor on alarm.raised /
 * alarm.updated / alarm.cleared), the escalation scheduler (a timed task over `case_timers`), the
 * hourly pruning of old idempotency keys; in demo mode also the simulated workers (demo-workers.ts).
 */
export function registerCaseWork(ctx: AppContext): void {
  ctx.events.register(alarmIntakeProcessor({ twin: ctx.twin, wake: ctx.events.wake, log: ctx.log }));
  ctx.tasks.register({
    name: 'cases.escalation',
    everyMs: escalationPollMs,
    run: (now) =>
      escalationRunner({ db: ctx.db, clock: ctx.clock, wake: ctx.events.wake }, now, (err) =>
        ctx.log.error({ err }, 'escalation timer failed'),
      ),
  });
  ctx.tasks.register({
    name: 'cases.idempotency-keys',
    everyMs: 3_600_000,
    run: (now) => idempotencyKeyPruner(ctx.db, now),
  });
  if (ctx.simulate)
    ctx.tasks.register({
      name: 'cases.demo-workers',
      everyMs: 20_000,
      run: (now) => simulatedWorkers({ db: ctx.db, clock: ctx.clock, wake: ctx.events.wake }, now),
    });
}

/** Every HTTP route of the case engine. */
export function allCaseRoutes(app: FastifyInstance, ctx: AppContext): void {
  caseRoutes(app, ctx);
  caseExportRoutes(app, ctx);
  caseAdminRoutes(app, ctx);
  kpiRoutes(app, ctx);
  caseStatsRoutes(app, ctx);
}
