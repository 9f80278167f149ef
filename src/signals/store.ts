import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { type Db, sqliteOf } from '../kernel/db/connection.ts';
import type { Database } from '../kernel/db/tables.ts';
import type { Executor } from '../kernel/db/unit-of-work.ts';
import type { SignalRecord } from './parse.ts';

/** A signal as its consumers read it. */
export type SignalLogRow = Pick<
  Database['signal_log'],
  'seq' | 'device_id' | 'kind' | 'ts' | 'received_at' | 'payload'
> & {
  /** Handed over by the writer in its transaction: the reading as parsed, so it is not parsed again. */
  reading?: { tsMs: number; values: Record<string, unknown> } | undefined;
};

/**
 * Where the log is appended: PostgreSQL through Kysely, or the embedded database through its own
 * handle (the same connection, so inside the same transaction).
 */
export type SignalLogTarget = { engine: 'postgres' } | { engine: 'sqlite'; database: SQLite.Database };

// Rows per INSERT statement on PostgreSQL: the rows travel as one array per column for unnest,
// so the statement stays short.
const chunk = 5000;

/** The target for an opened database. */
export function signalLogTarget(database: Db): SignalLogTarget {
  if (database.engine === 'postgres') return { engine: 'postgres' };
  const handle = sqliteOf(database.db);
  if (!handle) throw new Error('an embedded database without its handle');
  return { engine: 'sqlite', database: handle };
}

const insertOne = `insert into signal_log (seq, idem_key, device_id, kind, ts, received_at, payload, source)
  values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (idem_key) do nothing`;

/**
 * Appends records to the signal log; a record whose idempotency key is already stored is skipped
 * (`on conflict do nothing`). Sequence numbers come from the one-row head, which the transaction
 * locks (PostgreSQL) or which the single writer owns (SQLite): seq order is commit order, so a
 * consumer reading "after my position" never skips a late commit. Returns the keys stored and the
 * seqs reserved (`first`…`last`, record i at `first + i`; repeats leave their seq unused).
 */
export async function appendSignals(
  tx: Executor,
  target: SignalLogTarget,
  records: readonly SignalRecord[],
): Promise<{ stored: Set<string>; first: number; last: number }> {
  const stored = new Set<string>();
  if (records.length === 0) return { stored, first: 0, last: 0 };
  const head = await tx
    .updateTable('signal_log_head')
    .set((eb) => ({ seq: eb('seq', '+', records.length) }))
    .where('id', '=', 1)
    .returning('seq')
    .executeTakeFirstOrThrow();
  const first = Number(head.seq) - records.length + 1;
  if (target.engine === 'sqlite') {
    // One prepared statement run per row, as raw better-sqlite3 does: on SQLite this beats any
    // multi-row form (a VALUES list to prepare, or a JSON array to build and parse).
    const insert = target.database.prepare(insertOne);
    records.forEach((r, i) => {
      if (insert.run(first + i, r.idemKey, r.deviceId, r.kind, r.ts, r.receivedAt, r.payload, r.source).changes > 0)
        stored.add(r.idemKey);
    });
  } else {
    for (let i = 0; i < records.length; i += chunk) {
      const inserted = await insertPostgres(tx, records.slice(i, i + chunk), first + i);
      for (const r of inserted.rows) stored.add(r.idem_key);
    }
  }
  return { stored, first, last: first + records.length - 1 };
}

function insertPostgres(tx: Executor, part: readonly SignalRecord[], first: number) {
  const col = <K extends keyof SignalRecord>(k: K) => part.map((r) => r[k]);
  return sql<{
    idem_key: string;
  }>`insert into signal_log (seq, idem_key, device_id, kind, ts, received_at, payload, source)
    select * from unnest(${part.map((_, j) => first + j)}::bigint[], ${col('idemKey')}::text[], ${col('deviceId')}::text[],
      ${col('kind')}::text[], ${col('ts')}::text[], ${col('receivedAt')}::text[], ${col('payload')}::text[], ${col('source')}::text[])
    on conflict (idem_key) do nothing
    returning idem_key`.execute(tx);
}

/** Signals after `afterSeq`, oldest first. */
export async function signalsAfter(db: Executor, afterSeq: number, limit: number): Promise<SignalLogRow[]> {
  const rows = await db
    .selectFrom('signal_log')
    .select(['seq', 'device_id', 'kind', 'ts', 'received_at', 'payload'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  for (const r of rows) r.seq = Number(r.seq);
  return rows;
}

/**
 * A consumer's position, read under a row lock (PostgreSQL) that holds until the transaction
 * ends, so two nodes never handle the same batch: the row is touched without changing it (an
 * upsert that keeps `seq`), then read. (`processor_positions` is the kernel's table of consumer
 * positions; the signal log's consumer keeps its row there.)
 */
export async function claimPosition(tx: Executor, consumer: string, at: string): Promise<number> {
  await tx
    .insertInto('processor_positions')
    .values({ processor: consumer, seq: 0, updated_at: at })
    .onConflict((oc) => oc.column('processor').doUpdateSet((eb) => ({ seq: eb.ref('processor_positions.seq') })))
    .execute();
  const row = await tx
    .selectFrom('processor_positions')
    .select('seq')
    .where('processor', '=', consumer)
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** The last seq handed out (its appends have committed when this reads it). */
export async function headSeq(db: Executor): Promise<number> {
  const row = await db.selectFrom('signal_log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** The last seq stored (seqs of repeats that were not stored leave gaps, also at the end). */
export async function lastSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('signal_log')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * One device's signals, newest first, from seqs below `before`, looking at no more than `scan` seqs
 * (the log has no device index: see the migration). Returns where to continue.
 */
export async function recentDeviceSignals(
  db: Executor,
  deviceId: string,
  f: { kind?: string | undefined; before: number; limit: number; scan: number },
): Promise<{ rows: Database['signal_log'][]; nextBefore: number | null }> {
  const floor = Math.max(0, f.before - f.scan);
  let q = db
    .selectFrom('signal_log')
    .selectAll()
    .where('seq', '<', f.before)
    .where('seq', '>=', floor)
    .where('device_id', '=', deviceId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
  for (const r of rows) r.seq = Number(r.seq);
  const last = rows[rows.length - 1];
  const nextBefore = rows.length === f.limit && last ? last.seq : floor > 0 ? floor : null;
  return { rows, nextBefore };
}
