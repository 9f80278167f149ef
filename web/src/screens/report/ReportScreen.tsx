import { useCallback, useEffect, useRef, useState } from 'react';
import {
  type CaseDetailView,
  type CaseView,
  getCase,
  listCases,
  newRequestKey,
  reportCase,
  visibleGrids,
} from '../../api/cases.ts';
import { type LiveCaseData, type LiveEvent, useLiveFeed } from '../../api/live.ts';
import type { GridView } from '../../api/types.ts';
import { ActionPanel } from '../../components/cases/ActionPanel.tsx';
import { CaseTimeline } from '../../components/cases/CaseTimeline.tsx';
import { when } from '../../components/cases/case-format.ts';
import { ReportForm } from '../../components/cases/ReportForm.tsx';
import { AppHeader } from '../../components/layout/AppHeader.tsx';
import { useI18n } from '../../i18n/index.tsx';
import '../../styles/cases.css';

/**
 * The resident portal (居民上报): report a problem with photos and optional contact details, follow
 * my reports, rate the result once closed (评价). It uses `/api/cases` with the resident's session:
 * the API lists a resident only the cases they reported; their contact details reach the
 * dispatcher of the case and are never public (masked in lists, absent from Open311).
 */
export default function ReportScreen() {
  const { t, locale } = useI18n();
  const [grids, setGrids] = useState<GridView[]>([]);
  const [mine, setMine] = useState<CaseView[] | null>(null);
  const [open, setOpen] = useState<CaseDetailView | null>(null);

  const reload = useCallback(async () => {
    try {
      setMine((await listCases({}, 1, 100)).items);
    } catch {
      setMine([]);
    }
  }, []);

  useEffect(() => {
    void reload();
    void visibleGrids().then(setGrids, () => setGrids([]));
    // A fallback for a report made elsewhere (the hotline); the live feed below does the rest.
    const id = setInterval(() => void reload(), 60_000);
    return () => clearInterval(id);
  }, [reload]);

  // Live: one `case:<id>` channel per report still in progress (the server sends a resident only
  // their own cases); the list and the open report refresh when one changes.
  const openRef = useRef(open);
  openRef.current = open;
  const channelKey = (mine ?? [])
    .filter((c) => c.state !== 'evaluated' && c.state !== 'voided')
    .map((c) => `case:${c.id}`)
    .join(',');
  // (the feed reconnects only when the joined key changes, not on every new array)
  const channels = mine === null ? null : channelKey ? channelKey.split(',') : [];
  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (e.type !== 'case.created' && e.type !== 'case.updated') return;
      void reload();
      const data = e.data as LiveCaseData;
      if (data.id === openRef.current?.id) void getCase(data.id).then(setOpen, () => undefined);
    },
    [reload],
  );
  useLiveFeed(channels, onEvent);

  return (
    <div className="page" data-screen="report">
      <AppHeader />
      <main className="portal">
        <section className="portal__form">
          <h1>{t('report.title')}</h1>
          <ReportForm
            grids={grids}
            submitLabel={t('report.submit')}
            photoLabel={t('photo.report')}
            askContact
            // One key per submission: a double click or a retried request makes one report.
            send={(input) => reportCase(input, newRequestKey())}
            onDone={() => void reload()}
          />
        </section>
        <section className="portal__mine">
          <h2>{t('report.mine', { n: mine?.length ?? 0 })}</h2>
          {mine === null ? (
            <p className="muted">{t('common.loading')}</p>
          ) : mine.length === 0 ? (
            <p className="muted">{t('case.none')}</p>
          ) : (
            <ul className="tasks" data-testid="my-reports">
              {mine.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className="task"
                    data-case={c.code}
                    data-state={c.state}
                    onClick={() => void getCase(c.id).then(setOpen)}
                  >
                    <span className="task__title">{c.title}</span>
                    <span className="chip">{t(`caseState.${c.state}`)}</span>
                    <span className="task__meta muted">
                      {c.code} · {when(c.createdAt, locale)}
                    </span>
                    {c.satisfaction && (
                      <span className="muted">{t('report.rated', { value: t(`satisfaction.${c.satisfaction}`) })}</span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {open && (
            <article className="task-detail" data-case={open.code} data-state={open.state}>
              <h3>
                {open.title} <span className="chip">{t(`caseState.${open.state}`)}</span>
              </h3>
              {open.availableActions.includes('evaluate') && <h4>{t('report.rate')}</h4>}
              <ActionPanel
                key={`${open.id}:${open.updatedAt}`}
                detail={open}
                offered={['evaluate']}
                onDone={(after) => {
                  setOpen(after);
                  void reload();
                }}
              />
              <CaseTimeline steps={open.timeline} />
            </article>
          )}
        </section>
      </main>
    </div>
  );
}
