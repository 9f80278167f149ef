/**
 * The EPCIS event store (migrations 003, 004, 010). Each captured event is kept whole (its JSON-LD
 * form, field for field) with the columns the standard queries filter on, and every identifier it
 * names is indexed in `epcis_event_ids` — the table the trace engine walks. Capture writes an
 * event, its identifiers and its facets in one transaction (no foreign keys: docs/decisions/004).
 */
export type TraceTables = {
  epcis_events: EpcisEventsTable;
  epcis_event_ids: EpcisEventIdsTable;
};

export interface EpcisEventsTable {
  /** Record order (assigned at capture); pages and `GE_recordTime` follow it. The rowid on SQLite. */
  seq: number;
  /**
   * The eventID as captured, or the CBV 2.0 hash ID when the event had none. Unique; indexed only
   * where it differs from `event_hash` (look events up with `eventIdIn`, epcis/query-store.ts).
   */
  event_id: string;
  /** CBV 2.0 event hash (`ni:///sha-256;…?ver=CBV2.0`); capturing the same event again stores it once. */
  event_hash: string;
  event_type: string;
  /** UTC ISO-8601 with milliseconds, so text order is time order. */
  event_time: string;
  event_time_zone_offset: string;
  record_time: string;
  action: string | null;
  /** CBV short name (`shipping`) for standard values, else the absolute URI. */
  biz_step: string | null;
  disposition: string | null;
  read_point: string | null;
  biz_location: string | null;
  transformation_id: string | null;
  /** The event as JSON-LD text, with `recordTime` and `eventID` filled in. */
  document: string;
  capture_id: string;
  /** User id of whoever captured it (an enterprise captures only for its own locations). */
  captured_by: string;
  /** JSON `{ prefix: namespace }` of the capturing document's `@context` (extension names); null: none. */
  context: string | null;
  /** Twin place path of the event's location (master data at capture), for regulators' scope; null: unknown. */
  scope_path: string | null;
  /** Enterprise user owning the event's location (master data at capture); null: none. */
  owner_id: string | null;
  /** `read_point` and `biz_location` normalised like identifiers (URN and Digital Link of one GLN match). */
  read_point_key: string | null;
  biz_location_key: string | null;
}

/** Which identifiers an event names, and how. */
export interface EpcisEventIdsTable {
  event_seq: number;
  /**
   * Normalised with `toCanonicalDigitalLink` (src/trace/event-hash/digital-link.ts): EPC URNs and
   * Digital Links of one item become the same `https://id.gs1.org/…` URI; anything else as given.
   */
  identifier: string;
  /** epc | parent | child | input | output — for classes: epcClass | childEpcClass | inputEpcClass | outputEpcClass */
  role: string;
  quantity: number | null;
  uom: string | null;
}
