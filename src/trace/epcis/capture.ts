/**
 * Capture (EPCIS 2.0 §8.1, REST `/capture` and `POST /events`) on the main thread, in two steps
 * (docs/decisions/004): accepting a prepared document (capture-prepare.ts) checks that the caller
 * may capture it and stores it as a queued capture job — one row each, one commit — before the
 * 202; running the job stores each event once (same CBV 2.0 event hash) with the job's outcome in
 * one transaction: all or nothing (`rollback`, the default) or every valid event (`proceed`).
 */
import { randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { appendAudit } from '../../kernel/audit/audit.ts';
import type { Principal } from '../../kernel/auth/principal.ts';
import type { Executor, Unit } from '../../kernel/db/unit-of-work.ts';
import { emitEvent } from '../../kernel/events/outbox.ts';
import {
  CHUNK,
  type CheckedCapture,
  eventProblem,
  type JobError,
  type Place,
  type PreparedCapture,
  type PrepareRequest,
} from './capture-prepare.ts';
import * as queue from './capture-store.ts';
import type { Json } from './document.ts';
import { eventFacets } from './extract.ts';
import { locationsByIds, masterDataCapturer, masterDataChecker } from './master-data.ts';
import { EpcisProblem } from './problems.ts';
import * as store from './store.ts';
import { prefixesFor } from './validate.ts';

/** The domain event a capture emits when it stored events (webhook subscriptions listen). */
export const CAPTURED_EVENT = 'epcis.captured';
/** What an `epcis.captured` domain event carries: the job and the record-order range it stored. */
export type CapturedPayload = { captureId: string; firstSeq: number; lastSeq: number; count: number };

/** What a capture job records. */
export type CaptureResult = store.JobRow;

type PlaceRows = { biz: store.MasterDataRow | undefined; read: store.MasterDataRow | undefined }[];

/** The master data of each place (location keys are normalised). */
async function placeRows(tx: Executor, places: readonly Place[]): Promise<PlaceRows> {
  const ids = places.flatMap((p) => [p.biz, p.read]).filter((id): id is string => id !== null);
  const rows = await locationsByIds(tx, ids);
  return places.map((p) => ({
    biz: p.biz === null ? undefined : rows.get(p.biz),
    read: p.read === null ? undefined : rows.get(p.read),
  }));
}

/** @throws EpcisProblem 403 when an enterprise names a location that is not its own (master data linked to it). */
function scopeChecker(caller: Principal, places: readonly Place[], rows: PlaceRows): void {
  if (caller.role !== 'enterprise') return;
  const mine = (row: store.MasterDataRow | undefined) => row !== undefined && row.owner_id === caller.userId;
  places.forEach((p, i) => {
    const { biz, read } = rows[i]!;
    const where = !p.biz || !mine(biz) ? p.bizAt : p.read && !mine(read) ? p.readAt : null;
    if (where !== null)
      throw new EpcisProblem(
        403,
        'SecurityException',
        '超出管辖范围 Outside your scope',
        `${where}: an enterprise captures only at its own locations (master data linked to it)`,
        { kind: 'outside-scope' },
      );
  });
}

const locateIn = (p: Pick<CheckedCapture, 'vocabularyAt'>) => (pointer: string) => p.vocabularyAt[pointer] ?? pointer;

/**
 * Accepts a prepared document: checks the caller may capture it (an enterprise only at its own
 * locations, master data only its own), then stores the job (running) and queues the document as
 * received, in the unit's transaction. The capture worker runs the job (capture-worker.ts).
 * @throws EpcisProblem 403 SecurityException.
 */
export async function captureAcceptor(
  unit: Unit,
  caller: Principal,
  request: PrepareRequest,
  prepared: CheckedCapture,
): Promise<store.JobRow> {
  scopeChecker(caller, prepared.places, await placeRows(unit.tx, prepared.places));
  await masterDataChecker(unit.tx, caller, prepared.vocabularies, locateIn(prepared));
  const job = newJob(caller, request, prepared);
  await store.insertJob(unit.tx, job);
  const seq = await queue.enqueue(unit.tx, job.id, prepared.queued.syntax, prepared.queued.body);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.capture.accept',
    subjectType: 'epcis-capture-job',
    subjectId: job.id,
    after: { events: prepared.eventCount, syntax: request.syntax, bytes: request.text.length, queued: seq },
  });
  return job;
}

