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
type KpiLine = { key: string; name: string; value: number | null; numerator: string; denominator: string };
/** `GET /api/cases/stats/summary`. */
type CaseSummary = { reportedToday: number; open: number; overdue: number };

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
const isKpiReport = (x: unknown): x is { kpis: KpiLine[]; counts: Record<string, number> } =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as { counts?: unknown }).counts === 'object' &&
  Array.isArray((x as { kpis?: unknown }).kpis) &&
  (x as { kpis: unknown[] }).kpis.every(
    (k) => typeof k === 'object' && k !== null && typeof (k as KpiLine).key === 'string',
  );
const isSummary = (x: unknown): x is CaseSummary =>
  typeof x === 'object' &&
  x !== null &&
  ['reportedToday', 'open', 'overdue'].every((k) => typeof (x as Record<string, unknown>)[k] === 'number');

/**
 * GETs `path` every `everyMs`; null while absent, refused, or of an unexpected shape. A function
 * `path` is asked afresh for each request (a stable function: defined outside the component).
 */
function useOptionalApi<T>(
  path: string | (() => string),
  guard: (x: unknown) => x is T,
  everyMs: number,
  refreshKey = 0,
): T | null {
  const [data, setData] = useState<T | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the live feed's nudge to re-fetch now
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const answer = await api<unknown>(typeof path === 'function' ? path() : path);
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

/**
 * This month's KPIs up to now: a case counts as due once its handling deadline has passed, so a
 * deadline later this month does not read as "not handled on time" (kpi-counts.ts).
 */
const kpisOfMonthSoFar = () => `/api/kpis?to=${encodeURIComponent(new Date().toISOString())}`;

/** The KPIs of `GET /api/kpis` the big screen shows, by key. */
const rateTiles = [
  ['onTimeHandlingRate', 'screen.kpi.onTimeHandlingRate'],
  ['closingRate', 'screen.kpi.closingRate'],
  ['satisfactionRate', 'screen.kpi.satisfactionRate'],
] as const;

/**
 * 案件指标: cases reported today, open and overdue now (`GET /api/cases/stats/summary`), and this
 * month's 按期处置率, 结案率, 满意率 so far (`GET /api/kpis`) — each part shown only when its API answers.
 */
export function CaseKpiSlot({ refreshKey = 0 }: { refreshKey?: number }) {
  const { t, num } = useI18n();
  const summary = useOptionalApi('/api/cases/stats/summary', isSummary, 60_000, refreshKey);
  const report = useOptionalApi(kpisOfMonthSoFar, isKpiReport, 60_000, refreshKey);
  if (!summary && !report) return null;
  return (
    <section className="panel" data-slot="cases">
      <h2 className="panel__title">{t('screen.slot.cases')}</h2>
      <div className="kpis kpis--compact">
        {summary && (
          <>
            <Count id="casesToday" label={t('screen.kpi.casesToday')} value={num(summary.reportedToday)} />
            <Count id="openCases" label={t('screen.kpi.openCases')} value={num(summary.open)} />
            <Count
              id="overdue"
              label={t('screen.kpi.overdue')}
              value={num(summary.overdue)}
              alert={summary.overdue > 0}
              detail={t('screen.kpi.overdueDetail')}
            />
          </>
        )}
        {report &&
          rateTiles.map(([key, label]) => {
            const k = report.kpis.find((line) => line.key === key);
            if (!k) return null;
            return (
              <Count
                key={key}
                id={key}
                label={t(label)}
                value={k.value === null ? '—' : `${num(k.value, 1)}%`}
                detail={t('screen.kpi.monthDetail', {
                  numerator: num(report.counts[k.numerator] ?? 0),
                  denominator: num(report.counts[k.denominator] ?? 0),
                })}
              />
            );
          })}
      </div>
    </section>
  );
}

function Count(props: { id: string; label: string; value: string; detail?: string; alert?: boolean }) {
  return (
    <div className={props.alert ? 'kpi kpi--alert' : 'kpi'} data-kpi={props.id}>
      <div className="kpi__label">{props.label}</div>
      <div className="kpi__value">{props.value}</div>
      {props.detail && <div className="kpi__detail">{props.detail}</div>}
    </div>
  );
}
