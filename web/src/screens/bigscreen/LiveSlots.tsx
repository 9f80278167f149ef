import { useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

/**
 * Slots for what the closed loop will feed the big screen: the live alarm feed and the case KPIs.
 * Each asks its API; while the API is absent (404) or refuses this user (401/403), the slot
 * renders nothing — never a placeholder number. The feed polls until the WebSocket push exists.
 */

/** The fields of an alarm the feed shows (the alarm API's `alarmView` carries more). */
type AlarmItem = { id: string; title: string; severity: string; lastAt: string; status: string };
/** The fields of a KPI line the tiles show (the case API's `kpiReportView`). */
type KpiLine = { key: string; name: string; value: number | null };

const isAlarmPage = (x: unknown): x is { items: AlarmItem[]; total: number } =>
  typeof x === 'object' &&
  x !== null &&
  Array.isArray((x as { items?: unknown }).items) &&
  (x as { items: unknown[] }).items.every(
    (i) =>
      typeof i === 'object' &&
      i !== null &&
      typeof (i as AlarmItem).id === 'string' &&
      typeof (i as AlarmItem).title === 'string',
  );
const isKpiReport = (x: unknown): x is { kpis: KpiLine[] } =>
  typeof x === 'object' &&
  x !== null &&
  Array.isArray((x as { kpis?: unknown }).kpis) &&
  (x as { kpis: unknown[] }).kpis.every(
    (k) => typeof k === 'object' && k !== null && typeof (k as KpiLine).name === 'string',
  );

/** GETs `path` every `everyMs`; null while absent, refused, or of an unexpected shape. */
function useOptionalApi<T>(path: string, guard: (x: unknown) => x is T, everyMs: number, refreshKey = 0): T | null {
  const [data, setData] = useState<T | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the live feed's nudge to re-fetch now
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const answer = await api<unknown>(path);
        if (live) setData(guard(answer) ? answer : null);
      } catch (err) {
        if (live) setData(null);
        // Absent or not for this user: stop asking until the page is reloaded.
        if (err instanceof ApiError && [401, 403, 404, 405].includes(err.status)) return;
      }
      if (live) timer = setTimeout(load, everyMs);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, guard, everyMs, refreshKey]);
  return data;
}

/** 实时告警: open alarms, newest first — shown only when `GET /api/alarms` answers. */
export function AlarmFeedSlot({ refreshKey = 0 }: { refreshKey?: number }) {
  const { t } = useI18n();
  const page = useOptionalApi('/api/alarms?status=open&pageSize=12', isAlarmPage, 15_000, refreshKey);
  if (!page) return null;
  return (
    <section className="panel" data-slot="alarms">
      <h2 className="panel__title">{t('screen.slot.alarms')}</h2>
      {page.items.length === 0 ? (
        <p className="muted">{t('screen.slot.noAlarms')}</p>
      ) : (
        <ul className="alarm-list">
          {page.items.map((a) => (
            <li key={a.id} className={`alarm alarm--${a.severity}`}>
              <span className="alarm__title">{a.title}</span>
              <time className="alarm__time" dateTime={a.lastAt}>
                {new Date(a.lastAt).toLocaleTimeString()}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** 案件指标: the case KPIs of the viewer's area — shown only when `GET /api/kpis` answers. */
export function CaseKpiSlot({ refreshKey = 0 }: { refreshKey?: number }) {
  const { t, num } = useI18n();
  const report = useOptionalApi('/api/kpis', isKpiReport, 60_000, refreshKey);
  if (!report) return null;
  return (
    <section className="panel" data-slot="cases">
      <h2 className="panel__title">{t('screen.slot.cases')}</h2>
      <div className="kpis kpis--compact">
        {report.kpis.slice(0, 6).map((k) => (
          <div className="kpi" key={k.key} data-kpi={k.key}>
            <div className="kpi__label">{k.name}</div>
            <div className="kpi__value">{k.value === null ? '—' : `${num(k.value, 1)}%`}</div>
          </div>
        ))}
      </div>
    </section>
  );
}
