import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './connection.ts';
import * as foundation from './migrations/20261126-001-foundation.ts';
import * as domainEvents from './migrations/20261126-002-domain-events.ts';
import * as epcisEvents from './migrations/20261126-003-epcis-events.ts';
import * as epcisCapture from './migrations/20261126-004-epcis-capture.ts';
import * as signalsRules from './migrations/20261126-005-signals-rules.ts';
import * as cases from './migrations/20261126-006-cases.ts';
import * as open311 from './migrations/20261126-007-open311.ts';
import * as idempotencyKeys from './migrations/20261126-008-idempotency-keys.ts';
import * as caseReporterEmail from './migrations/20261126-009-case-reporter-email.ts';
import * as epcisWritePath from './migrations/20261126-010-epcis-write-path.ts';
import * as rateLimitCounters from './migrations/20261126-011-rate-limit-counters.ts';

/** Every migration, oldest first; names sort in the order they run. */
const migrations: Record<string, Migration> = {
  '20261126-001-foundation': foundation,
  '20261126-002-domain-events': domainEvents,
  '20261126-003-epcis-events': epcisEvents,
  '20261126-004-epcis-capture': epcisCapture,
  '20261126-005-signals-rules': signalsRules,
  '20261126-006-cases': cases,
  '20261126-007-open311': open311,
  '20261126-008-idempotency-keys': idempotencyKeys,
  '20261126-009-case-reporter-email': caseReporterEmail,
  '20261126-010-epcis-write-path': epcisWritePath,
  '20261126-011-rate-limit-counters': rateLimitCounters,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the database schema up to date; returns the names of the migrations it ran. */
export async function migrateToLatest({ db, schema }: Db): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in any schema unless told which: name ours, or
  // parallel test runs (one schema each) find each other's lock table.
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
