import { type Kysely, sql } from 'kysely';

/** Columns added to `epcis_events` (see src/trace/tables.ts). */
const EVENT_COLUMNS = ['context', 'scope_path', 'owner_id', 'read_point_key', 'biz_location_key'];

/**
 * What the EPCIS 2.0 REST binding keeps beside the event store (src/trace/epcis/tables.ts):
 * capture jobs, the record-order head, master data, query facets, named queries, subscriptions
 * and their webhook deliveries; and nullable columns on `epcis_events` for scope and locations.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of EVENT_COLUMNS) await db.schema.alterTable('epcis_events').addColumn(column, 'text').execute();
  await db.schema.createIndex('epcis_events_biz_location_key').on('epcis_events').column('biz_location_key').execute();
  await db.schema.createIndex('epcis_events_read_point_key').on('epcis_events').column('read_point_key').execute();
  await db.schema.createIndex('epcis_events_scope').on('epcis_events').column('scope_path').execute();
  await db.schema.createIndex('epcis_events_owner').on('epcis_events').column('owner_id').execute();
  await db.schema.createIndex('epcis_events_captured_by').on('epcis_events').column('captured_by').execute();
  await db.schema.createIndex('epcis_events_type').on('epcis_events').columns(['event_type', 'seq']).execute();

  // One row: the last record-order number handed out. Reserving a block updates it first, which
  // serialises concurrent captures on PostgreSQL (row lock) as SQLite does anyway.
  await db.schema
    .createTable('epcis_sequence')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into epcis_sequence (id, seq) values (1, 0)`.execute(db);

  await db.schema
    .createTable('epcis_capture_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('running', 'integer', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .addColumn('error_behaviour', 'text', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('captured_count', 'integer', (c) => c.notNull())
    .addColumn('duplicate_count', 'integer', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .addColumn('first_seq', 'bigint')
    .addColumn('last_seq', 'bigint')
    .execute();
  await db.schema
    .createIndex('epcis_capture_jobs_creator')
    .on('epcis_capture_jobs')
    .columns(['created_by', 'created_at'])
    .execute();

  await db.schema
    .createTable('epcis_master_data')
    .addColumn('vocabulary', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('children', 'text', (c) => c.notNull())
    .addColumn('place_id', 'text')
    .addColumn('place_path', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('epcis_master_data_pk', ['vocabulary', 'id'])
    .execute();
  await db.schema.createIndex('epcis_master_data_id').on('epcis_master_data').column('id').execute();
  await db.schema.createIndex('epcis_master_data_owner').on('epcis_master_data').column('owner_id').execute();

  await db.schema
    .createTable('epcis_event_facets')
    .addColumn('event_seq', 'bigint', (c) => c.notNull().references('epcis_events.seq'))
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('text_value', 'text')
    .addColumn('num_value', 'double precision')
    .execute();
  await db.schema
    .createIndex('epcis_event_facets_text')
    .on('epcis_event_facets')
    .columns(['facet', 'text_value'])
    .execute();
  await db.schema
    .createIndex('epcis_event_facets_num')
    .on('epcis_event_facets')
    .columns(['facet', 'num_value'])
    .execute();
  await db.schema.createIndex('epcis_event_facets_event').on('epcis_event_facets').column('event_seq').execute();

  await db.schema
    .createTable('epcis_queries')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('epcis_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('query_name', 'text', (c) => c.notNull().references('epcis_queries.name'))
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('dest', 'text', (c) => c.notNull())
    .addColumn('signature_token', 'text')
    .addColumn('stream', 'integer', (c) => c.notNull())
    .addColumn('schedule', 'text')
    .addColumn('report_if_empty', 'integer', (c) => c.notNull())
    .addColumn('initial_record_time', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_notified_at', 'text')
    .execute();
  await db.schema.createIndex('epcis_subscriptions_query').on('epcis_subscriptions').column('query_name').execute();

  await db.schema
    .createTable('epcis_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('epcis_deliveries_pending')
    .on('epcis_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('epcis_deliveries_subscription')
    .on('epcis_deliveries')
    .columns(['subscription_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'epcis_deliveries',
    'epcis_subscriptions',
    'epcis_queries',
    'epcis_event_facets',
    'epcis_master_data',
    'epcis_capture_jobs',
    'epcis_sequence',
  ]) {
    await db.schema.dropTable(t).execute();
  }
  for (const index of [
    'epcis_events_biz_location_key',
    'epcis_events_read_point_key',
    'epcis_events_scope',
    'epcis_events_owner',
    'epcis_events_captured_by',
    'epcis_events_type',
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of EVENT_COLUMNS) await db.schema.alterTable('epcis_events').dropColumn(column).execute();
}
