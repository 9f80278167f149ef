/**
 * Tables of the case engine (src/cases) and of push (src/notify), created by migration
 * `20261126-006-cases` (idempotency keys by `-008-idempotency-keys`, a reporter's e-mail by
 * `-009-case-reporter-email`). Portable columns as everywhere: text ids, ISO-8601 UTC text times, JSON as
 * text, 0/1 integers for flags.
 */
export type CasesTables = {
  cases: CasesTable;
  case_timeline: CaseTimelineTable;
  case_alarms: CaseAlarmsTable;
  case_timers: CaseTimersTable;
  case_code_seq: { day: string; seq: number };
  departments: DepartmentsTable;
  department_members: { department_id: string; user_id: string };
  duty_shifts: DutyShiftsTable;
  calendar_years: CalendarYearsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  idempotency_keys: IdempotencyKeysTable;
};

/** One case (案件) of the closed loop, whatever its source. */
export interface CasesTable {
  id: string;
  /** Human case number, `YYYYMMDD` + 5-digit sequence of the local day. */
  code: string;
  source: string;
  category: string;
  event_class: string;
  severity: string;
  title: string;
  description: string;
  state: string;
  place_id: string;
  /** The place's materialised path, so scope filters work as on places. */
  path: string;
  grid_id: string | null;
  lng: number | null;
  lat: number | null;
  address: string | null;
  reporter_id: string | null;
  /**
   * Reporter's contact details as given: a hotline caller's (no account), or a resident's optional
   * ones (the portal, Open311); personal data, masked by the presenters.
   */
  reporter_name: string | null;
  reporter_phone: string | null;
  reporter_email: string | null;
  department_id: string | null;
  assignee_id: string | null;
  /** 首问负责人: the first person who accepted; never changed by transfers. */
  first_responsible_id: string | null;
  handler_id: string | null;
  verifier_id: string | null;
  /** Whether the last dispatch was made by the dispatch rules (1) or a dispatcher (0). */
  dispatch_auto: number | null;
  /** 1 until a transfer or return shows the dispatch was wrong (准确派遣率). */
  dispatch_accurate: number | null;
  /** When the responsible unit received the case: the base of the deadlines. */
  received_at: string | null;
  accept_by: string | null;
  handle_by: string | null;
  registered_at: string | null;
  dispatched_at: string | null;
  accepted_at: string | null;
  handled_at: string | null;
  verified_at: string | null;
  closed_at: string | null;
  evaluated_at: string | null;
  voided_at: string | null;
  extension_pending: number;
  extension_until: string | null;
  extension_reason: string | null;
  extension_count: number;
  rework_count: number;
  satisfaction: string | null;
  /** 0 none, 1 grid head, 2 community, 3 sub-district. */
  escalation_level: number;
  reminder_count: number;
  alarm_count: number;
  created_at: string;
  updated_at: string;
  /** Optimistic concurrency: every update checks and bumps it. */
  version: number;
}

/** Every step of a case, with who, when, a note and photo references. */
export interface CaseTimelineTable {
  id: string;
  case_id: string;
  /** 1, 2, 3 … within the case. */
  seq: number;
  at: string;
  /** User id, or `system`. */
  actor_id: string;
  actor_name: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
  /** JSON array of photo references (URLs or upload ids). */
  photos: string;
  /** JSON object: the action's particulars (target, deadline, escalation targets …). */
  data: string;
}

/** Alarms joined to a case (one alarm → at most one case). */
export interface CaseAlarmsTable {
  alarm_id: string;
  case_id: string;
  rule_id: string;
  device_id: string;
  count: number;
  first_at: string;
  last_at: string;
  cleared_at: string | null;
  joined_at: string;
}

/** Persisted escalation timers, polled by the scheduler so they survive restarts. */
export interface CaseTimersTable {
  id: string;
  case_id: string;
  /** `accept`, `handle`, `subdistrict`, `remind`. */
  kind: string;
  due_at: string;
  /** Set when fired or cancelled. */
  done_at: string | null;
  /** `fired`, `moot` (the case had moved on), `cancelled`. */
  outcome: string | null;
  created_at: string;
}

/** A department (职能部门) that owns some categories, e.g. 环卫 sanitation owns garbage. */
export interface DepartmentsTable {
  id: string;
  code: string;
  name: string;
  /** JSON array of case category codes. */
  categories: string;
  created_at: string;
  updated_at: string;
}

/** A duty shift (值班): a person on duty for a grid on a date or on weekdays, local time. */
export interface DutyShiftsTable {
  id: string;
  user_id: string;
  grid_id: string;
  /** `YYYY-MM-DD` for a dated shift; null for a weekly one. */
  date: string | null;
  /** Weekly shifts: JSON array of ISO weekdays 1 (Monday) … 7 (Sunday). */
  weekdays: string | null;
  start_time: string;
  end_time: string;
  created_at: string;
}

/** Holiday schedules imported by an admin; merged with (and overriding) the bundled years. */
export interface CalendarYearsTable {
  year: number;
  data: string;
  imported_at: string;
  imported_by: string;
}

/** A webhook subscription: where to POST which events, signed with its secret. */
export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  /** HMAC-SHA256 key; kept in the clear because signing needs it (shown once at creation). */
  secret: string;
  /** JSON array of event types. */
  event_types: string;
  /** The creating admin's scope: events outside it are never delivered. */
  scope_path: string | null;
  scope_grid_id: string | null;
  active: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** One event to deliver to one subscription, with its attempts (the delivery log). */
export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  event_seq: number;
  event_type: string;
  /** `pending`, `delivered`, `failed` (gave up). */
  status: string;
  attempts: number;
  next_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/**
 * An `Idempotency-Key` a user sent with a case request, and the answer it got (idempotency.ts).
 * Claimed at the start of the request's transaction and answered at its end, so the key and what
 * it did commit together or not at all.
 */
export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  /** SHA-256 of the method, the route and the request body: a key reused for another request is refused. */
  fingerprint: string;
  /** The HTTP status and JSON body of the first answer; null only inside the claiming transaction. */
  status: number | null;
  response: string | null;
  created_at: string;
}
