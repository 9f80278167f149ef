/**
 * The CPU side of capture, a pure function of the request, in two halves: *check* (parse, validate
 * — JSON Schema, CBV — find where the events happened, the form the document is queued in) and
 * *prepare* (every event's CBV 2.0 event hash, copies within the document, and every row the store
 * writes, as JSON texts in chunks). It runs on the capture thread (capture-thread.ts), so the main
 * thread only answers HTTP and writes; its answers are plain data (a few long strings and small
 * arrays), cheap to pass between threads.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { EventHashError, eventHashOfEvent } from '../event-hash/index.ts';
import { type CaptureDocument, type EventEntry, type Json, readCaptureDocument, readSingleEvent } from './document.ts';
import { eventColumns, eventFacets, namedIdentifiers, normaliseIdentifier } from './extract.ts';
import { type EpcisException, EpcisProblem, type Pointed, validationProblem } from './problems.ts';
import { captureValidator, type ErrorBehaviour, prefixesFor } from './validate.ts';

/** What the capture thread is given: the request body as received, and when it was accepted. */
export type PrepareRequest = {
  /** `event`: the body of `POST /epcis/events` (one JSON-LD event with its own `@context`). */
  syntax: 'json' | 'xml' | 'event';
  text: string;
  behaviour: ErrorBehaviour;
  /** The events' `recordTime`: when the document was accepted (ISO-8601 UTC). */
  recordTime: string;
};

/** A problem that refuses the whole request (400 ValidationException, 413 …), as plain data. */
export type PreparedProblem = {
  status: number;
  exception: EpcisException;
  title: string;
  detail: string | undefined;
  extensions: Record<string, unknown>;
};

/** A capture job's error: problem details for one rejected event (RFC 9457). */
export type JobError = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: Pointed[];
};

/** Where the candidates happened: normalised location keys, and how the input names them (for a 403). */
export type Place = { biz: string | null; read: string | null; bizAt: string; readAt: string };

/**
 * Everything capture needs from a valid document, as few and large values as possible (they cross
 * a thread: one long string costs less than many small objects). The candidates are the events to
 * store unless the store has them already, `k` = 0, 1, … in document order; row `k` of each JSON
 * text belongs to candidate `k`.
 */
export type PreparedCapture = {
  eventCount: number;
  /** Rejected events (`proceed`), and eventIDs naming two events in this document. */
  errors: JobError[];
  /** Copies of an earlier event of this document (same hash) that add nothing. */
  duplicates: number;
  /** How many candidates. */
  count: number;
  /** JSON array of the candidates' CBV 2.0 event hashes. */
  hashes: string;
  /** Candidates with an eventID of their own: `[k, eventID, where the input names it]`. */
  explicit: [k: number, eventId: string, at: string][];
  /** Candidates that carry an error declaration. */
  declaring: number[];
  /** The rows, a few hundred candidates a chunk: the writer parses, binds and drops one after the other. */
  chunks: RowChunk[];
  places: Place[];
  /** The document's own prefixes as JSON (`epcis_events.context`), or null. */
  context: string | null;
  /** What a stored event's facets need when a copy here adds an error declaration to it. */
  docType: CaptureDocument['type'];
  prefixes: Record<string, string>;
  /** Master data in the document, and how the input names each element (for a 403). */
  vocabularies: EventEntry[];
  vocabularyAt: Record<string, string>;
};

/** Candidates per row chunk. */
export const CHUNK = 500;

/** The rows of candidates `from` … `from + CHUNK - 1` (each row starts with its candidate `k`). */
export type RowChunk = {
  from: number;
  /** `[k, event_id, event_hash, event_type, event_time, tz, action, biz_step, disposition, read_point, biz_location, transformation_id, read_point_key, biz_location_key, place]` */
  events: string;
  /** Each candidate's JSON-LD as stored (eventID and recordTime filled in), one per line (JSON has no raw newline). */
  documents: string;
  /** `[k, identifier, role, quantity, uom]` */
  ids: string;
  /** `[k, facet, text_value, num_value]` */
  facets: string;
};

/** The capture thread's answer. */
export type PrepareOutcome = { ok: true; prepared: PreparedCapture } | { ok: false; problem: PreparedProblem };

/**
 * What accepting a document needs, known once it is checked (before any event is hashed), and the
 * form it is queued in ({@link queuedForm}).
 */
