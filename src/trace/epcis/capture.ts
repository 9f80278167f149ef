/**
 * Capture (EPCIS 2.0 §8.1, REST `/capture` and `POST /events`): validates a document, gives every
 * event its CBV 2.0 event hash (and the hash as eventID when it has none), stores each event once,
 * and records the capture job — all in the caller's transaction, so a job either stored what it
 * says or nothing (`rollback`, the default), or every event that was valid (`proceed`).
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../kernel/audit/audit.ts';
import type { Principal } from '../../kernel/auth/principal.ts';
import type { Unit } from '../../kernel/db/unit-of-work.ts';
import { emitEvent } from '../../kernel/events/outbox.ts';
import { EventHashError, eventHashOfEvent } from '../event-hash/index.ts';
import type { CaptureDocument, Json } from './document.ts';
import { eventColumns, eventFacets, namedIdentifiers, normaliseIdentifier } from './extract.ts';
import { locationsByIds, masterDataCapturer } from './master-data.ts';
import { EpcisProblem, type Pointed, validationProblem } from './problems.ts';
import * as store from './store.ts';
import { documentProblems, prefixesFor } from './validate.ts';

/** `GS1-Capture-Error-Behaviour`. */
export type ErrorBehaviour = 'rollback' | 'proceed';

/** Most events one capture call takes (advertised as `GS1-EPCIS-Capture-Limit`). */
export const CAPTURE_LIMIT = 10_000;

/** The domain event a capture emits when it stored events (webhook subscriptions listen). */
export const CAPTURED_EVENT = 'epcis.captured';
/** What an `epcis.captured` domain event carries: the job and the record-order range it stored. */
export type CapturedPayload = { captureId: string; firstSeq: number; lastSeq: number; count: number };

/** One event ready to store. */
type Prepared = { entry: number; event: Json; hash: string; eventId: string; pointer: string };

/** A capture job's errors are problem details, one per rejected event (RFC 9457). */
function eventProblem(status: number, exception: string, title: string, detail: string, pointer: string) {
  return { type: `epcisException:${exception}`, title, status, detail, errors: [{ pointer, detail }] };
}

/** The index of the event a pointer lies in, or -1 for the document itself. */
function eventIndexOf(doc: CaptureDocument, pointer: string): number {
  return doc.events.findIndex((e) => pointer === e.pointer || pointer.startsWith(`${e.pointer}/`));
}

/**
 * Checks a capture input. With `rollback` any problem rejects it whole (400); with `proceed` only
 * problems outside every event do, and the events with problems are returned to be reported.
 * @throws EpcisProblem 400 ValidationException (JSON pointers, or XML paths for XML input).
 */
export function captureValidator(doc: CaptureDocument, behaviour: ErrorBehaviour): Map<number, Pointed[]> {
  const problems = documentProblems(doc);
  const located = problems.map((p) => ({ pointer: doc.locate(p.pointer), detail: p.detail, at: p.pointer }));
  const byEvent = new Map<number, Pointed[]>();
  const documentLevel: Pointed[] = [];
  for (const p of located) {
    const i = doc.type === 'event' ? -1 : eventIndexOf(doc, p.at);
    if (i < 0) documentLevel.push(p);
    else byEvent.set(i, [...(byEvent.get(i) ?? []), { pointer: p.pointer, detail: p.detail }]);
  }
  if (documentLevel.length > 0 || (behaviour === 'rollback' && byEvent.size > 0))
    throw validationProblem(located.map(({ pointer, detail }) => ({ pointer, detail })));
  if (doc.events.length > CAPTURE_LIMIT)
    throw new EpcisProblem(
      413,
      'CaptureLimitExceededException',
      '超出采集上限 Capture limit exceeded',
      `${doc.events.length} events; at most ${CAPTURE_LIMIT} per capture`,
    );
  return byEvent;
}

/** The event as stored: its own fields, the eventID (the hash when it had none), the record time. */
function storedForm(doc: CaptureDocument, event: Json, eventId: string, recordTime: string): Json {
  const { '@context': own, ...rest } = event;
  return {
    ...(doc.type === 'event' || own === undefined ? {} : { '@context': own }),
    ...rest,
    eventID: eventId,
    recordTime,
  };
}

