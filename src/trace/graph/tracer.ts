/**
 * The trace use case: walk back or forward from an identifier through the events the caller may
 * see, then load the events' JSON-LD documents.
 */
import type { Executor } from '../../kernel/db/unit-of-work.ts';
import type { EpcisEventDocument } from './event-fields.ts';
import type { Direction, TraceEvent } from './rules.ts';
import { eventDocuments, eventsNaming, type Visibility } from './store.ts';
import { traceWalker, type Walk, type WalkLimits } from './walker.ts';

/**
 * An event of a trace with its stored document and the user prefixes (`{ prefix: namespace }`) of
 * the document it was captured in, which name its extension fields.
 */
export type TracedEvent = TraceEvent & {
  eventId: string;
  document: EpcisEventDocument;
  prefixes: Record<string, string> | null;
};

/** A finished trace: the walk and its events' documents, in walk order. */
export type Trace = Omit<Walk, 'events'> & { events: TracedEvent[] };

/** Walks from `identifier` (already normalised) and loads the documents of the events found. */
export async function lotTracer(props: {
  db: Executor;
  direction: Direction;
  identifier: string;
  visibility: Visibility;
  limits?: WalkLimits;
}): Promise<Trace> {
  const { db, visibility } = props;
  const walk = await traceWalker({
    direction: props.direction,
    start: props.identifier,
    source: { eventsNaming: (ids) => eventsNaming(db, ids, visibility) },
    ...(props.limits ? { limits: props.limits } : {}),
  });
  const docs = new Map(
    (
      await eventDocuments(
        db,
        walk.events.map((e) => e.seq),
        visibility,
      )
    ).map((d) => [d.seq, d]),
  );
  const events: TracedEvent[] = [];
  for (const e of walk.events) {
    const doc = docs.get(e.seq);
    if (!doc) continue;
    const prefixes = doc.context ? (JSON.parse(doc.context) as Record<string, string>) : null;
    events.push({ ...e, eventId: doc.eventId, document: JSON.parse(doc.document) as EpcisEventDocument, prefixes });
  }
  return { ...walk, events };
}
