import type { Executor, Unit } from '../db/unit-of-work.ts';

/** A domain event as stored in the outbox and handed to processors. */
export type DomainEvent<P = unknown> = {
  seq: number;
  type: string;
  subjectType: string;
  subjectId: string;
  payload: P;
  at: string;
};

/** Something that wants to hear that the outbox has new events (the processor runner, push). */
export type OutboxListener = () => void;

/**
 * Appends a domain event in the unit's transaction, so the event exists exactly when the change
 * it describes does (outbox). Sequence numbers come from a one-row head that the transaction
 * locks (PostgreSQL) or that the single writer owns (SQLite), so seq order is commit order and a
 * processor reading "after my position" never skips an event committed late.
 */
export async function emitEvent(
  unit: Unit,
  event: { type: string; subjectType: string; subjectId: string; payload: unknown },
  notify?: OutboxListener,
): Promise<number> {
  const head = await unit.tx
    .updateTable('domain_event_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning('seq')
    .executeTakeFirstOrThrow();
  const seq = Number(head.seq);
  await unit.tx
    .insertInto('domain_events')
    .values({
      seq,
      type: event.type,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      payload: JSON.stringify(event.payload),
      at: unit.clock.now().toISOString(),
    })
    .execute();
  if (notify) unit.afterCommit(notify);
  return seq;
}

/** Events after `afterSeq` of the given types, oldest first. */
export async function readEvents(
  db: Executor,
  afterSeq: number,
  types: readonly string[],
  limit: number,
): Promise<DomainEvent[]> {
  if (types.length === 0) return [];
  const rows = await db
    .selectFrom('domain_events')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('type', 'in', types)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    type: r.type,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    payload: JSON.parse(r.payload),
    at: r.at,
  }));
}

/** A processor's position (the last seq it has handled), 0 when new. */
export async function positionOf(db: Executor, processor: string): Promise<number> {
  const row = await db
    .selectFrom('processor_positions')
    .select('seq')
    .where('processor', '=', processor)
    .executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

/** Records a processor's position; call it in the transaction that wrote the processor's output. */
export async function savePosition(db: Executor, processor: string, seq: number, at: string): Promise<void> {
  await db
    .insertInto('processor_positions')
    .values({ processor, seq, updated_at: at })
    .onConflict((oc) => oc.column('processor').doUpdateSet({ seq, updated_at: at }))
    .execute();
}

/**
 * Locks a processor's position row for the rest of the transaction (creating it at 0 if new) and
 * returns the position as it stands: nothing is overwritten, so a newer position another node
 * committed is seen, not lost.
 */
export async function claimPosition(db: Executor, processor: string): Promise<number> {
  await db
    .insertInto('processor_positions')
    .values({ processor, seq: 0, updated_at: new Date(0).toISOString() })
    .onConflict((oc) => oc.column('processor').doNothing())
    .execute();
  const row = await db
    .updateTable('processor_positions')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('processor', '=', processor)
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}
