/**
 * The signal log: every telemetry and attribute message a device sent, stored once (by its
 * idempotency key), in commit order (`seq`). Consumers (`rules`, device state) read it after their
 * position in `processor_positions`.
 */
export type SignalsTables = {
  signal_log: SignalLogTable;
  /** One row: the last seq handed out, locked by each ingest transaction so seq order is commit order. */
  signal_log_head: { id: number; seq: number };
};

export interface SignalLogTable {
  seq: number;
  /** sha-256 (hex, 128 bits) of device + message id, or of device + kind + timestamp + content. */
  idem_key: string;
  device_id: string;
  /** `telemetry` or `attributes` (ThingsBoard's client-side attributes). */
  kind: string;
  /** Device time of the reading (ISO-8601 UTC); the receive time when the device sent none. */
  ts: string;
  received_at: string;
  /** The key/value pairs as JSON text (a detection is the `detection` value). */
  payload: string;
  /** `http`, `mqtt` or `batch`. */
  source: string;
}
