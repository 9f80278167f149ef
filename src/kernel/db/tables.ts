import type { CasesTables } from '../../cases/tables.ts';
import type { Open311Tables } from '../../open311/tables.ts';
import type { RulesTables } from '../../rules/tables.ts';
import type { SignalsTables } from '../../signals/tables.ts';
import type { EpcisCaptureTables } from '../../trace/epcis/tables.ts';
import type { TraceTables } from '../../trace/tables.ts';

/**
 * The whole database: the kernel's and the twin's tables below, and each module's own
 * (`src/<module>/tables.ts`), joined here.
 */
export type Database = KernelTables &
  TraceTables &
  CasesTables &
  EpcisCaptureTables &
  SignalsTables &
  RulesTables &
  Open311Tables;

/**
 * Tables of the kernel and the twin. Columns are portable between SQLite and PostgreSQL: ids are
 * text (UUIDs or codes), times are ISO-8601 UTC text, JSON is text, geometry is GeoJSON text.
 */
export interface KernelTables {
  places: PlacesTable;
  grids: GridsTable;
  devices: DevicesTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  settings: SettingsTable;
  domain_events: DomainEventsTable;
  domain_event_head: { id: number; seq: number };
  processor_positions: { processor: string; seq: number; updated_at: string };
  /** Rate-limit counters shared by the nodes (src/kernel/http/rate-limits.ts). */
  rate_limit_counters: { key: string; window_start: number; count: number };
}

/** The outbox: every domain event, written in the transaction of the change it describes. */
export interface DomainEventsTable {
  seq: number;
  type: string;
  subject_type: string;
  subject_id: string;
  payload: string;
  at: string;
}

/** The place tree: district → sub-district → community → compound → building, and facilities. */
export interface PlacesTable {
  id: string;
  code: string;
  kind: string;
  name: string;
  parent_id: string | null;
  /** Materialised path of ids, `/root/…/self/`, so a subtree is one prefix match. */
  path: string;
  /** The grid cell the place's centroid falls in (kept by the spatial index). */
  grid_id: string | null;
  geometry: string | null;
  lng: number | null;
  lat: number | null;
  attributes: string;
  created_at: string;
  updated_at: string;
}

/** Grid cells (网格): polygons inside a community, each with a grid worker and a grid head. */
export interface GridsTable {
  id: string;
  code: string;
  name: string;
  community_id: string;
  /** The community's path, so scope filters work on grids as on places. */
  path: string;
  geometry: string;
  worker_id: string | null;
  head_id: string | null;
  attributes: string;
  created_at: string;
  updated_at: string;
}

export interface DevicesTable {
  id: string;
  code: string;
  name: string;
  kind: string;
  place_id: string;
  path: string;
  grid_id: string | null;
  lng: number;
  lat: number;
  attributes: string;
  status: string;
  last_seen_at: string | null;
  token_hash: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  password_hash: string | null;
  phone: string | null;
  /** Root of the place subtree the user may see; null means the whole system. */
  scope_place_id: string | null;
  /** A grid worker's or grid head's own grid. */
  scope_grid_id: string | null;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}
