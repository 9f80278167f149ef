/**
 * Tables of the EPCIS 2.0 REST binding beside the event store (src/trace/tables.ts); migrations
 * 20261126-004-epcis-capture and 20261126-008-epcis-capture-queue. Times are ISO-8601 UTC text, JSON is text, booleans are 0/1.
 */
export type EpcisCaptureTables = {
  epcis_sequence: { id: number; seq: number };
  epcis_capture_jobs: EpcisCaptureJobsTable;
  epcis_capture_queue: EpcisCaptureQueueTable;
  epcis_master_data: EpcisMasterDataTable;
  epcis_event_facets: EpcisEventFacetsTable;
  epcis_queries: EpcisQueriesTable;
  epcis_subscriptions: EpcisSubscriptionsTable;
  epcis_deliveries: EpcisDeliveriesTable;
};

/** A capture job (EPCIS 2.0 REST `/capture/{captureID}`). */
export interface EpcisCaptureJobsTable {
  id: string;
  created_by: string;
  created_at: string;
  finished_at: string | null;
  running: number;
  success: number;
  /** `rollback` (all or nothing) or `proceed` (greedy), from `GS1-Capture-Error-Behaviour`. */
  error_behaviour: string;
  event_count: number;
  captured_count: number;
  /** Events already stored (same CBV 2.0 event hash), stored once. */
  duplicate_count: number;
  /** JSON array of RFC 9457 problem details, one per rejected event. */
  errors: string;
  first_seq: number | null;
  last_seq: number | null;
}

/**
 * An accepted capture document waiting for the capture worker (migration 008): kept as it came
 * until its job has run, then deleted in the transaction that stores its events.
 */
export interface EpcisCaptureQueueTable {
  /** Queue order (acceptance order): from `epcis_sequence` row 2. */
  seq: number;
  job_id: string;
  /** `json` (an EPCISDocument in JSON-LD) or `xml`; `json+deflate`, `xml+deflate`: the body is deflated. */
  syntax: string;
  /** The request body as received, or (large bodies) its raw DEFLATE stream in base64. */
  body: string;
}

/**
 * EPCIS master data (vocabulary elements): business locations and read points (SGLN), parties
 * (PGLN), products (EPC classes / GTIN), linked to a twin place and an owning user.
 */
export interface EpcisMasterDataTable {
  /** The vocabulary type URI, e.g. `urn:epcglobal:epcis:vtype:BusinessLocation`. */
  vocabulary: string;
  /** The element id normalised like event identifiers (canonical Digital Link, else as given). */
  id: string;
  /** The element id as captured. */
  uri: string;
  name: string | null;
  /** JSON object: attribute id → value, as in the master data document. */
  attributes: string;
  /** JSON array of the normalised ids of the element's children (EPCIS 2.0 §6.5 hierarchy). */
  children: string;
  place_id: string | null;
  /** The twin place's materialised path, so regulators' scope filters events by location. */
  place_path: string | null;
  /** The enterprise user who owns the location or party and may capture events there. */
  owner_id: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * Values the standard query parameters filter on that have no column of their own: error
 * declarations, persistent dispositions, sensor data, extension fields (`EQ_ns:field`, `EQ_ILMD_…`).
 */
export interface EpcisEventFacetsTable {
  event_seq: number;
  /** What the value is, e.g. `errorReason`, `sensor.maxValue.CEL`, `ext:{https://ns.example.com/}f`. */
  facet: string;
  text_value: string | null;
  /** Numbers, and times as epoch milliseconds, for GT_/GE_/LT_/LE_ comparisons. */
  num_value: number | null;
}

/** A named query (`POST /epcis/queries`). */
export interface EpcisQueriesTable {
  name: string;
  /** JSON: the query object (EPCIS query language parameters) and its `@context`. */
  query: string;
  owner_id: string;
  created_at: string;
}

/** A webhook subscription to a named query. */
export interface EpcisSubscriptionsTable {
  id: string;
  query_name: string;
  /** Deliveries carry only what this user may read. */
  owner_id: string;
  dest: string;
  /** The client's secret for the HMAC-SHA256 `GS1-Signature`; needed in clear to sign. */
  signature_token: string | null;
  stream: number;
  /** JSON schedule (second, minute, hour, dayOfMonth, month, dayOfWeek) or null for a stream. */
  schedule: string | null;
  report_if_empty: number;
  initial_record_time: string;
  /** The record order up to which events have been considered (delivered or not matching). */
  last_seq: number;
  created_at: string;
  last_notified_at: string | null;
}

/** One webhook delivery (an EPCISQueryDocument POSTed to a subscriber), kept as a record. */
export interface EpcisDeliveriesTable {
  id: string;
  subscription_id: string;
  created_at: string;
  body: string;
  event_count: number;
  /** pending | delivered | failed */
  status: string;
  attempts: number;
  http_status: number | null;
  error: string | null;
  next_attempt_at: string;
  delivered_at: string | null;
}
