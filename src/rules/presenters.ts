import type { AlarmSeverity, AlarmStatus } from './events.ts';
import type { AlarmView } from './schema.ts';
import type { AlarmRow } from './store.ts';

/** An alarm as clients see it (the same shape for HTTP and pushes). */
export function presentAlarm(row: AlarmRow): AlarmView {
  const d = row.detection
    ? (JSON.parse(row.detection) as { type: string; confidence: number; snapshotUrl: string | null; at: string })
    : null;
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleVersion: Number(row.rule_version),
    deviceId: row.device_id,
    deviceCode: row.device_code,
    deviceKind: row.device_kind,
    placeId: row.place_id,
    gridId: row.grid_id,
    location: [Number(row.lng), Number(row.lat)],
    category: row.category,
    severity: row.severity as AlarmSeverity,
    title: row.title,
    status: row.status as AlarmStatus,
    count: Number(row.count),
    firstAt: row.first_at,
    lastAt: row.last_at,
    detection: d ? { type: d.type, confidence: d.confidence, snapshotUrl: d.snapshotUrl, at: d.at } : null,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    clearedAt: row.cleared_at,
    clearedBy: row.cleared_by,
    clearReason: row.clear_reason,
  };
}
