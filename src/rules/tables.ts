/** Rules (as data, versioned), their per-device window state, and the alarms they raise. */
export type RulesTables = {
  rules: RulesTable;
  rule_versions: RuleVersionsTable;
  rule_state: RuleStateTable;
  alarms: AlarmsTable;
};

export interface RulesTable {
  id: string;
  code: string;
  name: string;
  version: number;
  enabled: number;
  /** The rule definition (src/rules/schema.ts `ruleDefinition`) as JSON text. */
  definition: string;
  /** Paths of the places the rule is scoped to, as a JSON array; `[]` for a rule of the whole system. */
  place_paths: string;
  created_at: string;
  updated_at: string;
}

/** Every version a rule had, so an alarm's `rule_version` can be explained later. */
export interface RuleVersionsTable {
  rule_id: string;
  version: number;
  /** The whole rule (code, name, enabled, definition) as JSON text. */
  rule: string;
  changed_at: string;
  changed_by: string;
}

/** Window state of a stateful rule for one device (durations, counts, last values). */
export interface RuleStateTable {
  rule_id: string;
  device_id: string;
  /** Rule version the state was built under; a new version starts afresh. */
  rule_version: number;
  state: string;
  updated_at: string;
}

export interface AlarmsTable {
  id: string;
  rule_id: string;
  rule_version: number;
  device_id: string;
  device_code: string;
  device_kind: string;
  place_id: string;
  /** The device's place path, so scope filters and roll-ups are prefix matches. */
  path: string;
  grid_id: string | null;
  lng: number;
  lat: number;
  category: string;
  severity: string;
  title: string;
  /** `active`, `acknowledged` or `cleared`. */
  status: string;
  /** `<rule>|<device>|<category>` while the alarm is open, null once cleared: unique, so one open alarm per key. */
  open_key: string | null;
  count: number;
  first_at: string;
  last_at: string;
  /** The last detection (JSON text), for camera alarms. */
  detection: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  cleared_at: string | null;
  cleared_by: string | null;
  clear_reason: string | null;
  created_at: string;
  updated_at: string;
}
