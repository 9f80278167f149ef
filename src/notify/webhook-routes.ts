import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { requireInScope, requireRole } from '../kernel/auth/policy.ts';
import { actorOf, type Principal } from '../kernel/auth/principal.ts';
import type { Role } from '../kernel/auth/roles.ts';
import { type Executor, inTransaction } from '../kernel/db/unit-of-work.ts';
import { callerOf } from '../kernel/http/authenticate.ts';
import { limits, pageOf, pageQuery } from '../kernel/http/paging.ts';
import { badRequest, notFound } from '../kernel/problems.ts';
import * as store from './store.ts';
import {
  deliveryView,
  presentDelivery,
  presentWebhook,
  webhookCreator,
  webhookDeactivator,
  webhookInput,
  webhookView,
} from './webhooks.ts';

const tags = { tags: ['push 推送'] };
const idParams = z.object({ id: z.string() });
/** Webhooks are configured by administrators, within their scope. */
const manageWebhooks: readonly Role[] = ['admin'];

async function subscriptionLoader(db: Executor, caller: Principal, id: string) {
  const sub = await store.findSubscription(db, id);
  if (!sub) throw notFound(`webhook ${id}`);
  requireInScope(caller, { path: sub.scope_path ?? '/', gridId: sub.scope_grid_id }, `webhook ${id}`);
  return sub;
}

/** `/api/webhooks`: subscriptions and their delivery log. */
export function webhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/webhooks', {
    schema: { ...tags, summary: 'Webhook subscriptions in your scope', response: { 200: z.array(webhookView) } },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, manageWebhooks, 'manage webhooks');
      return (await store.listSubscriptions(ctx.db, caller.scope.path)).map(presentWebhook);
    },
  });

  r.post('/api/webhooks', {
    schema: {
      ...tags,
      summary: 'Subscribe a URL to events (signed POSTs; the secret is shown only in this answer)',
      description:
        'The URL must reach a public address, or one the operator allowed in WEBHOOK_ALLOW: a local, private or reserved address (127.0.0.1, localhost, 10.x, 169.254.169.254 …) is a 400 with the pointer /url, and a host name that resolves to one is refused when a delivery connects.',
      body: webhookInput,
      response: { 201: webhookView.extend({ secret: z.string() }) },
    },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, manageWebhooks, 'manage webhooks');
      const refused = ctx.outbound.refusal(req.body.url);
      if (refused) throw badRequest(`url: ${refused}`, [{ pointer: '/url', detail: refused }]);
      const { row, secret } = await inTransaction(ctx.db, ctx.clock, actorOf(caller), (unit) =>
        webhookCreator(unit, caller, req.body),
      );
      return reply.status(201).send({ ...presentWebhook(row), secret });
    },
  });

  r.delete('/api/webhooks/:id', {
    schema: { ...tags, summary: 'Stop a subscription (its delivery log stays)', params: idParams },
    handler: async (req, reply) => {
      const caller = callerOf(req);
      requireRole(caller, manageWebhooks, 'manage webhooks');
      await inTransaction(ctx.db, ctx.clock, actorOf(caller), async (unit) =>
        webhookDeactivator(unit, await subscriptionLoader(unit.tx, caller, req.params.id)),
      );
      return reply.status(204).send();
    },
  });

  r.get('/api/webhooks/:id/deliveries', {
    schema: {
      ...tags,
      summary: 'Delivery log of a subscription (newest event first)',
      params: idParams,
      querystring: pageQuery,
      response: { 200: pageOf(deliveryView) },
    },
    handler: async (req) => {
      const caller = callerOf(req);
      requireRole(caller, manageWebhooks, 'manage webhooks');
      const sub = await subscriptionLoader(ctx.db, caller, req.params.id);
      const { rows, total } = await store.listDeliveries(ctx.db, sub.id, limits(req.query));
      return { items: rows.map(presentDelivery), page: req.query.page, pageSize: req.query.pageSize, total };
    },
  });
}
