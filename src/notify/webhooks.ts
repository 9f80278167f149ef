import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { workingCalendar } from '../cases/calendar-years.ts';
import { appendAudit } from '../kernel/audit/audit.ts';
import type { Principal } from '../kernel/auth/principal.ts';
import { randomSecret } from '../kernel/auth/secrets.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { Unit } from '../kernel/db/unit-of-work.ts';
import { readEvents } from '../kernel/events/outbox.ts';
import type { EventProcessor } from '../kernel/events/processors.ts';
import type { OutboundPolicy } from '../kernel/http/outbound.ts';
import { clientEventTypes, clientTypeOf, liveEventTypes, liveRoute } from './live-messages.ts';
import type { DeliveryRow, SubscriptionRow } from './store.ts';
import * as store from './store.ts';

// Webhooks: subscriptions (admin) receive the same typed, versioned messages as WebSocket
// clients, filtered by the creating admin's scope, as signed POSTs, retried with exponential
// backoff by the scheduler, every attempt kept in the delivery log.
//
// Signature (after Stripe's scheme): header `X-Civictwin-Signature: t=<unix seconds>,v1=<hex>`,
// where hex = HMAC-SHA256(secret, `${t}.${raw body}`). Receivers recompute it and reject stale t.

/** Attempts before a delivery is given up (`failed`). */
export const maxAttempts = 8;

/** Wait before attempt n+1 after n failures: 30 s, 1 min, 2 min … capped at 1 h. */
export function backoffMs(failures: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, failures - 1), 3_600_000);
}

/** The signature header value of a body sent at `unixSeconds`. */
export function signatureOf(secret: string, unixSeconds: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** `POST /api/webhooks`. */
export const webhookInput = z.object({
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe('http(s) URL that receives signed POSTs'),
  eventTypes: z.array(z.enum(clientEventTypes)).min(1),
  secret: z.string().min(16).max(200).optional().describe('HMAC key; generated (and shown once) when absent'),
});
export type WebhookInput = z.infer<typeof webhookInput>;

export const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
});

export const deliveryView = z.object({
  id: z.string(),
  eventSeq: z.number().int(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

export function presentWebhook(s: SubscriptionRow): z.infer<typeof webhookView> {
  return {
    id: s.id,
    url: s.url,
    eventTypes: JSON.parse(s.event_types),
    active: s.active === 1,
    createdAt: s.created_at,
  };
}

export function presentDelivery(d: DeliveryRow): z.infer<typeof deliveryView> {
  return {
    id: d.id,
    eventSeq: Number(d.event_seq),
    eventType: d.event_type,
    status: d.status as 'pending' | 'delivered' | 'failed',
    attempts: d.attempts,
    nextAt: d.next_at,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: d.created_at,
    deliveredAt: d.delivered_at,
  };
}

/** Creates a subscription scoped like its creator (audited, without the secret). */
export async function webhookCreator(unit: Unit, creator: Principal, input: WebhookInput) {
  const now = unit.clock.now().toISOString();
  const secret = input.secret ?? randomSecret('whsec_');
  const row: SubscriptionRow = {
    id: randomUUID(),
    url: input.url,
    secret,
    event_types: JSON.stringify([...new Set(input.eventTypes)]),
    scope_path: creator.scope.path,
    scope_grid_id: creator.scope.gridId,
    active: 1,
    created_by: creator.userId,
    created_at: now,
    updated_at: now,
  };
  await store.insertSubscription(unit.tx, row);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'webhook.create',
    subjectType: 'webhook',
    subjectId: row.id,
    after: presentWebhook(row),
  });
  return { row, secret };
}

/** Stops a subscription (audited); its log stays. */
export async function webhookDeactivator(unit: Unit, row: SubscriptionRow): Promise<void> {
  await store.updateSubscription(unit.tx, row.id, { active: 0, updated_at: unit.clock.now().toISOString() });
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'webhook.deactivate',
    subjectType: 'webhook',
    subjectId: row.id,
    before: presentWebhook(row),
  });
}

