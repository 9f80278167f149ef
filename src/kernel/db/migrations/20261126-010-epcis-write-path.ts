import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * EPCIS capture's write path (docs/decisions/004-epcis-capture-write-path.md):
 * 1. The capture queue: an accepted document kept as it came, one row, until the capture worker
 *    has turned it into events (src/trace/epcis/tables.ts); queue order from row 2 of `epcis_sequence`.
 * 2. A leaner event store for the same queries (src/trace/tables.ts):
 *    - `event_id` is unique where it is not the event hash: an event captured without an eventID
 *      is found by its hash, and `event_hash` is unique already (one random-order index less);
 *    - no index on the raw `biz_location` (queries use `biz_location_key`, whose index also finds
 *      the rows without a key) nor on `scope_path` (a prefix LIKE cannot use it on either engine);
 *    - `transformation_id` and `owner_id` indexed only where set (most events have neither; an
 *      equality or IN condition implies the value is set, so queries still use them);
 *    - identifiers and facets no longer declare a foreign key to their event: capture writes them in
 *      the transaction that writes the event, and the check cost a lookup per row;
 *    - on SQLite `seq` becomes the rowid (`integer primary key`) instead of a second index. SQLite
 *      cannot change a key or drop a foreign key in place: the three tables are rebuilt (rows copied).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('epcis_capture_queue')
    .addColumn('seq', sqlite ? 'integer' : 'bigint', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().unique())
    .addColumn('syntax', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into epcis_sequence (id, seq) values (2, 0)`.execute(db);

  if (sqlite) {
    await rebuildSqlite(db, 'lean');
  } else {
    await sql`alter table epcis_event_ids drop constraint epcis_event_ids_event_seq_fkey`.execute(db);
    await sql`alter table epcis_event_facets drop constraint epcis_event_facets_event_seq_fkey`.execute(db);
    await sql`alter table epcis_events drop constraint epcis_events_event_id_key`.execute(db);
    for (const index of ['epcis_events_biz_location', 'epcis_events_scope', ...PARTIAL.map(([name]) => name)])
      await db.schema.dropIndex(index).execute();
  }
  for (const [name, column] of PARTIAL)
    await sql`create index ${sql.ref(name)} on epcis_events (${sql.ref(column)}) where ${sql.ref(column)} is not null`.execute(
      db,
    );
  await sql`create unique index epcis_events_event_id on epcis_events (event_id) where event_id <> event_hash`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.dropIndex('epcis_events_event_id').execute();
  if (sqlite) {
    await rebuildSqlite(db, 'original');
  } else {
    await sql`alter table epcis_events add constraint epcis_events_event_id_key unique (event_id)`.execute(db);
    await sql`alter table epcis_event_ids add constraint epcis_event_ids_event_seq_fkey
      foreign key (event_seq) references epcis_events (seq)`.execute(db);
    await sql`alter table epcis_event_facets add constraint epcis_event_facets_event_seq_fkey
      foreign key (event_seq) references epcis_events (seq)`.execute(db);
    await db.schema.createIndex('epcis_events_biz_location').on('epcis_events').column('biz_location').execute();
    await db.schema.createIndex('epcis_events_scope').on('epcis_events').column('scope_path').execute();
    for (const [name, column] of PARTIAL) {
      await db.schema.dropIndex(name).execute();
      await db.schema.createIndex(name).on('epcis_events').column(column).execute();
    }
  }
  await sql`delete from epcis_sequence where id = 2`.execute(db);
  await db.schema.dropTable('epcis_capture_queue').execute();
}

/** Indexes kept only for rows where the column is set. */
const PARTIAL = [
  ['epcis_events_transformation', 'transformation_id'],
  ['epcis_events_owner', 'owner_id'],
] as const;

const TEXT_COLUMNS = [
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
const REQUIRED: ReadonlySet<string> = new Set([
  'event_type',
  'event_time',
  'event_time_zone_offset',
  'record_time',
  'document',
  'capture_id',
  'captured_by',
]);

/**
 * Rebuilds the event store on SQLite, rows included: `lean` (this migration) or `original`
 * (migrations 003 and 004). The old children are dropped before their parent, so no foreign key
 * fires; a new child refers to `epcis_events_next`, which SQLite renames along with the table.
 */
async function rebuildSqlite(db: Kysely<unknown>, shape: 'lean' | 'original'): Promise<void> {
  const lean = shape === 'lean';
  let events = db.schema
    .createTable('epcis_events_next')
    .addColumn('seq', lean ? 'integer' : 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => (lean ? c.notNull() : c.notNull().unique()))
    .addColumn('event_hash', 'text', (c) => c.notNull().unique());
  for (const column of TEXT_COLUMNS)
    events = events.addColumn(column, 'text', (c) => (REQUIRED.has(column) ? c.notNull() : c));
  await events.execute();
  const eventColumns = sql.join(['seq', 'event_id', 'event_hash', ...TEXT_COLUMNS].map((c) => sql.ref(c)));
  await sql`insert into epcis_events_next (${eventColumns}) select ${eventColumns} from epcis_events`.execute(db);

  await db.schema
    .createTable('epcis_event_ids_next')
    .addColumn('event_seq', 'bigint', (c) => (lean ? c.notNull() : c.notNull().references('epcis_events_next.seq')))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('quantity', 'double precision')
    .addColumn('uom', 'text')
    .execute();
  await sql`insert into epcis_event_ids_next (event_seq, identifier, role, quantity, uom)
    select event_seq, identifier, role, quantity, uom from epcis_event_ids`.execute(db);
  await db.schema
    .createTable('epcis_event_facets_next')
    .addColumn('event_seq', 'bigint', (c) => (lean ? c.notNull() : c.notNull().references('epcis_events_next.seq')))
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('text_value', 'text')
    .addColumn('num_value', 'double precision')
    .execute();
  await sql`insert into epcis_event_facets_next (event_seq, facet, text_value, num_value)
    select event_seq, facet, text_value, num_value from epcis_event_facets`.execute(db);

  for (const table of ['epcis_event_facets', 'epcis_event_ids', 'epcis_events']) {
    await db.schema.dropTable(table).execute();
    await db.schema.alterTable(`${table}_next`).renameTo(table).execute();
  }

  const index = (name: string, table: string, columns: string[]) =>
    db.schema.createIndex(name).on(table).columns(columns).execute();
  await index('epcis_events_time', 'epcis_events', ['event_time']);
  await index('epcis_events_record', 'epcis_events', ['record_time']);
  await index('epcis_events_biz_location_key', 'epcis_events', ['biz_location_key']);
  await index('epcis_events_read_point_key', 'epcis_events', ['read_point_key']);
  await index('epcis_events_captured_by', 'epcis_events', ['captured_by']);
  await index('epcis_events_type', 'epcis_events', ['event_type', 'seq']);
  if (!lean) {
    await index('epcis_events_biz_location', 'epcis_events', ['biz_location']);
    await index('epcis_events_scope', 'epcis_events', ['scope_path']);
    for (const [name, column] of PARTIAL) await index(name, 'epcis_events', [column]);
  }
  await index('epcis_event_ids_identifier', 'epcis_event_ids', ['identifier', 'event_seq']);
  await index('epcis_event_ids_event', 'epcis_event_ids', ['event_seq']);
  await index('epcis_event_facets_text', 'epcis_event_facets', ['facet', 'text_value']);
  await index('epcis_event_facets_num', 'epcis_event_facets', ['facet', 'num_value']);
  await index('epcis_event_facets_event', 'epcis_event_facets', ['event_seq']);
}
