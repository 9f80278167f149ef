import type { CaseState } from '../cases/workflow.ts';
import type { Executor, Unit } from '../kernel/db/unit-of-work.ts';
import type { CheckedAnswers } from './services.ts';
import type { VoidKind } from './statuses.ts';

// The boundary between Open311 and the case engine: exactly what GeoReport v2 needs, in its own
// words. The routes see only this; case-adapter.ts implements it on src/cases.

/** A resident's report as Open311 received and checked it, ready to become a case. */
export type ResidentReport = {
  /** The case category (= service_code). */
  serviceCode: string;
  description: string;
  /** `[long, lat]` (WGS84) when the reporter gave a point. */
  location: [number, number] | null;
  /** The place address_id names: the report's place, whatever the point. */
  placeId: string | null;
  /**
   * The place address_string names, asked only when needed: no point was given, or the point lies
   * in none of the district's compounds and grid cells.
   */
  placeOfAddress: (() => Promise<string | null>) | null;
  /** The address as the reporter wrote it. */
  address: string | null;
  mediaUrl: string | null;
  /** Name, phone and e-mail for the dispatcher's call-back (回访); personal data, never published. */
  reporterName: string | null;
  reporterPhone: string | null;
  reporterEmail: string | null;
  /** The app that submitted it, for the case's timeline. */
  app: { keyId: string; name: string };
  /** Answers to the service's extra questions. */
  answers: CheckedAnswers;
};

/** A service request as GeoReport v2 publishes it: no person in it. */
export type RequestRecord = {
  caseId: string;
  /** service_request_id: the case code. */
  id: string;
  serviceCode: string;
  /** Our workflow state; statuses.ts says what it reads as. */
  state: CaseState;
  statusNotes: string | null;
  agencyResponsible: string | null;
  description: string;
  address: string | null;
  /** The code of the place (our master address list). */
  addressId: string | null;
  lat: number | null;
  long: number | null;
  mediaUrl: string | null;
  /** ISO-8601 UTC instants. */
  requestedAt: string;
  updatedAt: string;
  /** The handling deadline (处置时限), once the case is dispatched. */
  expectedAt: string | null;
};

/** Which requests `GET requests` wants. */
export type RequestFilter = {
  /** service_request_id list: overrides every other filter (GeoReport v2). */
  ids?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  states?: CaseState[] | undefined;
  /** requested_datetime in [from, to], ISO-8601 UTC. */
  from?: string | undefined;
  to?: string | undefined;
  /** Services whose requests are listed only once registered (立案): batch services. */
  hiddenWhileReported?: readonly string[] | undefined;
  limit: number;
  offset: number;
};

/** One public status change (mySociety `servicerequestupdates`). */
export type UpdateRecord = {
  updateId: number;
  requestId: string;
  state: CaseState;
  voidKind: VoidKind | null;
  description: string | null;
  updatedAt: string;
};

/** What Open311 needs from the case engine. */
export interface CasePort {
  /** Creates a case (source resident) in the unit's transaction and returns it as a request. */
  createResidentReport(unit: Unit, report: ResidentReport): Promise<RequestRecord>;
  /** Residents' requests matching the filter, newest first. */
  findRequests(db: Executor, filter: RequestFilter): Promise<RequestRecord[]>;
  /** One resident's request by service_request_id, or null. */
  findRequest(db: Executor, id: string): Promise<RequestRecord | null>;
  /** The request of a case, or null (a case that is not a resident's report). */
  findRequestOfCase(db: Executor, caseId: string): Promise<RequestRecord | null>;
  /** Status changes in [from, to], oldest first. */
  updatesSince(db: Executor, window: { from: string; to: string }, limit: number): Promise<UpdateRecord[]>;
  /** The jurisdiction's UTC offset in minutes (the working calendar's zone; 480 for China). */
  localOffsetMinutes(db: Executor): Promise<number>;
}
