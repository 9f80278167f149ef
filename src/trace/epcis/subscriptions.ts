/**
 * Query subscriptions by webhook (EPCIS 2.0 REST binding): a streaming subscription receives,
 * after every capture, the new events its named query matches; a scheduled one, at the times its
 * schedule names, the events recorded since its last run. Each result is an EPCISQueryDocument
 * POSTed to `dest`, signed `GS1-Signature: sha256=<hex HMAC-SHA256(signatureToken, body)>`, with
 * only what the subscriber may read. Deliveries are recorded, retried with backoff, and sent
 * outside any transaction (by a timed task) so a slow receiver never holds the database.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { AppContext } from '../../app-context.ts';
import { findUserById } from '../../kernel/auth/store.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Unit } from '../../kernel/db/unit-of-work.ts';
import { inTransaction } from '../../kernel/db/unit-of-work.ts';
import type { EventProcessor } from '../../kernel/events/processors.ts';
import { CAPTURED_EVENT, type CapturedPayload } from './capture.ts';
import { captureWorkerOf } from './capture-worker.ts';
import { eventsQuerier } from './events-querier.ts';
import { namedQueryPrefixes } from './named-queries.ts';
import { visibilityOf } from './policy.ts';
import { queryDocumentJson } from './presenters.ts';
import { EpcisProblem } from './problems.ts';
import { scheduleFiredBetween } from './schedule.ts';
import * as subs from './subscription-store.ts';

/** Events per delivered document. */
const BATCH = 500;
/** Attempts before a delivery is given up (`failed`). */
export const MAX_ATTEMPTS = 8;
/** Wait before attempt n+1 after n failures: 30 s, 1 min, 2 min … at most 1 h. */
export const backoffMs = (failures: number): number => Math.min(30_000 * 2 ** Math.max(0, failures - 1), 3_600_000);
/** Name of the timed task that sends deliveries. */
export const WEBHOOK_TASK = 'epcis.webhooks';

