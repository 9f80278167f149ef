/** SQL of named queries, their webhook subscriptions and the delivery record. */
import type { Database } from '../../kernel/db/tables.ts';
import type { Executor } from '../../kernel/db/unit-of-work.ts';

/** Rows of the tables this store writes. */
export type NamedQueryRow = Database['epcis_queries'];
export type SubscriptionRow = Database['epcis_subscriptions'];
export type DeliveryRow = Database['epcis_deliveries'];

/** A named query by name. */
export async function findQuery(db: Executor, name: string): Promise<NamedQueryRow | undefined> {
  return db.selectFrom('epcis_queries').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Named queries by name after `after`; `ownerId` narrows to one user's. */
export async function listQueries(
  db: Executor,
  f: { ownerId?: string | undefined; after?: string | undefined; limit: number },
): Promise<NamedQueryRow[]> {
  let q = db.selectFrom('epcis_queries').selectAll();
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.after !== undefined) q = q.where('name', '>', f.after);
  return q.orderBy('name').limit(f.limit).execute();
}

/** Stores a named query. */
export async function insertQuery(db: Executor, row: NamedQueryRow): Promise<void> {
  await db.insertInto('epcis_queries').values(row).execute();
}

/** Deletes a named query with its subscriptions (their delivery record stays). */
export async function deleteQuery(db: Executor, name: string): Promise<void> {
  await db.deleteFrom('epcis_subscriptions').where('query_name', '=', name).execute();
  await db.deleteFrom('epcis_queries').where('name', '=', name).execute();
}

/** Stores a subscription. */
export async function insertSubscription(db: Executor, row: SubscriptionRow): Promise<void> {
  await db.insertInto('epcis_subscriptions').values(row).execute();
}

/** A subscription of a named query. */
export async function findSubscription(
  db: Executor,
  queryName: string,
  id: string,
): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('epcis_subscriptions')
    .selectAll()
    .where('query_name', '=', queryName)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The subscriptions of a named query, oldest first. */
export async function subscriptionsOf(db: Executor, queryName: string): Promise<SubscriptionRow[]> {
  return db
    .selectFrom('epcis_subscriptions')
    .selectAll()
    .where('query_name', '=', queryName)
    .orderBy('created_at')
    .execute();
}

/** Every subscription of one kind: streaming (`stream = 1`) or scheduled. */
export async function subscriptionsByKind(db: Executor, stream: boolean): Promise<SubscriptionRow[]> {
  return db
    .selectFrom('epcis_subscriptions')
    .selectAll()
    .where('stream', '=', stream ? 1 : 0)
    .execute();
}

/** Changes a subscription (position, last notification). */
export async function updateSubscription(db: Executor, id: string, patch: Partial<SubscriptionRow>): Promise<void> {
  await db.updateTable('epcis_subscriptions').set(patch).where('id', '=', id).execute();
}

/** Removes a subscription. */
export async function deleteSubscription(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('epcis_subscriptions').where('id', '=', id).execute();
}

/** The highest record-order number stored (0 when empty). */
export async function lastSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('epcis_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** The record-order number just before the first event recorded at or after `time`. */
export async function seqBefore(db: Executor, time: string): Promise<number> {
  const row = await db
    .selectFrom('epcis_events')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('record_time', '>=', time)
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? lastSeq(db) : Number(row.seq) - 1;
}

/** Queues deliveries. */
export async function insertDeliveries(db: Executor, rows: readonly DeliveryRow[]): Promise<void> {
  for (const row of rows) await db.insertInto('epcis_deliveries').values(row).execute();
}

/** Deliveries due for a (re)try, oldest first. */
export async function dueDeliveries(db: Executor, now: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('epcis_deliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Records a delivery attempt. */
export async function updateDelivery(db: Executor, id: string, patch: Partial<DeliveryRow>): Promise<void> {
  await db.updateTable('epcis_deliveries').set(patch).where('id', '=', id).execute();
}

/** A subscription's deliveries, newest first. */
export async function deliveriesOf(db: Executor, subscriptionId: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('epcis_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The signing key and destination of a subscription (for sending). */
export async function subscriptionById(db: Executor, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('epcis_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}
