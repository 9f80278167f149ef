/**
 * SQL of the EPCIS capture side beside its write path (capture-store.ts): the record-order head,
 * capture jobs, an event's document and facets when an error declaration is added to it, and
 * master data.
 */
import { SqliteAdapter, sql } from 'kysely';
import type { Database } from '../../kernel/db/tables.ts';
import type { Executor } from '../../kernel/db/unit-of-work.ts';

/** Rows of the tables this store writes. */
export type EventRow = Database['epcis_events'];
export type FacetRow = Database['epcis_event_facets'];
export type JobRow = Database['epcis_capture_jobs'];
export type MasterDataRow = Database['epcis_master_data'];

/** Rows per bulk INSERT statement. */
const BULK_BATCH = 5000;
/** Values per `IN (…)` list. */
const IN_BATCH = 500;

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Locks the record-order head for the rest of the transaction (PostgreSQL row lock; SQLite has a
 * single writer anyway), so concurrent captures of the same event see each other's rows.
 */
export async function lockSequence(db: Executor): Promise<void> {
  await db.updateTable('epcis_sequence').set({ seq: sql`seq` }).where('id', '=', 1).execute();
}

/**
 * Reserves `n` record-order numbers and returns the first. Events written without going through
 * here (a bulk loader) are respected: numbering continues after the highest stored `seq`.
 */
export async function reserveSeqs(db: Executor, n: number): Promise<number> {
  const head = await db
    .updateTable('epcis_sequence')
    .set((eb) => ({ seq: eb('seq', '+', n) }))
    .where('id', '=', 1)
    .returning('seq')
    .executeTakeFirstOrThrow();
  const reservedEnd = Number(head.seq);
  const top = await db
    .selectFrom('epcis_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  const stored = Number(top?.seq ?? 0);
  if (stored <= reservedEnd - n) return reservedEnd - n + 1;
  await db
    .updateTable('epcis_sequence')
    .set({ seq: stored + n })
    .where('id', '=', 1)
    .execute();
  return stored + 1;
}

/** A stored event as capture needs it to recognise duplicates and error declarations. */
export type StoredEvent = Pick<EventRow, 'seq' | 'event_id' | 'event_hash' | 'document'>;

/** A column of a bulk insert and its PostgreSQL type (for `unnest`). */
type BulkColumn<R> = { name: keyof R & string; pg: 'bigint' | 'text' | 'double precision' };

/**
 * Inserts many rows with one short statement per batch, so the database parses a few bytes of
 * SQL rather than thousands of placeholders: SQLite reads the batch from one JSON parameter
 * (`json_each`), PostgreSQL from one array per column (`unnest`). As fast as prepared statements
 * row by row (bench/epcis-capture), and 2–3× faster than multi-row VALUES.
 */
async function bulkInsert<R extends object>(db: Executor, table: string, columns: BulkColumn<R>[], rows: readonly R[]) {
  if (rows.length === 0) return;
  const names = sql.join(columns.map((c) => sql.ref(c.name)));
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    const picks = sql.join(columns.map((_, i) => sql`json_extract(value, ${`$[${i}]`})`));
    for (const part of chunks(rows, BULK_BATCH)) {
      const json = JSON.stringify(part.map((r) => columns.map((c) => (r as Record<string, unknown>)[c.name] ?? null)));
      await sql`insert into ${sql.table(table)} (${names}) select ${picks} from json_each(${json})`.execute(db);
    }
    return;
  }
  const arrays = sql.join(columns.map((c, i) => sql`${sql.raw(`$${i + 1}`)}::${sql.raw(c.pg)}[]`));
  for (const part of chunks(rows, BULK_BATCH)) {
    const values = columns.map((c) => part.map((r) => (r as Record<string, unknown>)[c.name] ?? null));
    const query = sql`insert into ${sql.table(table)} (${names}) select * from unnest(${arrays})`.compile(db);
    await db.executeQuery({ ...query, parameters: values });
  }
}

/** The columns capture writes to `epcis_events`, in order (the bench fixture's bulk writer uses them too). */
export const EPCIS_EVENT_COLUMNS = [
  'seq',
  'event_id',
  'event_hash',
  'event_type',
  'event_time',
  'event_time_zone_offset',
  'record_time',
  'action',
  'biz_step',
  'disposition',
  'read_point',
  'biz_location',
  'transformation_id',
  'document',
  'capture_id',
  'captured_by',
  'context',
  'scope_path',
  'owner_id',
  'read_point_key',
  'biz_location_key',
] as const;