/** A new capture job, running. */
export function newJob(
  caller: Principal,
  request: PrepareRequest,
  prepared: Pick<CheckedCapture, 'eventCount'>,
): store.JobRow {
  return {
    id: randomUUID(),
    created_by: caller.userId,
    created_at: request.recordTime,
    finished_at: null,
    running: 1,
    success: 0,
    error_behaviour: request.behaviour,
    event_count: prepared.eventCount,
    captured_count: 0,
    duplicate_count: 0,
    errors: '[]',
    first_seq: null,
    last_seq: null,
  };
}

/**
 * Runs a capture job in the unit's transaction: events already stored (same hash) are stored
 * once; one that repeats a stored event with an error declaration added declares the stored one
 * erroneous (EPCIS 2.0 §7.4.1.2); an eventID already naming a different event is an error of that
 * event. Writes master data, the new events, their identifiers and facets, and the job's outcome.
 * @throws EpcisProblem 403 when the caller may no longer capture there (see {@link jobFailer}).
 */
export async function jobRunner(
  unit: Unit,
  caller: Principal,
  job: store.JobRow,
  prepared: PreparedCapture,
  options: { sqlite: SQLite.Database | undefined; notify?: () => void },
): Promise<store.JobRow> {
  await store.lockSequence(unit.tx);
  const places = await placeRows(unit.tx, prepared.places);
  scopeChecker(caller, prepared.places, places); // ownership may have changed since the job was accepted
  const byHash = new Map((await queue.eventsByHash(unit.tx, prepared.hashes)).map((r) => [r.event_hash, r]));
  const explicitIds = prepared.explicit.map(([, id]) => id);
  const byId = new Map((await queue.eventsById(unit.tx, explicitIds)).map((r) => [r.event_id, r]));
  const errors: JobError[] = [...prepared.errors];
  const declared: { stored: store.StoredEvent; k: number }[] = [];
  let duplicates = prepared.duplicates;
  let keep: number[] | 'all' = 'all';
  if (byHash.size > 0 || byId.size > 0) {
    // Some candidates are stored already, or name a stored event's eventID: sort them out one by one.
    const hashes = JSON.parse(prepared.hashes) as string[];
    const declaring = new Set(prepared.declaring);
    const explicit = new Map(prepared.explicit.map(([k, id, at]) => [k, { id, at }]));
    keep = [];
    for (let k = 0; k < prepared.count; k++) {
      const hash = hashes[k]!;
      const stored = byHash.get(hash);
      if (stored) {
        if (declaring.has(k) && (JSON.parse(stored.document) as Json).errorDeclaration === undefined)
          declared.push({ stored, k });
        else duplicates++;
        continue;
      }
      const own = explicit.get(k);
      const clash = own ? byId.get(own.id) : undefined;
      if (own && clash && clash.event_hash !== hash) {
        const detail = `eventID ${own.id} already names a different event`;
        errors.push(
          eventProblem(409, 'ResourceAlreadyExistsException', '事件标识已存在 eventID taken', detail, own.at),
        );
        continue;
      }
      keep.push(k);
    }
  }
  const fresh = keep === 'all' ? prepared.count : keep.length;

  const rejectAll = job.error_behaviour === 'rollback' && errors.length > 0;
  let firstSeq: number | null = null;
  let masterData = 0;
  if (!rejectAll) {
    masterData = await masterDataCapturer(unit, caller, prepared.vocabularies, locateIn(prepared));
    const writer = queue.rowWriter(unit.tx, options.sqlite);
    if (fresh > 0) firstSeq = await freshInserter(unit.tx, writer, job, prepared, keep, places);
    for (const { stored, k } of declared) {
      const chunk = prepared.chunks[Math.floor(k / CHUNK)]!;
      const event = JSON.parse(chunk.documents.split('\n')[k - chunk.from]!) as Json;
      const document = { ...(JSON.parse(stored.document) as Json), errorDeclaration: event.errorDeclaration };
      const namespaces = prefixesFor({ type: prepared.docType, prefixes: prepared.prefixes } as never, event);
      const facets = eventFacets(document, namespaces).map((f) => ({
        event_seq: stored.seq,
        facet: f.facet,
        text_value: f.text,
        num_value: f.num,
      }));
      await store.replaceEventDocument(unit.tx, stored.seq, JSON.stringify(document), facets);
    }
  }
  const captured = rejectAll ? 0 : fresh + declared.length;
  const finished: store.JobRow = {
    ...job,
    finished_at: unit.clock.now().toISOString(),
    running: 0,
    success: errors.length === 0 ? 1 : 0,
    captured_count: captured,
    duplicate_count: rejectAll ? 0 : duplicates,
    errors: JSON.stringify(errors),
    first_seq: firstSeq,
    last_seq: firstSeq === null ? null : firstSeq + fresh - 1,
  };
  await queue.finishJob(unit.tx, finished);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.capture',
    subjectType: 'epcis-capture-job',
    subjectId: job.id,
    after: {
      events: job.event_count,
      captured,
      duplicates: finished.duplicate_count,
      errors: errors.length,
      masterData,
      firstSeq,
      lastSeq: finished.last_seq,
    },
  });
  if (captured > 0) {
    const payload: CapturedPayload = {
      captureId: job.id,
      firstSeq: firstSeq ?? 0,
      lastSeq: finished.last_seq ?? 0,
      count: captured,
    };
    await emitEvent(
      unit,
      { type: CAPTURED_EVENT, subjectType: 'epcis-capture-job', subjectId: job.id, payload },
      options.notify,
    );
  }
  return finished;
}

