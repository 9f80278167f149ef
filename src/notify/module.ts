import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import type { EventBus } from '../kernel/bus.ts';
import type { EventProcessor } from '../kernel/events/processors.ts';
import type { LiveHub } from './live-hub.ts';
import { liveEventTypes } from './live-messages.ts';
import { liveRoutes } from './live-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { webhookQueueProcessor, webhookSender } from './webhooks.ts';

/** How often webhook deliveries due for a (re)try are looked for; new ones are sent at once. */
export const webhookPollMs = 5_000;

/** The bus topic of committed events for WebSocket push. */
export const liveTopic = 'live';

/**
 * The push fan-out as an event processor: it records its position with the other processors and,
 * after commit, tells every node (the bus) whose WebSocket hub hands the batch to its connections.
 * One node handles each batch; every node pushes it.
 */
export function liveFanOutProcessor(bus: EventBus): EventProcessor {
  return {
    name: 'notify.live',
    handles: liveEventTypes,
    async handle(unit, events) {
      unit.afterCommit(() => bus.publish(liveTopic, events));
    },
  };
}

/** This node's hub hears the bus; when the bus may have lost events, its clients reconnect and catch up. */
export function connectLiveHub(bus: EventBus, hub: LiveHub): void {
  bus.subscribe(liveTopic, (events) => void hub.publish(events));
  bus.onResync(() => hub.resync());
}

/** Background work of push: WebSocket fan-out, the webhook queue and its sender. */
export function registerNotifyWork(ctx: AppContext): void {
  connectLiveHub(ctx.bus, ctx.live);
  ctx.events.register(liveFanOutProcessor(ctx.bus));
  ctx.events.register(webhookQueueProcessor(() => ctx.tasks.kick('notify.webhooks')));
  ctx.tasks.register({
    name: 'notify.webhooks',
    everyMs: webhookPollMs,
    run: (now) => webhookSender({ db: ctx.db, clock: ctx.clock, outbound: ctx.outbound }, now),
  });
}

/** Every HTTP route of push: the WebSocket and the webhooks. */
export function allNotifyRoutes(app: FastifyInstance, ctx: AppContext): void {
  liveRoutes(app, ctx, ctx.live);
  webhookRoutes(app, ctx);
}
