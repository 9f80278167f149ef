import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { workingCalendar } from '../cases/calendar-years.ts';
import { caseCreator, reportResolver } from '../cases/case-service.ts';
import type { CaseActor } from '../cases/case-steps.ts';
import { caseInput } from '../cases/schema.ts';
import { listTimeline } from '../cases/store.ts';
import { type CaseState, caseStateSchema } from '../cases/workflow.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import type { DomainEvent, OutboxListener } from '../kernel/events/outbox.ts';
import type { EventProcessor } from '../kernel/events/processors.ts';
import { badRequest, toPointer } from '../kernel/problems.ts';
import { findGrid, findPlace } from '../twin/store.ts';
import type { TwinIndex } from '../twin/twin-index.ts';
import type { CasePort, RequestRecord, UpdateRecord } from './case-port.ts';
import { publicNoteActions, stateTable, type VoidKind, voidKindOf } from './statuses.ts';
import * as store from './store.ts';

// The case port on the real case engine (src/cases): a report becomes a case through the engine's
// own use cases (reportResolver → caseCreator: timeline, audit, `case.created`), and the public
// read model is projected from the engine's domain events (`case.created`, `case.updated`), so
// Open311 never reads the engine's tables.

/** What the adapter needs from the running app. */
export type CaseAdapterDeps = { twin: TwinIndex; wake: OutboxListener | undefined; log: FastifyBaseLogger };

/** Only residents' reports are public; alarms, patrols and hotline calls are not. */
const publicSource = 'resident';

const everywhere = { placeId: null, path: null, gridId: null };

