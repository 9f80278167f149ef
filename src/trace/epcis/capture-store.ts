/**
 * SQL of capture's write path (docs/decisions/004): the queue of accepted documents, the end of a
 * capture job, lookups of stored events by hash or eventID, and the bulk inserts of prepared rows.
 * Rows arrive as JSON texts, a few hundred events a chunk (capture-prepare.ts): SQLite binds them
 * row by row to prepared statements on its own connection, PostgreSQL reads them itself with
 * `json_array_elements` (one statement per table and document).
 */
import type SQLite from 'better-sqlite3';
import { SqliteAdapter, sql } from 'kysely';
import type { Executor } from '../../kernel/db/unit-of-work.ts';
import type { RowChunk } from './capture-prepare.ts';
import { eventIdIn } from './query-store.ts';
import type { JobRow, StoredEvent } from './store.ts';

const onSqlite = (db: Executor): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/** `epcis_sequence` row of the queue order (row 1 is the events' record order). */
const QUEUE_HEAD = 2;

/** An accepted document waiting for the capture worker. */
export type QueuedJob = { seq: number; job_id: string };

/**
 * Queues an accepted document behind the others. Taking the next queue position updates the head
 * row first, which serialises acceptors on PostgreSQL (row lock) as SQLite does anyway.
 */
export async function enqueue(db: Executor, jobId: string, syntax: string, body: string): Promise<number> {
  const head = await db
    .updateTable('epcis_sequence')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', QUEUE_HEAD)
    .returning('seq')
    .executeTakeFirstOrThrow();
  const seq = Number(head.seq);
  await db.insertInto('epcis_capture_queue').values({ seq, job_id: jobId, syntax, body }).execute();
  return seq;
}

/** The oldest queued documents (without their bodies). */
export async function queuedJobs(db: Executor, limit: number): Promise<QueuedJob[]> {
  const rows = await db
    .selectFrom('epcis_capture_queue')
    .select(['seq', 'job_id'])
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), job_id: r.job_id }));
}

/** A queued document's body. */
export async function queuedBody(db: Executor, seq: number): Promise<{ syntax: string; body: string } | undefined> {
  return db.selectFrom('epcis_capture_queue').select(['syntax', 'body']).where('seq', '=', seq).executeTakeFirst();
}

/**
 * Takes a queued document off the queue, in the transaction that runs its job: false when it was
 * gone (another node ran it; on PostgreSQL the second delete waits for the first to commit).
 */
