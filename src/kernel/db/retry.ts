/** Runs `fn` again, up to `attempts` times in all, while what it threw passes `retryable`. */
async function retrying<T>(fn: () => Promise<T>, retryable: (err: unknown) => boolean, attempts: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
    }
  }
}

/**
 * Runs `fn` again when PostgreSQL says that a schema other than ours does not exist (SQLSTATE
 * 3F000). Kysely's introspector, which the migrator uses, scans every schema with
 * `has_schema_privilege`; a schema dropped during the scan (another tenant's, or a parallel test
 * run's) fails it. A missing schema of our own is a real error and is thrown at once.
 */
export function retryOnForeignSchemaDrop<T>(fn: () => Promise<T>, own: string | undefined, attempts = 3): Promise<T> {
  return retrying(fn, (err) => isForeignSchemaGone(err, own), attempts);
}

function isForeignSchemaGone(err: unknown, own: string | undefined): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== '3F000' || typeof e.message !== 'string') return false;
  const named = /schema "([^"]+)" does not exist/.exec(e.message)?.[1];
  return named !== undefined && named !== own;
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back whole. */
const conflictCodes = new Set(['40P01', '40001']);

/**
 * Runs a whole transaction again when PostgreSQL aborted it as one side of a deadlock or a
 * serialization failure. Only for transactions whose work is all in the database (in-memory
 * effects in after-commit hooks), so a rolled-back attempt left nothing behind: the timed tasks and
 * the event processors, which otherwise wait for their next turn.
 */
export function retryOnConflict<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  return retrying(fn, isTransientConflict, attempts);
}

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | undefined)?.code;

/** A deadlock or serialization failure (PostgreSQL), or a busy database (SQLite): the same request may pass again. */
export function isTransientConflict(err: unknown): boolean {
  const code = codeOf(err);
  return typeof code === 'string' && (conflictCodes.has(code) || code === 'SQLITE_BUSY');
}

/**
 * A unique key taken (PostgreSQL 23505, SQLite's UNIQUE or PRIMARY KEY constraint): two requests
 * created the same thing at once, and the one that committed first won. Checks before inserts
 * catch the ordinary case; this is the race between check and insert (several connections).
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** PostgreSQL's "invalid byte sequence" (22021): U+0000 in text it was asked to store. */
export function isUnstorableText(err: unknown): boolean {
  return codeOf(err) === '22021';
}
