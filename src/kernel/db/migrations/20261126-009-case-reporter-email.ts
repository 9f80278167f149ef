import type { Kysely } from 'kysely';

/**
 * A reporter's optional e-mail on a case, beside the name and phone they may give (the resident
 * portal, Open311 `email`); personal data, masked by the case presenters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('reporter_email', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cases').dropColumn('reporter_email').execute();
}