/** The viewer a subscription sees as: its creator's scope, personal data of reporters masked. */
function webhookViewer(s: SubscriptionRow): Principal {
  return {
    userId: `webhook:${s.id}`,
    username: `webhook:${s.id}`,
    displayName: 'webhook',
    role: 'leader',
    scope: { placeId: null, path: s.scope_path, gridId: s.scope_grid_id },
    via: 'token',
  };
}

/** The event processor that queues a delivery per matching subscription, in the event's order. */
export function webhookQueueProcessor(kick: () => void): EventProcessor {
  return {
    name: 'notify.webhooks',
    handles: liveEventTypes,
    async handle(unit, events) {
      const subs = await store.activeSubscriptions(unit.tx);
      if (subs.length === 0) return;
      const now = unit.clock.now().toISOString();
      const rows: DeliveryRow[] = [];
      for (const event of events) {
        const route = liveRoute(event);
        if (!route) continue;
        for (const s of subs) {
          if (!(JSON.parse(s.event_types) as string[]).includes(clientTypeOf(event.type))) continue;
          if (!route.visibleTo(webhookViewer(s), [])) continue;
          rows.push({
            id: randomUUID(),
            subscription_id: s.id,
            event_seq: event.seq,
            event_type: event.type,
            status: 'pending',
            attempts: 0,
            next_at: now,
            last_status: null,
            last_error: null,
            created_at: now,
            delivered_at: null,
          });
        }
      }
      await store.insertDeliveries(unit.tx, rows);
      if (rows.length > 0) unit.afterCommit(kick);
    },
  };
}

/** What the sender needs. */
export type WebhookSenderDeps = { db: Kysely<Database>; clock: Clock; outbound: OutboundPolicy; timeoutMs?: number };

/** The scheduler's timed task: sends every delivery due at `now`; returns how many were attempted. */
export async function webhookSender(deps: WebhookSenderDeps, now: Date): Promise<number> {
  const due = await store.dueDeliveries(deps.db, now.toISOString(), 100);
  const calendar = await workingCalendar(deps.db);
  let attempted = 0;
  for (const d of due) {
    // A lease, so another node's sender (or a slow attempt) cannot send it twice meanwhile.
    if (!(await store.leaseDelivery(deps.db, d, new Date(now.getTime() + 120_000).toISOString()))) continue;
    attempted += 1;
    const sub = await store.findSubscription(deps.db, d.subscription_id);
    const [event] = await readEvents(deps.db, Number(d.event_seq) - 1, [d.event_type], 1);
    const message =
      sub && event?.seq === Number(d.event_seq) ? liveRoute(event)?.present(webhookViewer(sub), calendar) : null;
    if (sub?.active !== 1 || !message) {
      await store.updateDelivery(deps.db, d.id, {
        status: 'failed',
        next_at: null,
        last_error: 'subscription inactive or event gone',
      });
      continue;
    }
    const body = JSON.stringify({ ...message, deliveryId: d.id });
    const t = Math.floor(deps.clock.now().getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await deps.outbound.post(sub.url, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'civictwin-webhooks/1',
          'x-civictwin-event': clientTypeOf(d.event_type),
          'x-civictwin-delivery': d.id,
          'x-civictwin-signature': signatureOf(sub.secret, t, body),
        },
        body,
        timeoutMs: deps.timeoutMs ?? 10_000,
      });
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? err.message.slice(0, 300) : 'request failed';
    }
    const at = deps.clock.now();
    const attempts = d.attempts + 1;
    if (error === null)
      await store.updateDelivery(deps.db, d.id, {
        status: 'delivered',
        attempts,
        next_at: null,
        last_status: status,
        last_error: null,
        delivered_at: at.toISOString(),
      });
    else
      await store.updateDelivery(deps.db, d.id, {
        status: attempts >= maxAttempts ? 'failed' : 'pending',
        attempts,
        next_at: attempts >= maxAttempts ? null : new Date(at.getTime() + backoffMs(attempts)).toISOString(),
        last_status: status,
        last_error: error,
      });
  }
  return attempted;
}
