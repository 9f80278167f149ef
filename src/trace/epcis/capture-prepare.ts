/**
 * The CPU side of capture, a pure function of the request, in two halves: *check* (parse, validate
 * — JSON Schema, CBV — find where the events happened, the form the document is queued in) and
 * *prepare* (every event's CBV 2.0 event hash, copies within the document, and every row the store
 * writes, as JSON texts in chunks). It runs on the capture thread (capture-thread.ts), so the main
 * thread only answers HTTP and writes; its answers are plain data (a few long strings and small
 * arrays), cheap to pass between threads.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { MAX_JSON_DEPTH, tooDeep } from '../../kernel/http/input-guards.ts';
import { EventHashError, eventHashOfEvent } from '../event-hash/index.ts';
import { CaptureRows, type Place, type RowChunk } from './capture-rows.ts';
import { type CaptureDocument, type EventEntry, readCaptureDocument, readSingleEvent } from './document.ts';
import { type EpcisException, EpcisProblem, type Pointed, validationProblem } from './problems.ts';
import { captureValidator, type ErrorBehaviour } from './validate.ts';

export { CHUNK, type Place, type RowChunk } from './capture-rows.ts';

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
  if (tooDeep(request.text))
    throw validationProblem([{ pointer: '', detail: `the document nests deeper than ${MAX_JSON_DEPTH} levels` }]);
  try {
    body = JSON.parse(request.text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw validationProblem([{ pointer: '', detail: `not valid JSON: ${(error as Error).message}` }]);
  }
  return request.syntax === 'event' ? readSingleEvent(body) : readCaptureDocument(body, 'json');
}

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
