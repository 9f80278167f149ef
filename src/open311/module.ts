import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { caseAdapter } from './case-adapter.ts';
import { open311AdminRoutes } from './key-routes.ts';
import { georeportRoutes } from './routes.ts';

/**
 * Open311 in the app: GeoReport v2 under `/open311` (its own encapsulated plugin: form parser,
 * GeoReport error format, per-address rate limit), the admin routes under `/api/open311`, and the
 * event processor that projects residents' cases into the public read model.
 */
export async function open311Module(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { port, processor } = caseAdapter({ twin: ctx.twin, wake: ctx.events.wake, log: ctx.log });
  ctx.events.register(processor);
  await app.register(async (scope) => georeportRoutes(scope, ctx, port), { prefix: '/open311' });
  open311AdminRoutes(app, ctx);
}
