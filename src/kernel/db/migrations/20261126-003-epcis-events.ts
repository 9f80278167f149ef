import type { Kysely } from 'kysely';

/** The EPCIS event store and its identifier index (see src/trace/tables.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('epcis_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('event_hash', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('event_time_zone_offset', 'text', (c) => c.notNull())
    .addColumn('record_time', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('biz_step', 'text')
    .addColumn('disposition', 'text')
    .addColumn('read_point', 'text')
    .addColumn('biz_location', 'text')
    .addColumn('transformation_id', 'text')
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('capture_id', 'text', (c) => c.notNull())
    .addColumn('captured_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('epcis_events_time').on('epcis_events').column('event_time').execute();
  await db.schema.createIndex('epcis_events_record').on('epcis_events').column('record_time').execute();
  await db.schema.createIndex('epcis_events_biz_location').on('epcis_events').column('biz_location').execute();
  await db.schema.createIndex('epcis_events_transformation').on('epcis_events').column('transformation_id').execute();
  await db.schema
    .createTable('epcis_event_ids')
    .addColumn('event_seq', 'bigint', (c) => c.notNull().references('epcis_events.seq'))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('quantity', 'double precision')
    .addColumn('uom', 'text')
    .execute();
  await db.schema
    .createIndex('epcis_event_ids_identifier')
    .on('epcis_event_ids')
    .columns(['identifier', 'event_seq'])
    .execute();
  await db.schema.createIndex('epcis_event_ids_event').on('epcis_event_ids').column('event_seq').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('epcis_event_ids').execute();
  await db.schema.dropTable('epcis_events').execute();
}