/** Where each event happened and who owns that place, from master data; enterprises only at their own. */
async function locate(unit: Unit, caller: Principal, doc: CaptureDocument, events: Prepared[]) {
  const ids = events.flatMap(({ event }) => [event.bizLocation, event.readPoint].map(idOf).filter((x) => x !== null));
  const locations = await locationsByIds(unit.tx, ids.map(normaliseIdentifier));
  return events.map(({ event, pointer }) => {
    const biz = idOf(event.bizLocation);
    const read = idOf(event.readPoint);
    const bizRow = biz ? locations.get(normaliseIdentifier(biz)) : undefined;
    const readRow = read ? locations.get(normaliseIdentifier(read)) : undefined;
    if (caller.role === 'enterprise') {
      const mine = (row: typeof bizRow) => row !== undefined && row.owner_id === caller.userId;
      const bad = !biz ? 'bizLocation' : !mine(bizRow) ? 'bizLocation' : read && !mine(readRow) ? 'readPoint' : null;
      if (bad) {
        const where = doc.locate(`${pointer}/${bad}`);
        throw new EpcisProblem(
          403,
          'SecurityException',
          '超出管辖范围 Outside your scope',
          `${where}: an enterprise captures only at its own locations (master data linked to it)`,
          { kind: 'outside-scope' },
        );
      }
    }
    const row = bizRow ?? readRow;
    return { scopePath: row?.place_path ?? null, ownerId: row?.owner_id ?? null };
  });
}

const keyOf = (v: unknown): string | null => {
  const id = idOf(v);
  return id === null ? null : normaliseIdentifier(id);
};

const idOf = (v: unknown): string | null =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as Json).id === 'string'
      ? ((v as Json).id as string)
      : null;

/** What a capture did, as the job records it. */
export type CaptureResult = store.JobRow;

/**
 * Captures a validated document (see {@link captureValidator}) in the unit's transaction.
 * Duplicates (same event hash) are stored once; an event that repeats a stored one with an error
 * declaration added declares the stored one erroneous (EPCIS 2.0 §7.4.1.2); an eventID already
 * naming a different event is an error of that event.
 */
