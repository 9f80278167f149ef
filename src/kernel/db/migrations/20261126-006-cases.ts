import { type Kysely, sql } from 'kysely';

/**
 * The case engine (cases, timeline, joined alarms, escalation timers, departments, duty rosters,
 * imported holiday years) and push (webhook subscriptions and deliveries). See src/cases/tables.ts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('department_members')
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('department_members_pk', ['department_id', 'user_id'])
    .execute();
  await db.schema.createIndex('department_members_user').on('department_members').column('user_id').execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('event_class', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('place_id', 'text', (c) => c.notNull().references('places.id'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text')
    .addColumn('lng', 'double precision')
    .addColumn('lat', 'double precision')
    .addColumn('address', 'text')
    .addColumn('reporter_id', 'text')
    .addColumn('reporter_name', 'text')
    .addColumn('reporter_phone', 'text')
    .addColumn('department_id', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('first_responsible_id', 'text')
    .addColumn('handler_id', 'text')
    .addColumn('verifier_id', 'text')
    .addColumn('dispatch_auto', 'integer')
    .addColumn('dispatch_accurate', 'integer')
    .addColumn('received_at', 'text')
    .addColumn('accept_by', 'text')
    .addColumn('handle_by', 'text')
    .addColumn('registered_at', 'text')
    .addColumn('dispatched_at', 'text')
    .addColumn('accepted_at', 'text')
    .addColumn('handled_at', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('evaluated_at', 'text')
    .addColumn('voided_at', 'text')
    .addColumn('extension_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extension_until', 'text')
    .addColumn('extension_reason', 'text')
    .addColumn('extension_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rework_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('satisfaction', 'text')
    .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reminder_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alarm_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addCheckConstraint(
      'cases_state',
      sql`state in ('reported','registered','dispatched','accepted','handled','verified','closed','evaluated','returned','voided')`,
    )
    .execute();
  for (const [name, columns] of [
    ['cases_path', ['path']],
    ['cases_grid', ['grid_id']],
    ['cases_assignee', ['assignee_id']],
    ['cases_place_category', ['place_id', 'category', 'state']],
    ['cases_handle_by', ['handle_by']],
    ['cases_created', ['created_at']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('cases')
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable('case_timeline')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('note', 'text')
    .addColumn('photos', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addUniqueConstraint('case_timeline_case_seq', ['case_id', 'seq'])
    .execute();

  await db.schema
    .createTable('case_alarms')
    .addColumn('alarm_id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addColumn('cleared_at', 'text')
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_alarms_case').on('case_alarms').column('case_id').execute();

  await db.schema
    .createTable('case_timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_timers_due').on('case_timers').columns(['done_at', 'due_at']).execute();
  await db.schema.createIndex('case_timers_case').on('case_timers').column('case_id').execute();

  await db.schema
    .createTable('case_code_seq')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('duty_shifts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('grid_id', 'text', (c) => c.notNull().references('grids.id'))
    .addColumn('date', 'text')
    .addColumn('weekdays', 'text')
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('duty_shifts_grid').on('duty_shifts').column('grid_id').execute();

  await db.schema
    .createTable('calendar_years')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('scope_path', 'text')
    .addColumn('scope_grid_id', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('webhook_subscriptions.id'))
    .addColumn('event_seq', 'bigint', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addUniqueConstraint('webhook_deliveries_once', ['subscription_id', 'event_seq'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'next_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'webhook_deliveries',
    'webhook_subscriptions',
    'calendar_years',
    'duty_shifts',
    'case_code_seq',
    'case_timers',
    'case_alarms',
    'case_timeline',
    'cases',
    'department_members',
    'departments',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
