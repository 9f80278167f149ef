/**
 * SQL of the EPCIS query side: a parsed query (`query.ts`) as one SELECT over `epcis_events`,
 * identifier and facet conditions as `seq IN (…)` subqueries on their indexes, the caller's
 * visibility, and keyset paging in record order or by event/record time.
 */
import { type ExpressionBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../kernel/db/tables.ts';
import type { Executor } from '../../kernel/db/unit-of-work.ts';
import type { EventVisibility } from './policy.ts';
import type { Condition, EventQuery } from './query.ts';

type Q = SelectQueryBuilder<Database, 'epcis_events', object>;
type Eb = ExpressionBuilder<Database, 'epcis_events'>;

/** Where a page starts: after this sort key and record-order number. */
export type PagePosition = { key: string | number; seq: number };

/** What a page of results needs. */
export type PageRequest = {
  limit: number;
  after?: PagePosition | undefined;
  /** Only events recorded after this record-order number (subscriptions). */
  afterSeq?: number | undefined;
  /** Only events up to this record-order number (subscriptions). */
  uptoSeq?: number | undefined;
};

/** A matching event: its JSON-LD and what the presenter and paging need. */
export type QueriedEvent = {
  seq: number;
  event_time: string;
  record_time: string;
  document: string;
  context: string | null;
};

/** Narrows to what the caller may read. */
export function visible<T extends Q>(q: T, vis: EventVisibility): T {
  if (vis.kind === 'scope') return q.where('epcis_events.scope_path', 'like', `${vis.path}%`) as T;
  if (vis.kind === 'own')
    return q.where((eb) =>
      eb.or([eb('epcis_events.captured_by', '=', vis.userId), eb('epcis_events.owner_id', '=', vis.userId)]),
    ) as T;
  return q;
}

/**
 * Events with one of these eventIDs. An event whose eventID is its own CBV 2.0 hash is found
 * through the unique `event_hash` index, any other through the partial unique index on
 * `event_id` (`event_id <> event_hash`, migration 010): both branches name their index's rows.
 */
export function eventIdIn(eb: Eb, values: readonly string[]) {
  const id = eb.ref('epcis_events.event_id');
  const hash = eb.ref('epcis_events.event_hash');
  return eb.or([
    eb.and([eb('epcis_events.event_hash', 'in', [...values]), eb(id, '=', hash)]),
    eb.and([eb('epcis_events.event_id', 'in', [...values]), eb(id, '<>', hash)]),
  ]);
}

function condition(eb: Eb, c: Condition) {
  switch (c.kind) {
    case 'in':
      if (c.column === 'event_id') return eventIdIn(eb, c.values);
      return eb(`epcis_events.${c.column}`, 'in', c.values);
    case 'location':
      return eb.or([
        eb(`epcis_events.${c.field}_key`, 'in', c.values),
        eb.and([eb(`epcis_events.${c.field}_key`, 'is', null), eb(`epcis_events.${c.field}`, 'in', c.values)]),
      ]);
    case 'compare':
      return eb(`epcis_events.${c.column}`, c.op, c.value);
    case 'ids':
      return eb(
        'epcis_events.seq',
        'in',
        eb
          .selectFrom('epcis_event_ids')
          .select('event_seq')
          .where('role', 'in', c.roles)
          .where((e) =>
            e.or([
              e('identifier', 'in', c.exact),
              ...c.prefixes.map((p) => e(sql`substr(identifier, 1, ${p.length})`, '=', p)),
            ]),
          ),
      );
    case 'quantity': {
      let sub = eb
        .selectFrom('epcis_event_ids')
        .select('event_seq')
        .where('role', 'in', ['epcClass', 'childEpcClass', 'inputEpcClass', 'outputEpcClass'])
        .where('quantity', c.op, c.value);
      if (c.uom) sub = sub.where('uom', '=', c.uom);
      return eb('epcis_events.seq', 'in', sub);
    }
    case 'facetIn':
      return eb(
        'epcis_events.seq',
        'in',
        eb
          .selectFrom('epcis_event_facets')
          .select('event_seq')
          .where('facet', '=', c.facet)
          .where('text_value', 'in', c.values),
      );
    case 'facetCompare':
      return eb(
        'epcis_events.seq',
        'in',
        eb
          .selectFrom('epcis_event_facets')
          .select('event_seq')
          .where('facet', '=', c.facet)
          .where('num_value', c.op, c.value),
      );
    case 'facetExists':
      return eb(
        'epcis_events.seq',
        'in',
        eb.selectFrom('epcis_event_facets').select('event_seq').where('facet', '=', c.facet),
      );
  }
}

function filtered(db: Executor, q: EventQuery, vis: EventVisibility, page: Omit<PageRequest, 'limit'>): Q {
  let s = visible(db.selectFrom('epcis_events'), vis) as Q;
  for (const c of q.conditions) s = s.where((eb) => condition(eb, c));
  if (page.afterSeq !== undefined) s = s.where('epcis_events.seq', '>', page.afterSeq);
  if (page.uptoSeq !== undefined) s = s.where('epcis_events.seq', '<=', page.uptoSeq);
  return s;
}

/** The sort key column of a query: record order unless it asks for event or record time. */
export function sortColumn(q: EventQuery): 'event_time' | 'record_time' | 'seq' {
  return q.orderBy === 'eventTime' ? 'event_time' : q.orderBy === 'recordTime' ? 'record_time' : 'seq';
}

/** One page of matching events in the query's order (record order, oldest first, when unspecified). */
export async function queryEvents(
  db: Executor,
  q: EventQuery,
  vis: EventVisibility,
  page: PageRequest,
): Promise<QueriedEvent[]> {
  const column = sortColumn(q);
  const dir = column === 'seq' ? 'asc' : q.orderDirection === 'ASC' ? 'asc' : 'desc';
  const after = dir === 'asc' ? '>' : '<';
  let s = filtered(db, q, vis, page);
  const pos = page.after;
  if (pos) {
    s =
      column === 'seq'
        ? s.where('epcis_events.seq', after, pos.seq)
        : s.where((eb) =>
            eb.or([
              eb(`epcis_events.${column}`, after, String(pos.key)),
              eb.and([eb(`epcis_events.${column}`, '=', String(pos.key)), eb('epcis_events.seq', after, pos.seq)]),
            ]),
          );
  }
  if (column !== 'seq') s = s.orderBy(`epcis_events.${column}`, dir);
  const rows = await s
    .select([
      'epcis_events.seq',
      'epcis_events.event_time',
      'epcis_events.record_time',
      'epcis_events.document',
      'epcis_events.context',
    ])
    .orderBy('epcis_events.seq', dir)
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** How many events match, counting at most `cap` (for maxEventCount). */
export async function countMatching(db: Executor, q: EventQuery, vis: EventVisibility, cap: number): Promise<number> {
  const rows = await filtered(db, q, vis, {}).select('epcis_events.seq').limit(cap).execute();
  return rows.length;
}

/** The top-level resources: which column (or identifier roles) each lists. */
export type ResourceColumn = 'event_type' | 'biz_step' | 'biz_location' | 'read_point' | 'disposition';

/** Distinct values of a column over the visible events, in order, after a value (paging). */
export async function distinctValues(
  db: Executor,
  column: ResourceColumn,
  vis: EventVisibility,
  page: { after?: string | undefined; limit: number },
): Promise<string[]> {
  let s = visible(db.selectFrom('epcis_events'), vis).where(`epcis_events.${column}`, 'is not', null);
  if (page.after !== undefined) s = s.where(`epcis_events.${column}`, '>', page.after);
  const rows = await s
    .select(`epcis_events.${column} as value`)
    .distinct()
    .orderBy('value')
    .limit(page.limit)
    .execute();
  return rows.map((r) => String(r.value));
}

/** Distinct EPCs (instance identifiers, normalised) over the visible events, in order, after a value. */
export async function distinctEpcs(
  db: Executor,
  vis: EventVisibility,
  page: { after?: string | undefined; limit: number },
): Promise<string[]> {
  let s = visible(
    db
      .selectFrom('epcis_event_ids')
      .innerJoin('epcis_events', 'epcis_events.seq', 'epcis_event_ids.event_seq') as unknown as Q,
    vis,
  ) as unknown as SelectQueryBuilder<Database, 'epcis_event_ids' | 'epcis_events', object>;
  s = s.where('epcis_event_ids.role', 'in', ['epc', 'child', 'parent', 'input', 'output']);
  if (page.after !== undefined) s = s.where('epcis_event_ids.identifier', '>', page.after);
  const rows = await s
    .select('epcis_event_ids.identifier as value')
    .distinct()
    .orderBy('value')
    .limit(page.limit)
    .execute();
  return rows.map((r) => String(r.value));
}

/** A visible event by eventID. */
export async function eventById(
  db: Executor,
  eventId: string,
  vis: EventVisibility,
): Promise<QueriedEvent | undefined> {
  const row = await visible(db.selectFrom('epcis_events'), vis)
    .select(['seq', 'event_time', 'record_time', 'document', 'context'])
    .where((eb) => eventIdIn(eb, [eventId]))
    .executeTakeFirst();
  return row ? { ...row, seq: Number(row.seq) } : undefined;
}
