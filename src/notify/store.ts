import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';

// All SQL of push's own tables (webhook subscriptions and deliveries).

export type SubscriptionRow = Database['webhook_subscriptions'];
export type DeliveryRow = Database['webhook_deliveries'];

export async function insertSubscription(db: Executor, row: SubscriptionRow): Promise<void> {
  await db.insertInto('webhook_subscriptions').values(row).execute();
}

export async function findSubscription(db: Executor, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Subscriptions whose scope lies inside `path` (all when null). */
export async function listSubscriptions(db: Executor, path: string | null): Promise<SubscriptionRow[]> {
  let q = db.selectFrom('webhook_subscriptions').selectAll();
  if (path !== null) q = q.where('scope_path', 'like', `${path}%`);
  return q.orderBy('created_at').execute();
}

export async function activeSubscriptions(db: Executor): Promise<SubscriptionRow[]> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('active', '=', 1).execute();
}

export async function updateSubscription(db: Executor, id: string, patch: Partial<SubscriptionRow>): Promise<void> {
  await db.updateTable('webhook_subscriptions').set(patch).where('id', '=', id).execute();
}

/** Queues deliveries; an event already queued for a subscription is not queued twice. */
export async function insertDeliveries(db: Executor, rows: DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['subscription_id', 'event_seq']).doNothing())
    .execute();
}

/** Pending deliveries due at or before `now`, oldest first. */
export async function dueDeliveries(db: Executor, now: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_at', '<=', now)
    .orderBy('next_at')
    .orderBy('event_seq')
    .limit(limit)
    .execute();
}

/** Leases a delivery (moves its next attempt to `until`) unless another node did first. */
export async function leaseDelivery(db: Executor, d: DeliveryRow, until: string): Promise<boolean> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ next_at: until })
    .where('id', '=', d.id)
    .where('status', '=', 'pending')
    .where('next_at', '=', d.next_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateDelivery(db: Executor, id: string, patch: Partial<DeliveryRow>): Promise<void> {
  await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
}

export async function listDeliveries(db: Executor, subscriptionId: string, page: { limit: number; offset: number }) {
  const q = db.selectFrom('webhook_deliveries').where('subscription_id', '=', subscriptionId);
  const rows = await q.selectAll().orderBy('event_seq', 'desc').limit(page.limit).offset(page.offset).execute();
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}