/** The parts of a `case.created` / `case.updated` payload (src/cases/case-steps.ts) Open311 reads. */
const caseEventSchema = z.object({
  case: z.object({
    id: z.string(),
    code: z.string(),
    source: z.string(),
    category: z.string(),
    state: caseStateSchema,
    description: z.string(),
    place_id: z.string(),
    grid_id: z.string().nullable(),
    address: z.string().nullable(),
    lng: z.number().nullable(),
    lat: z.number().nullable(),
    handle_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
  department: z.object({ name: z.string() }).nullable(),
  step: z.object({ action: z.string(), at: z.string(), note: z.string().nullable() }),
});
type CaseEvent = z.infer<typeof caseEventSchema>;

const isUrl = (s: string) => /^https?:\/\/\S+$/i.test(s);

function recordOf(row: store.RequestRow): RequestRecord {
  return {
    caseId: row.case_id,
    id: row.request_id,
    serviceCode: row.service_code,
    state: caseStateSchema.parse(row.state),
    statusNotes: row.status_notes,
    agencyResponsible: row.agency_responsible,
    description: row.description,
    address: row.address,
    addressId: row.address_id,
    lat: row.lat === null ? null : Number(row.lat),
    long: row.lng === null ? null : Number(row.lng),
    mediaUrl: row.media_url,
    requestedAt: row.requested_at,
    updatedAt: row.updated_at,
    expectedAt: row.expected_at,
  };
}

function updateOf(row: store.UpdateRow): UpdateRecord {
  return {
    updateId: Number(row.update_id),
    requestId: row.request_id,
    state: caseStateSchema.parse(row.state),
    voidKind: (row.void_kind as VoidKind | null) ?? null,
    description: row.description,
    updatedAt: row.updated_at,
  };
}

/** The status note after a step: the step's own note when it is meant for the reporter, else the state's. */
function statusNotesAfter(state: CaseState, step: CaseEvent['step']): string {
  const note = step.note?.trim();
  return note && publicNoteActions.has(step.action) ? note : stateTable[state].note;
}

/** Who is responsible, as the public may know it: the department, else the grid cell (网格). */
async function agencyOf(tx: Executor, e: CaseEvent): Promise<string | null> {
  if (e.department) return e.department.name;
  if (!e.case.grid_id || ['reported', 'registered'].includes(e.case.state)) return null;
  const grid = await findGrid(tx, e.case.grid_id);
  return grid ? `${grid.name} 网格` : null;
}

/** Applies one case event to the read model: the request row, and an update when the state changed. */
async function caseEventProjector(unit: Unit, event: DomainEvent, log: FastifyBaseLogger): Promise<void> {
  const parsed = caseEventSchema.safeParse(event.payload);
  if (!parsed.success) {
    // A malformed event would block the processor forever if thrown: log it and move on.
    log.warn({ seq: event.seq, issues: parsed.error.issues }, 'case event ignored by open311: malformed payload');
    return;
  }
  const e = parsed.data;
  if (e.case.source !== publicSource) return;
  const before = await store.findRequestRowByCase(unit.tx, e.case.id);
  if (before && Number(before.event_seq) >= event.seq) return;
  if (!before && event.type !== 'case.created') return;
  let mediaUrl = before?.media_url ?? null;
  if (!before) {
    const [first] = await listTimeline(unit.tx, e.case.id);
    mediaUrl = (JSON.parse(first?.photos ?? '[]') as string[]).find(isUrl) ?? null;
  }
  const place = await findPlace(unit.tx, e.case.place_id);
  const statusNotes =
    before && before.state === e.case.state && !publicNoteActions.has(e.step.action)
      ? before.status_notes
      : statusNotesAfter(e.case.state, e.step);
  await store.upsertRequest(unit.tx, {
    case_id: e.case.id,
    request_id: e.case.code,
    service_code: e.case.category,
    state: e.case.state,
    status_notes: statusNotes,
    agency_responsible: await agencyOf(unit.tx, e),
    description: e.case.description,
    address: e.case.address,
    address_id: place?.code ?? null,
    lat: e.case.lat,
    lng: e.case.lng,
    media_url: mediaUrl,
    requested_at: e.case.created_at,
    updated_at: e.case.updated_at,
    expected_at: e.case.handle_by,
    event_seq: event.seq,
  });
  if (before && before.state !== e.case.state) {
    await store.insertUpdate(unit.tx, {
      update_id: event.seq,
      case_id: e.case.id,
      request_id: e.case.code,
      state: e.case.state,
      void_kind: e.case.state === 'voided' ? voidKindOf(e.step.note) : null,
      description: statusNotes,
      updated_at: e.step.at,
    });
  }
}

/**
 * The case port on src/cases, and the event processor that keeps Open311's public read model in
 * step with the cases (register it on the app's `EventProcessorRunner`).
 */
export function caseAdapter(deps: CaseAdapterDeps): { port: CasePort; processor: EventProcessor } {
  const port: CasePort = {
    async createResidentReport(unit, report) {
      // The app reports on the resident's behalf, as a dispatcher does for a hotline caller: the
      // resident's name and phone go on the case for the call-back, and no account is needed.
      const actor: CaseActor = {
        userId: `open311:${report.app.keyId}`,
        name: `Open311 · ${report.app.name}`,
        role: 'dispatcher',
        scope: everywhere,
      };
      let placeId = report.placeId;
      const at = report.location ? deps.twin.locate(report.location[0], report.location[1]) : null;
      if (!placeId && !at?.compoundId && !at?.gridId) {
        placeId = report.placeOfAddress ? await report.placeOfAddress() : null;
        if (!placeId)
          throw badRequest(
            report.location
              ? 'lat/long lies outside the district: in none of its compounds or grid cells'
              : 'the address cannot be placed in the district',
          );
      }
      const input = caseInput.safeParse({
        source: publicSource,
        category: report.serviceCode,
        description: report.description,
        ...(report.location ? { location: report.location } : {}),
        ...(placeId ? { placeId } : {}),
        ...(report.address ? { address: report.address } : {}),
        photos: report.mediaUrl ? [report.mediaUrl] : [],
        ...(report.reporterName ? { reporterName: report.reporterName } : {}),
        ...(report.reporterPhone ? { reporterPhone: report.reporterPhone } : {}),
        ...(report.reporterEmail ? { reporterEmail: report.reporterEmail } : {}),
      });
      if (!input.success)
        throw badRequest(
          'the report does not make a valid case',
          input.error.issues.map((i) => ({ pointer: toPointer(i.path), detail: i.message })),
        );
      const resolved = await reportResolver(unit.tx, deps.twin, actor, input.data);
      const row = await caseCreator(unit, deps.wake, actor, {
        ...resolved,
        data: { open311: { app: report.app.name, answers: report.answers } },
      });
      const place = await findPlace(unit.tx, row.place_id);
      const request: store.RequestRow = {
        case_id: row.id,
        request_id: row.code,
        service_code: row.category,
        state: row.state,
        status_notes: stateTable[caseStateSchema.parse(row.state)].note,
        agency_responsible: null,
        description: row.description,
        address: row.address,
        address_id: place?.code ?? null,
        lat: row.lat,
        lng: row.lng,
        media_url: report.mediaUrl,
        requested_at: row.created_at,
        updated_at: row.updated_at,
        expected_at: row.handle_by,
        // Before any event: the `case.created` event of this very case replaces it.
        event_seq: 0,
      };
      await store.upsertRequest(unit.tx, request);
      return recordOf(request);
    },

    async findRequests(db, f) {
      const rows = await store.listRequests(db, {
        requestIds: f.ids,
        serviceCodes: f.ids ? undefined : f.serviceCodes,
        states: f.ids ? undefined : f.states,
        from: f.ids ? undefined : f.from,
        to: f.ids ? undefined : f.to,
        hiddenWhileReported: f.hiddenWhileReported,
        limit: f.limit,
        offset: f.offset,
      });
      return rows.map(recordOf);
    },

    async findRequest(db, id) {
      const row = await store.findRequestRow(db, id);
      return row ? recordOf(row) : null;
    },

    async findRequestOfCase(db, caseId) {
      const row = await store.findRequestRowByCase(db, caseId);
      return row ? recordOf(row) : null;
    },

    async updatesSince(db, window, limit) {
      return (await store.listUpdates(db, window.from, window.to, limit)).map(updateOf);
    },

    async localOffsetMinutes(db) {
      return (await workingCalendar(db)).offsetMinutes;
    },
  };

  const processor: EventProcessor = {
    name: 'open311.requests',
    handles: ['case.created', 'case.updated'],
    async handle(unit, events) {
      for (const event of events) await caseEventProjector(unit, event, deps.log);
    },
  };
  return { port, processor };
}