/** Writes query facets (bulk). */
export async function insertFacets(db: Executor, rows: readonly FacetRow[]): Promise<void> {
  await bulkInsert(
    db,
    'epcis_event_facets',
    [
      { name: 'event_seq', pg: 'bigint' },
      { name: 'facet', pg: 'text' },
      { name: 'text_value', pg: 'text' },
      { name: 'num_value', pg: 'double precision' },
    ],
    rows,
  );
}

/** Replaces a stored event's JSON-LD (an error declaration added to it) and its facets. */
export async function replaceEventDocument(
  db: Executor,
  seq: number,
  document: string,
  facets: readonly FacetRow[],
): Promise<void> {
  await db.updateTable('epcis_events').set({ document }).where('seq', '=', seq).execute();
  await db.deleteFrom('epcis_event_facets').where('event_seq', '=', seq).execute();
  await insertFacets(db, facets);
}

/** Records a capture job. */
export async function insertJob(db: Executor, row: JobRow): Promise<void> {
  await db.insertInto('epcis_capture_jobs').values(row).execute();
}

/** A capture job by id. */
export async function findJob(db: Executor, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('epcis_capture_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Capture jobs, newest first, after a keyset position; `createdBy` narrows to one user's. */
export async function listJobs(
  db: Executor,
  f: { createdBy?: string | undefined; before?: { at: string; id: string } | undefined; limit: number },
): Promise<JobRow[]> {
  let q = db.selectFrom('epcis_capture_jobs').selectAll();
  if (f.createdBy) q = q.where('created_by', '=', f.createdBy);
  const before = f.before;
  if (before)
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]),
    );
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

/** Master data elements with the given (normalised) ids in the given vocabularies. */
export async function masterDataByIds(
  db: Executor,
  vocabularies: readonly string[],
  ids: readonly string[],
): Promise<MasterDataRow[]> {
  const out: MasterDataRow[] = [];
  for (const part of chunks([...new Set(ids)], IN_BATCH)) {
    if (part.length === 0) continue;
    out.push(
      ...(await db
        .selectFrom('epcis_master_data')
        .selectAll()
        .where('vocabulary', 'in', [...vocabularies])
        .where('id', 'in', part)
        .execute()),
    );
  }
  return out;
}

/** One master data element by vocabulary and normalised id. */
export async function findMasterData(db: Executor, vocabulary: string, id: string): Promise<MasterDataRow | undefined> {
  return db
    .selectFrom('epcis_master_data')
    .selectAll()
    .where('vocabulary', '=', vocabulary)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Creates a master data element or replaces its description and links. */
export async function upsertMasterData(db: Executor, row: MasterDataRow): Promise<void> {
  await db
    .insertInto('epcis_master_data')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['vocabulary', 'id']).doUpdateSet({
        uri: row.uri,
        name: row.name,
        attributes: row.attributes,
        children: row.children,
        place_id: row.place_id,
        place_path: row.place_path,
        owner_id: row.owner_id,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** Master data of one vocabulary, paged by id; `ownerId` narrows to one enterprise's elements. */
export async function listMasterData(
  db: Executor,
  f: {
    vocabulary: string;
    ownerId?: string | undefined;
    scopePath?: string | null | undefined;
    after?: string;
    limit: number;
  },
): Promise<MasterDataRow[]> {
  let q = db.selectFrom('epcis_master_data').selectAll().where('vocabulary', '=', f.vocabulary);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.scopePath) q = q.where('place_path', 'like', `${f.scopePath}%`);
  if (f.after !== undefined) q = q.where('id', '>', f.after);
  return q.orderBy('id').limit(f.limit).execute();
}

/** Every element of the vocabularies with children, to walk the location hierarchy (WD_ parameters). */
export async function hierarchy(
  db: Executor,
  vocabularies: readonly string[],
): Promise<Pick<MasterDataRow, 'id' | 'uri' | 'children'>[]> {
  return db
    .selectFrom('epcis_master_data')
    .select(['id', 'uri', 'children'])
    .where('vocabulary', 'in', [...vocabularies])
    .where('children', '<>', '[]')
    .execute();
}