export async function eventsCapturer(
  unit: Unit,
  caller: Principal,
  doc: CaptureDocument,
  behaviour: ErrorBehaviour,
  invalid: Map<number, Pointed[]> = new Map(),
  notify?: () => void,
): Promise<CaptureResult> {
  const now = unit.clock.now().toISOString();
  const captureId = randomUUID();
  const errors: ReturnType<typeof eventProblem>[] = [];
  for (const [i, problems] of invalid) {
    const detail = problems.map((p) => `${p.pointer}: ${p.detail}`).join('; ');
    errors.push({
      ...eventProblem(
        400,
        'ValidationException',
        'EPCIS 事件无效 Invalid event',
        detail,
        doc.locate(doc.events[i]!.pointer),
      ),
      errors: problems,
    });
  }
  const prepared: Prepared[] = [];
  doc.events.forEach(({ event, pointer }, entry) => {
    if (invalid.has(entry)) return;
    try {
      const hash = eventHashOfEvent(event, doc.context as never);
      const eventId = typeof event.eventID === 'string' ? event.eventID : hash;
      prepared.push({ entry, event, hash, eventId, pointer });
    } catch (error) {
      if (!(error instanceof EventHashError)) throw error;
      const where = doc.locate(error.path || pointer);
      if (behaviour === 'rollback') throw validationProblem([{ pointer: where, detail: error.message }]);
      errors.push(eventProblem(400, 'ValidationException', 'EPCIS 事件无效 Invalid event', error.message, where));
    }
  });
  const places = await locate(unit, caller, doc, prepared);
  await store.lockSequence(unit.tx);

  const byHash = new Map(
    (
      await store.eventsByHash(
        unit.tx,
        prepared.map((p) => p.hash),
      )
    ).map((r) => [r.event_hash, r]),
  );
  const explicitIds = prepared.filter((p) => typeof p.event.eventID === 'string').map((p) => p.eventId);
  const byId = new Map((await store.eventsById(unit.tx, explicitIds)).map((r) => [r.event_id, r]));
  const fresh: Array<Prepared & { place: (typeof places)[number] }> = [];
  const declared: Array<{ stored: store.StoredEvent; event: Json; pointer: string }> = [];
  const seenHash = new Map<string, Prepared>();
  const seenId = new Map<string, string>();
  let duplicates = 0;
  prepared.forEach((p, k) => {
    const stored = byHash.get(p.hash);
    const sameInDoc = seenHash.get(p.hash);
    if (stored || sameInDoc) {
      const storedDoc = stored ? (JSON.parse(stored.document) as Json) : sameInDoc!.event;
      if (p.event.errorDeclaration !== undefined && storedDoc.errorDeclaration === undefined) {
        if (stored) declared.push({ stored, event: p.event, pointer: p.pointer });
        else sameInDoc!.event = { ...sameInDoc!.event, errorDeclaration: p.event.errorDeclaration };
      } else duplicates++;
      return;
    }
    const clash = byId.get(p.eventId);
    const clashInDoc = seenId.get(p.eventId);
    if ((clash && clash.event_hash !== p.hash) || (clashInDoc && clashInDoc !== p.hash)) {
      const detail = `eventID ${p.eventId} already names a different event`;
      const where = doc.locate(`${p.pointer}/eventID`);
      errors.push(eventProblem(409, 'ResourceAlreadyExistsException', '事件标识已存在 eventID taken', detail, where));
      return;
    }
    const entry = { ...p, place: places[k]! };
    seenHash.set(p.hash, entry); // a later copy in this document may still add an error declaration to it
    seenId.set(p.eventId, p.hash);
    fresh.push(entry);
  });

  const rejectAll = behaviour === 'rollback' && errors.length > 0;
  let firstSeq: number | null = null;
  let masterData = 0;
  if (!rejectAll) {
    masterData = await masterDataCapturer(unit, caller, doc.vocabularies, doc.locate);
    if (fresh.length > 0) firstSeq = await insertFresh(unit, caller, doc, fresh, captureId, now);
    for (const d of declared) {
      const document = { ...(JSON.parse(d.stored.document) as Json), errorDeclaration: d.event.errorDeclaration };
      const facets = eventFacets(document, prefixesFor(doc, d.event)).map((f) => ({
        event_seq: d.stored.seq,
        facet: f.facet,
        text_value: f.text,
        num_value: f.num,
      }));
      await store.replaceEventDocument(unit.tx, d.stored.seq, JSON.stringify(document), facets);
    }
  }
  const captured = rejectAll ? 0 : fresh.length + declared.length;
  const job: store.JobRow = {
    id: captureId,
    created_by: caller.userId,
    created_at: now,
    finished_at: now,
    running: 0,
    success: errors.length === 0 ? 1 : 0,
    error_behaviour: behaviour,
    event_count: doc.events.length,
    captured_count: captured,
    duplicate_count: rejectAll ? 0 : duplicates,
    errors: JSON.stringify(errors),
    first_seq: firstSeq,
    last_seq: firstSeq === null ? null : firstSeq + fresh.length - 1,
  };
  await store.insertJob(unit.tx, job);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.capture',
    subjectType: 'epcis-capture-job',
    subjectId: captureId,
    after: {
      events: doc.events.length,
      captured,
      duplicates: job.duplicate_count,
      errors: errors.length,
      masterData,
      firstSeq,
      lastSeq: job.last_seq,
    },
  });
  if (firstSeq !== null || declared.length > 0) {
    const payload: CapturedPayload = {
      captureId,
      firstSeq: firstSeq ?? 0,
      lastSeq: job.last_seq ?? 0,
      count: captured,
    };
    await emitEvent(
      unit,
      { type: CAPTURED_EVENT, subjectType: 'epcis-capture-job', subjectId: captureId, payload },
      notify,
    );
  }
  return job;
}

/** Writes new events, their identifiers and facets in batches; returns the first record-order number. */
async function insertFresh(
  unit: Unit,
  caller: Principal,
  doc: CaptureDocument,
  fresh: Array<Prepared & { place: { scopePath: string | null; ownerId: string | null } }>,
  captureId: string,
  now: string,
): Promise<number> {
  const first = await store.reserveSeqs(unit.tx, fresh.length);
  const events: store.EventRow[] = [];
  const ids: store.EventIdRow[] = [];
  const facets: store.FacetRow[] = [];
  const context = Object.keys(doc.prefixes).length > 0 ? JSON.stringify(doc.prefixes) : null;
  fresh.forEach((p, k) => {
    const seq = first + k;
    const document = storedForm(doc, p.event, p.eventId, now);
    events.push({
      seq,
      event_id: p.eventId,
      event_hash: p.hash,
      ...eventColumns(p.event),
      record_time: now,
      document: JSON.stringify(document),
      capture_id: captureId,
      captured_by: caller.userId,
      context,
      scope_path: p.place.scopePath,
      owner_id: p.place.ownerId,
      read_point_key: keyOf(p.event.readPoint),
      biz_location_key: keyOf(p.event.bizLocation),
    });
    for (const n of namedIdentifiers(p.event)) ids.push({ event_seq: seq, ...n });
    for (const f of eventFacets(p.event, prefixesFor(doc, p.event)))
      facets.push({ event_seq: seq, facet: f.facet, text_value: f.text, num_value: f.num });
  });
  await store.insertEvents(unit.tx, events);
  await store.insertEventIds(unit.tx, ids);
  await store.insertFacets(unit.tx, facets);
  return first;
}