export async function dequeue(db: Executor, seq: number): Promise<boolean> {
  const result = await db.deleteFrom('epcis_capture_queue').where('seq', '=', seq).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Records how a job ended. */
export async function finishJob(db: Executor, row: JobRow): Promise<void> {
  const { id, ...rest } = row;
  await db.updateTable('epcis_capture_jobs').set(rest).where('id', '=', id).execute();
}

/** Stored events with any of these CBV 2.0 event hashes (a JSON array): one statement, the list one parameter. */
export async function eventsByHash(db: Executor, hashes: string): Promise<StoredEvent[]> {
  if (hashes === '[]') return [];
  const rows = await db
    .selectFrom('epcis_events')
    .select(['seq', 'event_id', 'event_hash', 'document'])
    .where(
      onSqlite(db)
        ? sql<boolean>`event_hash in (select value from json_each(${hashes}))`
        : sql<boolean>`event_hash = any(${JSON.parse(hashes) as string[]}::text[])`,
    )
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Stored events with any of these eventIDs (the explicit ones of a document: usually few). */
export async function eventsById(db: Executor, ids: readonly string[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  if (ids.length === 0) return out;
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('epcis_events')
      .select(['seq', 'event_id', 'event_hash', 'document'])
      .where((eb) => eventIdIn(eb, ids.slice(i, i + 500)))
      .execute();
    out.push(...rows.map((r) => ({ ...r, seq: Number(r.seq) })));
  }
  return out;
}

/** What every event row of one job shares. */
export type EventRowsContext = {
  first: number;
  recordTime: string;
  captureId: string;
  capturedBy: string;
  context: string | null;
  /** `[scope_path, owner_id]` by place (capture-prepare's `places`). */
  places: readonly (readonly [string | null, string | null])[];
};

/**
 * Which candidates are written, and the record order each gets: all of them (`first + k`), or
 * some (the i-th kept one gets `first + i`).
 */
export type Kept = 'all' | ReadonlyMap<number, number>;

/** Writes prepared rows (capture-prepare's chunks) of the kept candidates. */
export type RowWriter = (chunks: readonly RowChunk[], kept: Kept, c: EventRowsContext) => Promise<void>;

const EVENT_COLUMNS = `seq, event_id, event_hash, event_type, event_time, event_time_zone_offset, record_time, action,
  biz_step, disposition, read_point, biz_location, transformation_id, document, capture_id, captured_by, context,
  scope_path, owner_id, read_point_key, biz_location_key`;

/**
 * The row writer of a transaction: on SQLite one prepared statement per row on the connection
 * itself (`sqlite`, the transaction's own connection; binding beats both multi-row VALUES and
 * `json_each`, bench/epcis-capture.ts), chunk after chunk, the event loop getting a turn between
 * two; on PostgreSQL one statement per table reading a JSON text.
 */
export function rowWriter(tx: Executor, sqlite: SQLite.Database | undefined): RowWriter {
  if (onSqlite(tx)) {
    if (!sqlite) throw new Error('capture on SQLite needs the connection (sqliteOf)');
    return sqliteRowWriter(sqlite);
  }
  return postgresRowWriter(tx);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const offsetOf = (kept: Kept, k: number): number | undefined => (kept === 'all' ? k : kept.get(k));

function sqliteRowWriter(sqlite: SQLite.Database): RowWriter {
  return async (chunks, kept, c) => {
    const event = sqlite.prepare(
      `insert into epcis_events (${EVENT_COLUMNS}) values (${Array(21).fill('?').join(', ')})`,
    );
    const identifier = sqlite.prepare(
      'insert into epcis_event_ids (event_seq, identifier, role, quantity, uom) values (?, ?, ?, ?, ?)',
    );
    const facet = sqlite.prepare(
      'insert into epcis_event_facets (event_seq, facet, text_value, num_value) values (?, ?, ?, ?)',
    );
    for (const chunk of chunks) {
      const documents = chunk.documents.split('\n');
      (JSON.parse(chunk.events) as unknown[][]).forEach((r, i) => {
        const at = offsetOf(kept, r[0] as number);
        if (at === undefined) return;
        const [scope, owner] = c.places[r[14] as number] ?? [null, null];
        const [, id, hash, type, time, tz, action, step, disposition, read, biz, transformation, readKey, bizKey] = r;
        event.run(
          c.first + at,
          id,
          hash,
          type,
          time,
          tz,
          c.recordTime,
          action,
          step,
          disposition,
          read,
          biz,
          transformation,
          documents[i],
          c.captureId,
          c.capturedBy,
          c.context,
          scope,
          owner,
          readKey,
          bizKey,
        );
      });
      for (const r of JSON.parse(chunk.ids) as unknown[][]) {
        const at = offsetOf(kept, r[0] as number);
        if (at !== undefined) identifier.run(c.first + at, r[1], r[2], r[3], r[4]);
      }
      for (const r of JSON.parse(chunk.facets) as unknown[][]) {
        const at = offsetOf(kept, r[0] as number);
        if (at !== undefined) facet.run(c.first + at, r[1], r[2], r[3]);
      }
      await nextTurn(); // the next request's body is read meanwhile
    }
  };
}

function postgresRowWriter(tx: Executor): RowWriter {
  return async (chunks, kept, c) => {
    const events: unknown[][] = [];
    const documents: string[] = [];
    const ids: unknown[][] = [];
    const facets: unknown[][] = [];
    const renumbered = (rows: unknown[][], into: unknown[][]) => {
      for (const r of rows) {
        const at = offsetOf(kept, r[0] as number);
        if (at !== undefined) into.push([at, ...r.slice(1)]);
      }
    };
    for (const chunk of chunks) {
      const lines = chunk.documents.split('\n');
      (JSON.parse(chunk.events) as unknown[][]).forEach((r, i) => {
        const at = offsetOf(kept, r[0] as number);
        if (at === undefined) return;
        events.push([at, ...r.slice(1)]);
        documents.push(lines[i]!);
      });
      renumbered(JSON.parse(chunk.ids), ids);
      renumbered(JSON.parse(chunk.facets), facets);
    }
    await sql`with p as (select (n - 1)::int as i, e ->> 0 as scope, e ->> 1 as owner
        from json_array_elements(${JSON.stringify(c.places)}::json) with ordinality as t(e, n)),
      d as (select (n - 1)::int as i, doc from unnest(${documents}::text[]) with ordinality as t(doc, n))
      insert into epcis_events (${sql.raw(EVENT_COLUMNS)})
      select ${c.first}::bigint + (v ->> 0)::bigint, v ->> 1, v ->> 2, v ->> 3, v ->> 4, v ->> 5,
        ${c.recordTime}::text, v ->> 6, v ->> 7, v ->> 8, v ->> 9, v ->> 10, v ->> 11,
        d.doc, ${c.captureId}::text, ${c.capturedBy}::text, ${c.context}::text, p.scope, p.owner, v ->> 12, v ->> 13
      from json_array_elements(${JSON.stringify(events)}::json) with ordinality as r(v, n)
        join d on d.i = (r.n - 1)::int
        left join p on p.i = (v ->> 14)::int`.execute(tx);
    await sql`insert into epcis_event_ids (event_seq, identifier, role, quantity, uom)
      select ${c.first}::bigint + (v ->> 0)::bigint, v ->> 1, v ->> 2, (v ->> 3)::double precision, v ->> 4
      from json_array_elements(${JSON.stringify(ids)}::json) as r(v)`.execute(tx);
    await sql`insert into epcis_event_facets (event_seq, facet, text_value, num_value)
      select ${c.first}::bigint + (v ->> 0)::bigint, v ->> 1, v ->> 2, (v ->> 3)::double precision
      from json_array_elements(${JSON.stringify(facets)}::json) as r(v)`.execute(tx);
  };
}
