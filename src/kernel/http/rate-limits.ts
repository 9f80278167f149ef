import { createRequire } from 'node:module';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/tables.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Count this route's rate limit in the database, so that every node counts the same requests
     * (sign-in, Open311 reports); otherwise each node counts its own (device traffic).
     */
    sharedRateLimit?: boolean;
  }
}

type Counted = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Counted) => void;

// The plugin's own in-memory store, for the routes that count per node.
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding?: boolean,
  exponentialBackoff?: boolean,
  cache?: number,
) => FastifyRateLimitStore;

/**
 * Counts in `rate_limit_counters`: one fixed window per key (its start rounded down to the window
 * length on the injectable clock), incremented with one upsert, so several nodes on one database
 * share each count. A brute-force guess at passwords gets the configured attempts per minute in
 * all, not per node.
 */
class SharedCounter implements FastifyRateLimitStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number): void {
    const now = this.clock.now().getTime();
    const start = now - (now % timeWindow);
    sql<{ count: number }>`insert into rate_limit_counters (key, window_start, count) values (${key}, ${start}, 1)
      on conflict (key) do update set
        count = case when rate_limit_counters.window_start = excluded.window_start
          then rate_limit_counters.count + 1 else 1 end,
        window_start = excluded.window_start
      returning count`
      .execute(this.db)
      .then(
        (r) => callback(null, { current: Number(r.rows[0]?.count ?? 1), ttl: start + timeWindow - now }),
        (err: Error) => callback(err),
      );
  }

  /** The count so far, without counting (`{ increment: false }`). */
  read(key: string, callback: Callback, timeWindow: number): void {
    const now = this.clock.now().getTime();
    const start = now - (now % timeWindow);
    this.db
      .selectFrom('rate_limit_counters')
      .select('count')
      .where('key', '=', key)
      .where('window_start', '=', start)
      .executeTakeFirst()
      .then(
        (row) => callback(null, { current: Number(row?.count ?? 0), ttl: row ? start + timeWindow - now : 0 }),
        (err: Error) => callback(err),
      );
  }

  child(): FastifyRateLimitStore {
    return this;
  }
}

/** The rate-limit plugin's store: shared counters for `config.sharedRateLimit` routes, per node for the others. */
export function rateLimitStore(db: Kysely<Database>, clock: Clock): FastifyRateLimitStoreCtor {
  const shared = new SharedCounter(db, clock);
  return class RateLimitStore implements FastifyRateLimitStore {
    private readonly local = new LocalStore();
    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      this.local.incr(key, callback, timeWindow, max);
    }
    child(params: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const options = params as unknown as {
        routeInfo?: { config?: { sharedRateLimit?: boolean } };
        continueExceeding?: boolean;
        exponentialBackoff?: boolean;
        cache?: number;
      };
      if (options.routeInfo?.config?.sharedRateLimit) return shared;
      return new LocalStore(options.continueExceeding, options.exponentialBackoff, options.cache);
    }
  };
}

/** Forgets counters of windows that ended a day ago or more (the hourly timed task). */
export async function rateLimitPruner(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('rate_limit_counters')
    .where('window_start', '<', now.getTime() - 86_400_000)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