/** Records a job that could not run (its caller may no longer capture there, …): nothing stored. */
export async function jobFailer(unit: Unit, job: store.JobRow, problem: EpcisProblem): Promise<store.JobRow> {
  const error = problem.toJSON();
  const finished: store.JobRow = {
    ...job,
    finished_at: unit.clock.now().toISOString(),
    running: 0,
    success: 0,
    errors: JSON.stringify([{ errors: [], ...error, detail: error.detail ?? problem.title }]),
  };
  await queue.finishJob(unit.tx, finished);
  await appendAudit(unit.tx, unit.clock, {
    actor: unit.actor,
    action: 'epcis.capture',
    subjectType: 'epcis-capture-job',
    subjectId: job.id,
    after: { events: job.event_count, captured: 0, failed: error.type },
  });
  return finished;
}

/** Writes the events to store (candidates `keep`), their identifiers and facets; returns the first record order. */
async function freshInserter(
  tx: Executor,
  writer: queue.RowWriter,
  job: store.JobRow,
  prepared: PreparedCapture,
  keep: readonly number[] | 'all',
  places: PlaceRows,
): Promise<number> {
  const first = await store.reserveSeqs(tx, keep === 'all' ? prepared.count : keep.length);
  await writer(prepared.chunks, keep === 'all' ? 'all' : new Map(keep.map((k, i) => [k, i])), {
    first,
    recordTime: job.created_at,
    captureId: job.id,
    capturedBy: job.created_by,
    context: prepared.context,
    places: places.map(({ biz, read }) => {
      const row = biz ?? read;
      return [row?.place_path ?? null, row?.owner_id ?? null] as const;
    }),
  });
  return first;
}
