import { type Kysely, sql } from 'kysely';

/**
 * Open311 GeoReport v2 (src/open311): API keys per app (hashed), what reporters sent besides the
 * case (personal details, answers, tokens), and the public read model of residents' cases with
 * their status updates. See src/open311/tables.ts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('open311_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('rate_limit', 'integer', (c) => c.notNull().check(sqlPositive('rate_limit')))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('open311_reports')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('key_id', 'text', (c) => c.notNull().references('open311_keys.id'))
    .addColumn('token', 'text', (c) => c.unique())
    .addColumn('jurisdiction_id', 'text')
    .addColumn('email', 'text')
    .addColumn('device_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('phone', 'text')
    .addColumn('address_string', 'text')
    .addColumn('address_id', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('open311_reports_key').on('open311_reports').column('key_id').execute();

  await db.schema
    .createTable('open311_requests')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('request_id', 'text', (c) => c.notNull().unique())
    .addColumn('service_code', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('status_notes', 'text')
    .addColumn('agency_responsible', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('address_id', 'text')
    .addColumn('lat', 'double precision')
    .addColumn('lng', 'double precision')
    .addColumn('media_url', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expected_at', 'text')
    .addColumn('event_seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('open311_requests_requested').on('open311_requests').column('requested_at').execute();

  await db.schema
    .createTable('open311_updates')
    .addColumn('update_id', 'bigint', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('void_kind', 'text')
    .addColumn('description', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('open311_updates_at')
    .on('open311_updates')
    .columns(['updated_at', 'update_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['open311_updates', 'open311_requests', 'open311_reports', 'open311_keys'])
    await db.schema.dropTable(t).execute();
}

function sqlPositive(column: string) {
  return sql`${sql.ref(column)} > 0`;
}
