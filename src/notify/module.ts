import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import type { EventProcessor } from '../kernel/events/processors.ts';
import type { LiveHub } from './live-hub.ts';
import { liveEventTypes } from './live-messages.ts';
import { liveRoutes } from './live-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { webhookQueueProcessor, webhookSender } from './webhooks.ts';

/** How often webhook deliveries due for a (re)try are looked for; new ones are sent at once. */
export const webhookPollMs = 5_000;

/**
 * The push fan-out as an event processor: it records its position with the other processors and
 * hands the batch to the WebSocket hub after commit. (One node: in-process. Several nodes: each
 * would need its own fan-out, through NATS subjects — future work.)
 */
export function liveFanOutProcessor(hub: LiveHub): EventProcessor {
  return {
    name: 'notify.live',
    handles: liveEventTypes,
    async handle(unit, events) {
      unit.afterCommit(() => void hub.publish(events));
    },
  };
}

/** Background work of push: WebSocket fan-out, the webhook queue and its sender. */
export function registerNotifyWork(ctx: AppContext): void {
  ctx.events.register(liveFanOutProcessor(ctx.live));
  ctx.events.register(webhookQueueProcessor(() => ctx.tasks.kick('notify.webhooks')));
  ctx.tasks.register({
    name: 'notify.webhooks',
    everyMs: webhookPollMs,
    run: (now) => webhookSender({ db: ctx.db, clock: ctx.clock }, now),
  });
}

/** Every HTTP route of push: the WebSocket and the webhooks. */
export function allNotifyRoutes(app: FastifyInstance, ctx: AppContext): void {
  liveRoutes(app, ctx, ctx.live);
  webhookRoutes(app, ctx);
}
