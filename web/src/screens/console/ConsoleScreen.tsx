import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  type CaseCategory,
  type CaseDetailView,
  type CaseFilters,
  type CaseView,
  caseCategories,
  caseExportUrl,
  getCase,
  listCases,
  openStates,
  visibleGrids,
} from '../../api/cases.ts';
import { api, probe } from '../../api/client.ts';
import { type LiveCaseData, type LiveEvent, useLiveFeed } from '../../api/live.ts';
import type { GridView, Page } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { label, when } from '../../components/cases/case-format.ts';
import { LiveDot } from '../../components/cases/LiveDot.tsx';
import { SlaBadge } from '../../components/cases/SlaBadge.tsx';
import { useNow } from '../../components/cases/use-now.ts';
import { useScopeChannels } from '../../components/cases/use-scope-channels.ts';
import { AppHeader } from '../../components/layout/AppHeader.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { CaseDetailPane } from './CaseDetailPane.tsx';
import '../../styles/cases.css';

const allStates = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'returned',
  'handled',
  'verified',
  'closed',
  'evaluated',
  'voided',
] as const;

/**
 * The dispatch console (调度台): the case queue with SLA lights and countdowns, filters, one case's
 * detail with its timeline, photos, map and actions; the queue exported with its filters (CSV/XLSX)
 * and the KPIs; refreshed live from `/api/live`.
 */
