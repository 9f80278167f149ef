import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './connection.ts';
import * as foundation from './migrations/20261126-001-foundation.ts';
import * as domainEvents from './migrations/20261126-002-domain-events.ts';
import * as epcisEvents from './migrations/20261126-003-epcis-events.ts';

/** Every migration, oldest first; names sort in the order they run. */
const migrations: Record<string, Migration> = {
  '20261126-001-foundation': foundation,
  '20261126-002-domain-events': domainEvents,
  '20261126-003-epcis-events': epcisEvents,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the database schema up to date; returns the names of the migrations it ran. */
export async function migrateToLatest({ db }: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
