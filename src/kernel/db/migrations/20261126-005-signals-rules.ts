import { type Kysely, SqliteAdapter, sql } from 'kysely';

/** The signal log (src/signals/tables.ts), rules, their window state and alarms (src/rules/tables.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  // On SQLite only `integer primary key` is the rowid itself; `bigint` would add a second index
  // to every insert. PostgreSQL needs 64 bits.
  const seqType = db.getExecutor().adapter instanceof SqliteAdapter ? 'integer' : 'bigint';
  await db.schema
    .createTable('signal_log')
    .addColumn('seq', seqType, (c) => c.primaryKey())
    .addColumn('idem_key', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('telemetry', 'attributes')`))
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  // The idempotency guarantee: a repeated message is stored once, whatever node received it. The
  // log has no other index: one on the device would touch a page per device in every commit and
  // cut the ingest rate by half or more (bench/ingest.ts); readers scan recent seqs instead.
  await db.schema.createIndex('signal_log_idem').on('signal_log').column('idem_key').unique().execute();
  await db.schema
    .createTable('signal_log_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into signal_log_head (id, seq) values (1, 0)`.execute(db);

  await db.schema
    .createTable('rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('place_paths', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rule_versions')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_versions_pk', ['rule_id', 'version'])
    .execute();
  await db.schema
    .createTable('rule_state')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rule_state_pk', ['rule_id', 'device_id'])
    .execute();
  await db.schema.createIndex('rule_state_device').on('rule_state').column('device_id').execute();

  await db.schema
    .createTable('alarms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('device_code', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('place_id', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text')
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('critical', 'major', 'minor', 'warning')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'acknowledged', 'cleared')`))
    .addColumn('open_key', 'text')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addColumn('detection', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledged_by', 'text')
    .addColumn('cleared_at', 'text')
    .addColumn('cleared_by', 'text')
    .addColumn('clear_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // An open alarm has its key, a cleared one none: the schema itself keeps one open alarm per key.
    .addCheckConstraint('alarms_open_key_status', sql`(status = 'cleared') = (open_key is null)`)
    .execute();
  await db.schema.createIndex('alarms_open_key').on('alarms').column('open_key').unique().execute();
  await db.schema.createIndex('alarms_path').on('alarms').columns(['path', 'status']).execute();
  await db.schema.createIndex('alarms_device').on('alarms').column('device_id').execute();
  await db.schema.createIndex('alarms_first_at').on('alarms').column('first_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['alarms', 'rule_state', 'rule_versions', 'rules', 'signal_log_head', 'signal_log'])
    await db.schema.dropTable(t).execute();
}
