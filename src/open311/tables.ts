/**
 * Tables of the Open311 module (src/open311), created by migration `20261126-007-open311`.
 * Portable columns as everywhere: text ids, ISO-8601 UTC text times, JSON as text, 0/1 flags.
 */
export type Open311Tables = {
  open311_keys: Open311KeysTable;
  open311_reports: Open311ReportsTable;
  open311_requests: Open311RequestsTable;
  open311_updates: Open311UpdatesTable;
};

/** An API key issued to one third-party app; only its SHA-256 hash is stored. */
export interface Open311KeysTable {
  id: string;
  app_name: string;
  key_hash: string;
  /** The first characters of the key, so an admin can tell keys apart without seeing them. */
  key_prefix: string;
  /** Reports this key may POST per minute. */
  rate_limit: number;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/**
 * What a reporter sent through Open311 beside the case itself: personal details (never shown in
 * any GET), the answers to the service's extra questions, the token of a batch service.
 */
export interface Open311ReportsTable {
  case_id: string;
  key_id: string;
  token: string | null;
  jurisdiction_id: string | null;
  email: string | null;
  device_id: string | null;
  account_id: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  address_string: string | null;
  address_id: string | null;
  /** JSON object: attribute code → value or list of values. */
  attributes: string;
  created_at: string;
}

/**
 * The public read model of residents' cases (source `resident`), projected from the case events:
 * only the fields GeoReport v2 publishes, never a person.
 */
export interface Open311RequestsTable {
  case_id: string;
  /** The case code (`YYYYMMDD` + sequence): the public service_request_id. */
  request_id: string;
  service_code: string;
  /** Our workflow state (src/cases/workflow.ts); statuses.ts maps it to Open311. */
  state: string;
  status_notes: string | null;
  agency_responsible: string | null;
  description: string;
  address: string | null;
  address_id: string | null;
  lat: number | null;
  lng: number | null;
  media_url: string | null;
  requested_at: string;
  updated_at: string;
  expected_at: string | null;
  /** Outbox seq of the last case event applied, so replays never move a request backwards. */
  event_seq: number;
}

/** One public status change of a request (mySociety `servicerequestupdates`). */
export interface Open311UpdatesTable {
  /** The outbox seq of the case event: unique, increasing. */
  update_id: number;
  case_id: string;
  request_id: string;
  state: string;
  /** `duplicate`, `not-ours` or `no-action` for a voided case (statuses.ts); else null. */
  void_kind: string | null;
  description: string | null;
  updated_at: string;
}
