// GeoReport v2 "Date/time format": a subset of ISO 8601 (W3C NOTE-datetime) that must carry its
// time zone, `Z` or an `±HH:MM` offset. We answer in the jurisdiction's own offset (+08:00 for
// China), as the specification's examples do with theirs.

const w3c = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Reads a W3C date-time with its zone; null when malformed, without a zone, or not a real instant.
 * A space where the offset's `+` should be is read as `+`: an unencoded `+` in a query string
 * arrives as a space (`start_date=2026-11-26T10:00:00+08:00`).
 */
export function parseW3cDateTime(text: string): Date | null {
  const m = w3c.exec(text.trim().replace(/ (\d{2}:?\d{2})$/, '+$1'));
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(4)) > 59)) return null;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  if (Number.isNaN(at.getTime())) return null;
  // Date rolls 2026-02-30 over to March; a date that does not exist is malformed.
  const local = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (local.getUTCDate() !== Number(d)) return null;
  return at;
}

/** `2026-11-26T09:00:00+08:00`: the instant in the zone `offsetMinutes` east of UTC, to the second. */
export function formatW3cDateTime(at: Date | string, offsetMinutes: number): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  const shifted = new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${shifted}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
