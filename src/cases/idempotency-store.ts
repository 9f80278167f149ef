import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';

// SQL of the idempotency keys (idempotency.ts).

export type IdempotencyKeyRow = Database['idempotency_keys'];

/**
 * Claims a user's key for a request: true when this call inserted it, false when the key exists.
 * On PostgreSQL a concurrent claim of the same key waits for the first transaction, then finds
 * the key (it committed) or takes it (it rolled back); on SQLite transactions run one at a time.
 */
export async function claimKey(
  db: Executor,
  row: Pick<IdempotencyKeyRow, 'user_id' | 'key' | 'fingerprint' | 'created_at'>,
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ ...row, status: null, response: null })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findKey(db: Executor, userId: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
}

/** Records the answer a claimed key got. */
export async function answerKey(db: Executor, userId: string, key: string, status: number, response: string) {
  await db
    .updateTable('idempotency_keys')
    .set({ status, response })
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .execute();
}

/** Forgets keys created before `before`; returns how many. */
export async function deleteKeysBefore(db: Executor, before: string): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
