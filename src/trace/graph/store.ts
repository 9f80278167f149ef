/**
 * The trace's SQL: it only reads the EPCIS event store (`epcis_events`, `epcis_event_ids`; see
 * src/trace/tables.ts), which capture writes.
 */
import type { Executor } from '../../kernel/db/unit-of-work.ts';
import type { IdRole } from './event-fields.ts';
import type { TraceEvent } from './rules.ts';

/**
 * Which events a caller may trace through: all of them, or only those one user captured
 * (`epcis_events.captured_by`).
 */
export type Visibility = { kind: 'all' } | { kind: 'captured-by'; userId: string };

/** Identifiers per `IN (…)` list: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Every event naming any of `identifiers`, with all the identifiers each event names — one query
 * for up to 500 identifiers (a walk level), served by the `(identifier, event_seq)` and `event_seq`
 * indexes.
 */
export async function eventsNaming(
  db: Executor,
  identifiers: readonly string[],
  visibility: Visibility,
): Promise<TraceEvent[]> {
  const events = new Map<number, TraceEvent>();
  for (const chunk of chunks(identifiers)) {
    let q = db
      .selectFrom('epcis_event_ids as i')
      .innerJoin('epcis_events as e', 'e.seq', 'i.event_seq')
      .select(['e.seq', 'e.event_time', 'e.event_type', 'e.action', 'i.identifier', 'i.role', 'i.quantity', 'i.uom'])
      .where('i.event_seq', 'in', (eb) =>
        eb.selectFrom('epcis_event_ids').select('event_seq').where('identifier', 'in', chunk),
      );
    if (visibility.kind === 'captured-by') q = q.where('e.captured_by', '=', visibility.userId);
    const seen = new Set<number>();
    for (const row of await q.execute()) {
      const seq = Number(row.seq);
      let event = events.get(seq);
      if (event && !seen.has(seq)) continue; // already assembled from an earlier chunk
      if (!event) {
        event = { seq, time: row.event_time, type: row.event_type, action: row.action, ids: [] };
        events.set(seq, event);
        seen.add(seq);
      }
      event.ids.push({
        identifier: row.identifier,
        role: row.role as IdRole,
        quantity: row.quantity === null ? null : Number(row.quantity),
        uom: row.uom,
      });
    }
  }
  return [...events.values()];
}

/** A stored event's JSON-LD document, its ID, and the user prefixes of the document it was captured in. */
export type EventDocumentRow = { seq: number; eventId: string; document: string; context: string | null };

/** The documents of the given events (those the caller may see), in no particular order. */
export async function eventDocuments(
  db: Executor,
  seqs: readonly number[],
  visibility: Visibility,
): Promise<EventDocumentRow[]> {
  const out: EventDocumentRow[] = [];
  for (const chunk of chunks(seqs)) {
    let q = db.selectFrom('epcis_events').select(['seq', 'event_id', 'document', 'context']).where('seq', 'in', chunk);
    if (visibility.kind === 'captured-by') q = q.where('captured_by', '=', visibility.userId);
    for (const row of await q.execute())
      out.push({ seq: Number(row.seq), eventId: row.event_id, document: row.document, context: row.context });
  }
  return out;
}

/**
 * The documents of every event naming one identifier — what `GET /epcis/events?MATCH_anyEPC=…`
 * (or `MATCH_anyEPCClass`) answers a client; the baseline the benchmark traces with.
 */
export async function documentsNaming(
  db: Executor,
  identifier: string,
  visibility: Visibility,
): Promise<{ seq: number; document: string }[]> {
  let q = db
    .selectFrom('epcis_events')
    .select(['seq', 'document'])
    .where('seq', 'in', (eb) =>
      eb.selectFrom('epcis_event_ids').select('event_seq').where('identifier', '=', identifier),
    );
  if (visibility.kind === 'captured-by') q = q.where('captured_by', '=', visibility.userId);
  const rows = await q.orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), document: r.document }));
}

/**
 * Names from EPCIS master data (`epcis_master_data`, kept by capture) for identifiers: products
 * (GTIN or lot classes), locations (SGLN) and parties (PGLN), by their normalised ids.
 */
export async function masterDataNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const chunk of chunks([...new Set(ids)])) {
    const rows = await db
      .selectFrom('epcis_master_data')
      .select(['id', 'name'])
      .where('id', 'in', chunk)
      .where('name', 'is not', null)
      .execute();
    for (const row of rows) if (row.name) names.set(row.id, row.name);
  }
  return names;
}
