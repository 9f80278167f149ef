import type { Kysely } from 'kysely';

/**
 * Rate-limit counters shared by every node (src/kernel/http/rate-limits.ts): one row per key (a
 * client address on sign-in, an Open311 api_key), counting requests in the current fixed window
 * that starts at `window_start` (epoch milliseconds). Rows of past windows are pruned hourly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute();
}