export type CheckedCapture = Pick<PreparedCapture, 'eventCount' | 'places' | 'vocabularies' | 'vocabularyAt'> & {
  queued: QueuedForm;
};

/** A queued document: as received, or (`…+deflate`) its raw DEFLATE stream in base64. */
export type QueuedForm = { syntax: string; body: string };

/** Bodies from this size on are queued deflated (an EPCIS document shrinks 5–20 times). */
const DEFLATE_FROM = 64 * 1024;

/** How a request is queued: large bodies deflated (fast level: the queue row is written once, read rarely). */
export function queuedForm(request: PrepareRequest): QueuedForm {
  if (request.text.length < DEFLATE_FROM) return { syntax: request.syntax, body: request.text };
  const body = deflateRawSync(request.text, { level: 1 }).toString('base64');
  return { syntax: `${request.syntax}+deflate`, body };
}

/** The body of a queued document as it was received. */
export function receivedForm(queued: QueuedForm): { syntax: PrepareRequest['syntax']; text: string } {
  if (!queued.syntax.endsWith('+deflate'))
    return { syntax: queued.syntax as PrepareRequest['syntax'], text: queued.body };
  const text = inflateRawSync(Buffer.from(queued.body, 'base64')).toString('utf8');
  return { syntax: queued.syntax.slice(0, -'+deflate'.length) as PrepareRequest['syntax'], text };
}

/** The check's answer: the document may be accepted, or the problem that refuses it. */
export type CheckOutcome = { ok: true; checked: CheckedCapture } | { ok: false; problem: PreparedProblem };

/** A problem as plain data (it crosses a thread), and back. */
export function problemData(p: EpcisProblem): PreparedProblem {
  const detail = p.message === p.title ? undefined : p.message;
  return { status: p.status, exception: p.exception, title: p.title, detail, extensions: p.extensions };
}
export function problemOfData(p: PreparedProblem): EpcisProblem {
  return new EpcisProblem(p.status, p.exception, p.title, p.detail, p.extensions);
}

/** A capture job's error for one event. */
export function eventProblem(
  status: number,
  exception: string,
  title: string,
  detail: string,
  pointer: string,
): JobError {
  return { type: `epcisException:${exception}`, title, status, detail, errors: [{ pointer, detail }] };
}