/** The `GS1-Signature` header of a body. */
export function signatureOf(token: string, body: string): string {
  return `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
}

/** Queues the new matches of one subscription (record order after its position, up to `upto`). */
async function queueMatches(unit: Unit, sub: subs.SubscriptionRow, upto: number): Promise<number> {
  const query = await subs.findQuery(unit.tx, sub.query_name);
  const owner = await findUserById(unit.tx, sub.owner_id);
  if (!query || !owner || owner.disabled) return 0;
  const visibility = visibilityOf({
    role: owner.role as never,
    userId: owner.id,
    scope: { placeId: owner.scope_place_id, path: owner.scope_path, gridId: owner.scope_grid_id },
  });
  const params = JSON.parse(query.query) as Record<string, unknown>;
  const now = unit.clock.now().toISOString();
  const meta = { queryName: sub.query_name, subscriptionID: sub.id, creationDate: now };
  const bodies: { body: string; count: number }[] = [];
  try {
    let nextPageToken: string | undefined;
    do {
      const page = await eventsQuerier(unit.tx, params, {
        visibility,
        prefixes: namedQueryPrefixes(params),
        perPage: BATCH,
        nextPageToken,
        afterSeq: sub.last_seq,
        uptoSeq: upto,
      });
      if (page.events.length > 0)
        bodies.push({ body: JSON.stringify(queryDocumentJson(page.events, meta)), count: page.events.length });
      nextPageToken = page.nextToken;
    } while (nextPageToken);
  } catch (error) {
    // EPCIS REST binding: a server-side error is sent to the subscriber as problem details.
    if (!(error instanceof EpcisProblem)) throw error;
    bodies.push({ body: JSON.stringify(error.toJSON(`/epcis/queries/${sub.query_name}`)), count: 0 });
  }
  if (bodies.length === 0 && sub.report_if_empty === 1)
    bodies.push({ body: JSON.stringify(queryDocumentJson([], meta)), count: 0 });
  await subs.insertDeliveries(
    unit.tx,
    bodies.map(({ body, count }) => ({
      id: randomUUID(),
      subscription_id: sub.id,
      created_at: now,
      body,
      event_count: count,
      status: 'pending',
      attempts: 0,
      http_status: null,
      error: null,
      next_attempt_at: now,
      delivered_at: null,
    })),
  );
  await subs.updateSubscription(unit.tx, sub.id, { last_seq: upto });
  return bodies.length;
}

/** Streams: after each capture, every streaming subscription's new matches are queued. */
export function streamProcessor(kick: () => void): EventProcessor {
  return {
    name: 'epcis.subscriptions',
    handles: [CAPTURED_EVENT],
    async handle(unit, events) {
      const upto = Math.max(0, ...events.map((e) => (e.payload as CapturedPayload).lastSeq));
      if (upto === 0) return;
      let queued = 0;
      for (const sub of await subs.subscriptionsByKind(unit.tx, true))
        if (sub.last_seq < upto) queued += await queueMatches(unit, sub, upto);
      if (queued > 0) unit.afterCommit(kick);
    },
  };
}

/** Scheduled subscriptions whose schedule fired since they last ran get what was recorded since. */
export async function scheduledRunner(ctx: { db: AppContext['db']; clock: Clock }, now: Date): Promise<number> {
  return inTransaction(ctx.db, ctx.clock, 'processor:epcis.schedules', async (unit) => {
    let queued = 0;
    const upto = await subs.lastSeq(unit.tx);
    for (const sub of await subs.subscriptionsByKind(unit.tx, false)) {
      const since = new Date(sub.last_notified_at ?? sub.created_at);
      if (!sub.schedule || !scheduleFiredBetween(JSON.parse(sub.schedule), since, now)) continue;
      queued += await queueMatches(unit, { ...sub, last_seq: Math.min(sub.last_seq, upto) }, upto);
      await subs.updateSubscription(unit.tx, sub.id, { last_notified_at: now.toISOString() });
    }
    return queued;
  });
}

/** Sends the deliveries that are due; records each attempt. Runs outside any transaction while sending. */
export async function webhookSender(ctx: Pick<AppContext, 'db' | 'clock' | 'outbound'>, now: Date): Promise<number> {
  let sent = 0;
  for (const d of await subs.dueDeliveries(ctx.db, now.toISOString(), 50)) {
    const sub = await subs.subscriptionById(ctx.db, d.subscription_id);
    if (!sub) {
      await subs.updateDelivery(ctx.db, d.id, { status: 'failed', error: 'subscription removed' });
      continue;
    }
    const headers: Record<string, string> = { 'content-type': 'application/ld+json', 'GS1-EPCIS-Version': '2.0.0' };
    if (sub.signature_token) headers['GS1-Signature'] = signatureOf(sub.signature_token, d.body);
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await ctx.outbound.post(sub.dest, { headers, body: d.body, timeoutMs: 10_000 });
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const at = ctx.clock.now().toISOString();
    const attempts = d.attempts + 1;
    if (error === null) {
      await subs.updateDelivery(ctx.db, d.id, {
        status: 'delivered',
        attempts,
        http_status: status,
        error: null,
        delivered_at: at,
      });
      await subs.updateSubscription(ctx.db, sub.id, { last_notified_at: at });
      sent++;
    } else {
      const next = new Date(ctx.clock.now().getTime() + backoffMs(attempts)).toISOString();
      await subs.updateDelivery(ctx.db, d.id, {
        status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
        attempts,
        http_status: status,
        error: error.slice(0, 500),
        next_attempt_at: next,
      });
    }
  }
  return sent;
}

const registered = new WeakSet<object>();

/**
 * The background work of EPCIS subscriptions on a node: the stream processor, the scheduled
 * runner and the sender (timed tasks, `ctx.tasks.tick()` in tests). Idempotent per context.
 */
export function registerEpcisWork(ctx: AppContext): void {
  if (registered.has(ctx)) return;
  registered.add(ctx);
  captureWorkerOf(ctx); // first: a tick runs captures before the webhooks that may follow from them
  ctx.events.register(streamProcessor(() => ctx.tasks.kick(WEBHOOK_TASK)));
  ctx.tasks.register({ name: 'epcis.schedules', everyMs: 1_000, run: (now) => scheduledRunner(ctx, now) });
  ctx.tasks.register({ name: WEBHOOK_TASK, everyMs: 5_000, run: (now) => webhookSender(ctx, now) });
}
