import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../../app-context.ts';
import { requireRole } from '../auth/policy.ts';
import { callerOf } from './authenticate.ts';

/**
 * Operations: `/healthz` (the process answers), `/readyz` (the database answers), `/metrics`
 * (Prometheus text; an admin's or leader's bearer token, as Prometheus' `authorization` setting sends it).
 */
export function opsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'civictwin_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'civictwin_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });

  const tags = ['operations 运维'];
  app.get('/healthz', { config: { public: true }, schema: { tags, summary: 'Liveness' } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { config: { public: true }, schema: { tags, summary: 'Readiness: the database answers' } },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(ctx.db);
        return { status: 'ready', database: ctx.engine };
      } catch (err) {
        ctx.log.warn({ err }, 'database not ready');
        return reply.status(503).type('application/problem+json').send({
          type: 'https://civictwin.org/problems/not-ready',
          title: '数据库不可用 Database unavailable',
          status: 503,
        });
      }
    },
  );
  app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics (admin or leader)' } }, async (req, reply) => {
    requireRole(callerOf(req), ['admin', 'leader'], 'read metrics');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
