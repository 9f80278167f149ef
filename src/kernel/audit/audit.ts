import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/tables.ts';
import { type AuditRecord, type ChainVerdict, ChainVerifier, canonicalJson, recordHash } from './chain.ts';

/** What a state change writes to the audit log. */
export type AuditEntry = {
  /** Who did it: `user:<username>`, `cli`, `system`, `device:<code>`. */
  actor: string;
  /** What was done, `module.verb` (`place.create`, `user.login`). */
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
};

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Appends one record to the hash chain. Call it inside the transaction of the change it
 * describes: the change and its record commit together or not at all. The head row is updated
 * first, which serialises concurrent writers on PostgreSQL (row lock) as SQLite does anyway.
 */
export async function appendAudit(trx: Executor, clock: Clock, entry: AuditEntry): Promise<number> {
  const head = await trx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  const record = {
    seq: Number(head.seq),
    at: clock.now().toISOString(),
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    before: entry.before === undefined ? null : canonicalJson(entry.before),
    after: entry.after === undefined ? null : canonicalJson(entry.after),
    prevHash: head.hash,
  };
  const hash = recordHash(record);
  await trx
    .insertInto('audit_log')
    .values({
      seq: record.seq,
      at: record.at,
      actor: record.actor,
      action: record.action,
      subject_type: record.subjectType,
      subject_id: record.subjectId,
      before: record.before,
      after: record.after,
      prev_hash: record.prevHash,
      hash,
    })
    .execute();
  await trx.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
  return record.seq;
}

/** Reads the audit records about one subject, oldest first. */
export async function auditTrail(db: Executor, subjectType: string, subjectId: string): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('seq')
    .execute();
  return rows.map(toRecord);
}

/** Reads the audit log newest first, paged. */
export async function auditPage(db: Executor, options: { limit: number; beforeSeq?: number | undefined }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(options.limit);
  if (options.beforeSeq !== undefined) q = q.where('seq', '<', options.beforeSeq);
  return (await q.execute()).map(toRecord);
}

/** Recomputes the whole chain, a page at a time, and compares it with the stored head. */
export async function verifyAuditLog(db: Kysely<Database>): Promise<ChainVerdict> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(5000)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const broken = verifier.push(toRecord(row));
      if (broken) return broken;
    }
    after = Number(rows[rows.length - 1]?.seq);
  }
  return verifier.finish({ seq: Number(head.seq), hash: head.hash });
}

function toRecord(row: Database['audit_log']): AuditRecord {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    before: row.before,
    after: row.after,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