function parse(request: PrepareRequest): CaptureDocument {
  if (request.syntax === 'xml') return readCaptureDocument(request.text, 'xml');
  let body: unknown;
  try {
    body = JSON.parse(request.text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw validationProblem([{ pointer: '', detail: `not valid JSON: ${(error as Error).message}` }]);
  }
  return request.syntax === 'event' ? readSingleEvent(body) : readCaptureDocument(body, 'json');
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

const idOf = (v: unknown): string | null =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as Json).id === 'string'
      ? ((v as Json).id as string)
      : null;

/**
 * Prepares a capture request in one go (see the file comment; {@link captureChecker} and
 * {@link draftPreparer} are its two halves).
 * @returns the prepared capture, or the problem that refuses it: 400 for an invalid document
 *   (with `rollback`, also for one invalid event), 413 above the capture limit.
 */
export function capturePreparer(request: PrepareRequest): PrepareOutcome {
  const { outcome, draft } = captureChecker(request);
  return draft ? draftPreparer(draft) : (outcome as PrepareOutcome);
}

/** A checked document, kept (on the thread that checked it) until it is prepared. */
export type CaptureDraft = {
  doc: CaptureDocument;
  request: PrepareRequest;
  invalid: Map<number, Pointed[]>;
  rows: CaptureRows;
};

/**
 * The first half: parses and validates the document, and finds where its valid events happened
 * — what accepting it needs, so that the 202 does not wait for the hashes.
 */
export function captureChecker(request: PrepareRequest): { outcome: CheckOutcome; draft?: CaptureDraft } {
  try {
    const doc = parse(request);
    const invalid = captureValidator(doc, request.behaviour);
    const rows = new CaptureRows(doc, request.recordTime);
    doc.events.forEach(({ event, pointer }, entry) => {
      if (!invalid.has(entry)) rows.locate(event, pointer);
    });
    const { places, vocabularies, vocabularyAt } = rows.result(true);
    const queued = queuedForm(request);
    const checked: CheckedCapture = { eventCount: doc.events.length, places, vocabularies, vocabularyAt, queued };
    return { outcome: { ok: true, checked }, draft: { doc, request, invalid, rows } };
  } catch (error) {
    if (error instanceof EpcisProblem) return { outcome: { ok: false, problem: problemData(error) } };
    throw error;
  }
}

/**
 * The second half: the event hashes, copies within the document, and the rows. Validation has
 * ruled out what the hash cannot take (timestamps, lists in lists); should it still refuse an
 * event, that event is rejected in the job (with `rollback`: the whole document).
 */
export function draftPreparer({ doc, request, invalid, rows }: CaptureDraft): PrepareOutcome {
  const { behaviour } = request;
  const errors: JobError[] = [];
  for (const [i, problems] of invalid) {
    const detail = problems.map((p) => `${p.pointer}: ${p.detail}`).join('; ');
    const where = doc.locate(doc.events[i]!.pointer);
    errors.push({
      ...eventProblem(400, 'ValidationException', 'EPCIS 事件无效 Invalid event', detail, where),
      errors: problems,
    });
  }
  // Copies within the document are stored once; a later copy may add an error declaration (EPCIS 2.0 §7.4.1.2).
  const candidateOf = new Map<string, number>();
  const hashOfId = new Map<string, string>();
  let duplicates = 0;
  doc.events.forEach(({ event, pointer }, entry) => {
    if (invalid.has(entry)) return;
    let hash: string;
    try {
      hash = eventHashOfEvent(event, doc.context as never);
    } catch (error) {
      if (!(error instanceof EventHashError)) throw error;
      const where = doc.locate(error.path || pointer);
      errors.push(eventProblem(400, 'ValidationException', 'EPCIS 事件无效 Invalid event', error.message, where));
      return;
    }
    const eventId = typeof event.eventID === 'string' ? event.eventID : hash;
    const earlier = candidateOf.get(hash);
    if (earlier !== undefined) {
      if (event.errorDeclaration === undefined || !rows.declare(earlier, event.errorDeclaration)) duplicates++;
      return;
    }
    const named = hashOfId.get(eventId);
    if (named !== undefined && named !== hash) {
      const where = doc.locate(`${pointer}/eventID`);
      const detail = `eventID ${eventId} already names a different event`;
      errors.push(eventProblem(409, 'ResourceAlreadyExistsException', '事件标识已存在 eventID taken', detail, where));
      return;
    }
    candidateOf.set(hash, rows.add(event, pointer, hash, eventId));
    hashOfId.set(eventId, hash);
  });
  const keep = !(behaviour === 'rollback' && errors.length > 0);
  return { ok: true, prepared: { ...rows.result(keep), eventCount: doc.events.length, errors, duplicates } };
}

/** The rows of the events to store, built event by event, and where they happened. */
class CaptureRows {
  private readonly places: Place[] = [];
  private readonly placeIndex = new Map<string, number>();
  private readonly hashes: string[] = [];
  private readonly explicit: [number, string, string][] = [];
  private readonly declaring = new Set<number>();
  private readonly events: unknown[][] = [];
  private readonly bodies: Json[] = [];
  private readonly documents: string[] = [];
  private readonly ids: unknown[][] = [];
  private facets: unknown[][] = [];

  constructor(
    private readonly doc: CaptureDocument,
    private readonly recordTime: string,
  ) {}

  private readonly placeOfEvent = new Map<Json, number>();

  /** Where an event happened (its place), remembered for {@link add}. */
  locate(event: Json, pointer: string): number {
    let place = this.placeOfEvent.get(event);
    if (place === undefined) {
      const biz = idOf(event.bizLocation);
      const read = idOf(event.readPoint);
      place = this.placeOf(
        biz === null ? null : normaliseIdentifier(biz),
        read === null ? null : normaliseIdentifier(read),
        pointer,
      );
      this.placeOfEvent.set(event, place);
    }
    return place;
  }

  /** Adds a candidate; returns its index `k`. */
  add(event: Json, pointer: string, hash: string, eventId: string): number {
    const k = this.hashes.length;
    const place = this.locate(event, pointer);
    const { biz: bizKey, read: readKey } = this.places[place]!;
    this.hashes.push(hash);
    if (typeof event.eventID === 'string') this.explicit.push([k, eventId, this.doc.locate(`${pointer}/eventID`)]);
    if (event.errorDeclaration !== undefined) this.declaring.add(k);
    const c = eventColumns(event);
    this.events.push([
      k,
      eventId,
      hash,
      c.event_type,
      c.event_time,
      c.event_time_zone_offset,
      c.action,
      c.biz_step,
      c.disposition,
      c.read_point,
      c.biz_location,
      c.transformation_id,
      readKey,
      bizKey,
      place,
    ]);
    this.bodies.push(event);
    this.documents.push(this.storedText(event, eventId));
    for (const n of namedIdentifiers(event)) this.ids.push([k, n.identifier, n.role, n.quantity, n.uom]);
    this.addFacets(k, event);
    return k;
  }

  /** A later copy adds an error declaration to candidate `k`; false when it has one already. */
  declare(k: number, declaration: unknown): boolean {
    const event = this.bodies[k]!;
    if (event.errorDeclaration !== undefined) return false;
    const declared = { ...event, errorDeclaration: declaration };
    this.bodies[k] = declared;
    this.declaring.add(k);
    this.documents[k] = this.storedText(declared, this.events[k]![1] as string);
    this.facets = this.facets.filter((f) => f[0] !== k);
    this.addFacets(k, declared);
    return true;
  }

  /** The stored form's text; for the usual event (no eventID, recordTime or context of its own) without a copy. */
  private storedText(event: Json, eventId: string): string {
    if (event.eventID !== undefined || event.recordTime !== undefined || event['@context'] !== undefined)
      return JSON.stringify(storedForm(this.doc, event, eventId, this.recordTime));
    const text = JSON.stringify(event);
    const tail = `"eventID":${JSON.stringify(eventId)},"recordTime":${JSON.stringify(this.recordTime)}}`;
    return text === '{}' ? `{${tail}` : `${text.slice(0, -1)},${tail}`;
  }

  private addFacets(k: number, event: Json): void {
    for (const f of eventFacets(event, prefixesFor(this.doc, event))) this.facets.push([k, f.facet, f.text, f.num]);
  }

  private placeOf(biz: string | null, read: string | null, pointer: string): number {
    const key = `${biz ?? ''}\u0000${read ?? ''}`;
    let place = this.placeIndex.get(key);
    if (place === undefined) {
      place = this.places.length;
      this.placeIndex.set(key, place);
      const bizAt = this.doc.locate(`${pointer}/bizLocation`);
      this.places.push({ biz, read, bizAt, readAt: this.doc.locate(`${pointer}/readPoint`) });
    }
    return place;
  }

  /** The rows in chunks of {@link CHUNK} candidates. */
  private chunks(): RowChunk[] {
    const out: RowChunk[] = [];
    const byChunk = (rows: unknown[][]) => {
      const parts: unknown[][][] = [];
      for (const row of rows) {
        const c = Math.floor((row[0] as number) / CHUNK);
        const part = parts[c] ?? [];
        parts[c] = part;
        part.push(row);
      }
      return parts;
    };
    const ids = byChunk(this.ids);
    const facets = byChunk(this.facets);
    for (let from = 0; from < this.events.length; from += CHUNK) {
      const c = from / CHUNK;
      out.push({
        from,
        events: JSON.stringify(this.events.slice(from, from + CHUNK)),
        documents: this.documents.slice(from, from + CHUNK).join('\n'),
        ids: JSON.stringify(ids[c] ?? []),
        facets: JSON.stringify(facets[c] ?? []),
      });
    }
    return out;
  }

  /** The prepared rows; none when nothing is to be stored (`keep` false: a rejected document). */
  result(keep: boolean) {
    const { doc } = this;
    const vocabularyAt: Record<string, string> = {};
    for (const { event: vocabulary, pointer } of doc.vocabularies) {
      const elements = Array.isArray(vocabulary.vocabularyElementList) ? vocabulary.vocabularyElementList : [];
      elements.forEach((_, i) => {
        const at = `${pointer}/vocabularyElementList/${i}`;
        vocabularyAt[at] = doc.locate(at);
      });
    }
    return {
      count: keep ? this.hashes.length : 0,
      hashes: JSON.stringify(keep ? this.hashes : []),
      explicit: keep ? this.explicit : [],
      declaring: keep ? [...this.declaring] : [],
      chunks: keep ? this.chunks() : [],
      places: this.places,
      context: Object.keys(doc.prefixes).length > 0 ? JSON.stringify(doc.prefixes) : null,
      docType: doc.type,
      prefixes: doc.prefixes,
      vocabularies: doc.vocabularies,
      vocabularyAt,
    };
  }
}