export default function ConsoleScreen() {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const now = useNow(15_000);
  const [filters, setFilters] = useState<CaseFilters>({ status: openStates.join(',') });
  const [cases, setCases] = useState<CaseView[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<CaseDetailView | null>(null);
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  const [grids, setGrids] = useState<GridView[]>([]);
  const [canExport, setCanExport] = useState(false);
  const [people, setTargets] = useState<{ id: string; displayName: string; role: string }[]>([]);
  // Whom to dispatch to: each visible grid's worker and head (the grids API names them), and,
  // for those who may list users, every worker and handler.
  const targets = useMemo(() => {
    const out = new Map<string, string>();
    for (const g of grids) {
      if (g.worker) out.set(g.worker.id, `${g.worker.name ?? g.worker.id}（${g.name} ${t('console.gridWorker')}）`);
      if (g.head && !out.has(g.head.id))
        out.set(g.head.id, `${g.head.name ?? g.head.id}（${g.name} ${t('console.gridHead')}）`);
    }
    for (const u of people) if (!out.has(u.id)) out.set(u.id, `${u.displayName}（${label(t, 'role', u.role)}）`);
    return [...out].map(([id, name]) => ({ id, name }));
  }, [grids, people, t]);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  useEffect(() => {
    void caseCategories().then(setCategories, () => setCategories([]));
    void visibleGrids().then(setGrids, () => setGrids([]));
    void probe('/api/kpis').then(setCanExport);
    // Only administrators and leaders may list users; a dispatcher types the person's id instead.
    void Promise.all(
      ['worker', 'handler'].map((role) =>
        api<Page<{ id: string; displayName: string; role: string }>>(`/api/users?role=${role}&pageSize=500`),
      ),
    ).then(
      (pages) => setTargets(pages.flatMap((p) => p.items)),
      () => setTargets([]),
    );
  }, []);

  // Reloads overlap (a filter change, a live event's delayed reload): only the answer to the
  // latest request, made with the current filters, may fill the queue.
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const seq = ++latest.current;
    try {
      const page = await listCases(filtersRef.current, 1, 200);
      if (seq !== latest.current) return;
      setCases(page.items);
      setTotal(page.total);
      setError(null);
      setUpdatedAt(Date.now());
    } catch (err) {
      if (seq === latest.current) setError(String(err instanceof Error ? err.message : err));
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a change of the filters is what reloads
  useEffect(() => {
    void reload();
  }, [reload, filters]);

  const loadDetail = useCallback(async (id: string) => {
    try {
      setDetail(await getCase(id));
    } catch (err) {
      setError(String(err instanceof Error ? err.message : err));
    }
  }, []);

  useEffect(() => {
    if (selected) void loadDetail(selected);
    else setDetail(null);
  }, [selected, loadDetail]);

  // Live: any case event reloads the queue (filters, order and totals stay the server's), and the
  // open case when it is the one that changed. Bursts are coalesced into one reload.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (e.type !== 'case.created' && e.type !== 'case.updated') return;
      clearTimeout(pending.current);
      pending.current = setTimeout(() => void reload(), 250);
      const data = e.data as LiveCaseData;
      if (data.id === selectedRef.current) void loadDetail(data.id);
    },
    [reload, loadDetail],
  );
  useEffect(() => () => clearTimeout(pending.current), []);
  const status = useLiveFeed(useScopeChannels(me), onEvent, () => void reload());

  const gridName = useMemo(() => new Map(grids.map((g) => [g.id, g.name])), [grids]);
  const set = (patch: Partial<CaseFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const statusValue = filters.status === openStates.join(',') ? 'open' : (filters.status ?? '');

  return (
    <div className="page page--wide" data-screen="console">
      <AppHeader />
      <div className="toolbar">
        <h1 className="toolbar__title">{t('console.title')}</h1>
        <label>
          {t('console.filter.category')}
          <select
            name="category"
            value={filters.category ?? ''}
            onChange={(e) => set({ category: e.target.value || undefined })}
          >
            <option value="">{t('console.filter.all')}</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {locale === 'en' ? c.nameEn : c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('console.filter.status')}
          <select
            name="status"
            value={statusValue}
            onChange={(e) =>
              set({ status: e.target.value === 'open' ? openStates.join(',') : e.target.value || undefined })
            }
          >
            <option value="open">{t('console.filter.open')}</option>
            <option value="">{t('console.filter.all')}</option>
            {allStates.map((s) => (
              <option key={s} value={s}>
                {t(`caseState.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('console.filter.grid')}
          <select name="grid" value={filters.grid ?? ''} onChange={(e) => set({ grid: e.target.value || undefined })}>
            <option value="">{t('console.filter.all')}</option>
            {grids.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="overdue"
            checked={filters.overdue === 'true'}
            onChange={(e) => set({ overdue: e.target.checked ? 'true' : undefined })}
          />
          {t('console.filter.overdue')}
        </label>
        {canExport && (
          <span className="toolbar__export" data-testid="export">
            {t('console.export')}：{t('console.exportCases')}
            <a href={caseExportUrl(filters, 'csv')} download data-export="cases-csv">
              {t('console.exportCsv')}
            </a>
            <a href={caseExportUrl(filters, 'xlsx')} download data-export="cases-xlsx">
              {t('console.exportXlsx')}
            </a>
            · {t('console.exportKpis')}
            <a href="/api/kpis?format=csv" download data-export="kpis-csv">
              {t('console.exportCsv')}
            </a>
            <a href="/api/kpis?format=xlsx" download data-export="kpis-xlsx">
              {t('console.exportXlsx')}
            </a>
          </span>
        )}
        <LiveDot status={status} />
        {updatedAt && (
          <span className="muted">
            {t('console.lastUpdate', { time: when(new Date(updatedAt).toISOString(), locale) })}
          </span>
        )}
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {t('common.loadFailed', { message: error })}
        </p>
      )}
      <main className="console">
        <section className="queue">
          <h2 className="queue__title">{t('console.queue', { n: total })}</h2>
          {cases === null ? (
            <p className="muted">{t('common.loading')}</p>
          ) : cases.length === 0 ? (
            <p className="muted">{t('case.none')}</p>
          ) : (
            <table className="queue__table" data-testid="queue">
              <thead>
                <tr>
                  <th>{t('case.code')}</th>
                  <th>{t('case.category')}</th>
                  <th>{t('case.state')}</th>
                  <th>{t('case.grid')}</th>
                  <th>{t('case.deadline')}</th>
                </tr>
              </thead>
              <tbody>
                {cases.map((c) => (
                  <tr
                    key={c.id}
                    data-case={c.code}
                    data-state={c.state}
                    className={c.id === selected ? 'is-selected' : ''}
                    onClick={() => setSelected(c.id)}
                  >
                    <td>
                      <button type="button" className="link-button">
                        {c.code}
                      </button>
                      <div className="muted small">{label(t, 'caseSource', c.source)}</div>
                    </td>
                    <td>{c.category.name}</td>
                    <td>{t(`caseState.${c.state}`)}</td>
                    <td>{(c.gridId && gridName.get(c.gridId)) || '—'}</td>
                    <td>
                      <SlaBadge c={c} now={now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="console__detail">
          {detail ? (
            <CaseDetailPane
              detail={detail}
              grids={grids}
              now={now}
              targets={targets}
              onChanged={(after) => {
                setDetail(after);
                void reload();
              }}
            />
          ) : (
            <p className="muted">{t('console.select')}</p>
          )}
        </section>
      </main>
    </div>
  );
}
