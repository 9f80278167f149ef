import type { I18n } from '../../i18n/index.tsx';
import { isMessageKey } from '../../i18n/translate.ts';

/** A duration in minutes as the SLA countdown shows it: "35分钟", "3小时5分", "2天4小时". */
export function durationText(t: I18n['t'], minutes: number): string {
  const m = Math.max(0, Math.round(Math.abs(minutes)));
  if (m < 60) return t('sla.minutes', { m });
  if (m < 24 * 60) return t('sla.hours', { h: Math.floor(m / 60), m: m % 60 });
  return t('sla.days', { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) });
}

/**
 * Minutes left to a deadline, counted down on the client between refreshes (wall time; the server's
 * light stays the authority on working-time limits).
 */
export function minutesLeft(handleBy: string | null | undefined, now: number): number | null {
  if (!handleBy) return null;
  return (Date.parse(handleBy) - now) / 60_000;
}

/** A message looked up by a key built from an API value, or the value itself when it is unknown. */
export function label(t: I18n['t'], prefix: string, value: string, fallback = value): string {
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? t(key) : fallback;
}

/** A timestamp as local date and time (Beijing time for the district). */
export function when(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(locale, {
    timeZone: 'Asia/Shanghai',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}
