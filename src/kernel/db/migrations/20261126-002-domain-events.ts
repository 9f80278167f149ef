import { type Kysely, sql } from 'kysely';

/** The outbox of domain events and each event processor's position in it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('domain_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('domain_events_type').on('domain_events').columns(['type', 'seq']).execute();
  await db.schema
    .createTable('domain_event_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into domain_event_head (id, seq) values (1, 0)`.execute(db);
  await db.schema
    .createTable('processor_positions')
    .addColumn('processor', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['processor_positions', 'domain_event_head', 'domain_events']) await db.schema.dropTable(t).execute();
}
