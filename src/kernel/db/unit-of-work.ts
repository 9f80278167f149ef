import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from './tables.ts';

/** A query runner: the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * One transaction and what rides on it: who acts (for the audit log), the clock, and work to do
 * only once the transaction has committed (updating in-memory indexes, publishing events).
 * Use cases take a `Unit`; route handlers and the CLI open it with `inTransaction`.
 */
export type Unit = {
  tx: Transaction<Database>;
  clock: Clock;
  /** Who acts, as the audit log names them: `user:<username>`, `cli`, `system`. */
  actor: string;
  afterCommit(fn: () => void): void;
};

/** Runs `fn` in one transaction; after-commit work runs only if it committed. */
export async function inTransaction<T>(
  db: Kysely<Database>,
  clock: Clock,
  actor: string,
  fn: (unit: Unit) => Promise<T>,
): Promise<T> {
  const after: (() => void)[] = [];
  const result = await db.transaction().execute((tx) => fn({ tx, clock, actor, afterCommit: (f) => after.push(f) }));
  for (const f of after) f();
  return result;
}
