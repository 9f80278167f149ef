import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  actOnCase,
  type CaseActionInput,
  type CaseDetailView,
  type CaseView,
  getCase,
  listCases,
  newRequestKey,
  openStates,
  type ReportInput,
  reportCase,
  visibleGrids,
} from '../../api/cases.ts';
import { ApiError } from '../../api/client.ts';
import { type LiveCaseData, type LiveEvent, useLiveFeed } from '../../api/live.ts';
import type { GridView } from '../../api/types.ts';
import type { UploadView } from '../../api/uploads.ts';
import { useSession } from '../../app/session.tsx';
import { ActionPanel } from '../../components/cases/ActionPanel.tsx';
import { CaseMap } from '../../components/cases/CaseMap.tsx';
import { CaseTimeline } from '../../components/cases/CaseTimeline.tsx';
import { LiveDot } from '../../components/cases/LiveDot.tsx';
import { PhotoPicker } from '../../components/cases/PhotoPicker.tsx';
import type { ReportExtras } from '../../components/cases/ReportForm.tsx';
import { SlaBadge } from '../../components/cases/SlaBadge.tsx';
import { useNow } from '../../components/cases/use-now.ts';
import { useScopeChannels } from '../../components/cases/use-scope-channels.ts';
import { UserMenu } from '../../components/layout/UserMenu.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { flushQueue, type QueuedItem, sendReport, storageQueue } from './action-queue.ts';
import { beep, unlockSound } from './beep.ts';
import { PatrolForm } from './PatrolForm.tsx';
import '../../styles/cases.css';

type Tab = 'tasks' | 'map' | 'patrol';

/** Deadline to sort by: to accept while dispatched, to handle after. */
const deadlineOf = (c: CaseView) =>
  Date.parse((c.state === 'dispatched' ? c.deadlines?.acceptBy : c.deadlines?.handleBy) ?? '9999-12-31');

/** Network errors, 5xx and 429 are worth retrying; 4xx answers are the server's decision. */
const isTransient = (err: unknown) =>
  !(err instanceof ApiError) || err.status >= 500 || err.status === 429 || err.status === 0;

/**
 * The grid worker's phone app (网格员工作台, 390×844): my tasks by deadline, a sound when a new one
 * arrives, accept and handle with notes and photos, the tasks on a map, and patrol reports with
 * photos and 自行处置. Actions and reports made offline wait in localStorage and are sent, each
 * under its idempotency key, when the network is back (action-queue.ts).
 */
export default function WorkerScreen() {
  const { t } = useI18n();
  const { me } = useSession();
  const now = useNow(15_000);
  const [tab, setTab] = useState<Tab>('tasks');
  const [cases, setCases] = useState<CaseView[] | null>(null);
  const [grids, setGrids] = useState<GridView[]>([]);
  const [open, setOpen] = useState<CaseDetailView | null>(null);
  const [banner, setBanner] = useState<string | null>(null);
  const [queued, setQueued] = useState<number>(0);
  const [error, setError] = useState<string | null>(null);
  const known = useRef<Set<string> | null>(null);
  const openRef = useRef(open);
  openRef.current = open;
  const userId = me?.id ?? '';
  const queue = useMemo(() => storageQueue(userId), [userId]);

  const reload = useCallback(async () => {
    try {
      const page = await listCases({ status: openStates.join(',') }, 1, 200);
      setCases(page.items);
      setError(null);
      // A task assigned to me that was not there before: sound and banner (not on first load).
      const mine = page.items.filter((c) => c.assignee?.id === userId && c.state === 'dispatched');
      if (known.current) {
        const fresh = mine.find((c) => !known.current!.has(c.id));
        if (fresh) {
          beep();
          setBanner(t('worker.newTask', { title: `${fresh.title} · ${fresh.code}` }));
        }
      }
      known.current = new Set([...(known.current ?? []), ...mine.map((c) => c.id)]);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [userId, t]);

  const flush = useCallback(async () => {
    const outcomes = await flushQueue({ ...queue, act: actOnCase, report: reportCase, isTransient });
    setQueued(queue.load().length);
    if (outcomes.some((o) => o.result !== 'kept')) void reload();
    const current = openRef.current;
    if (current && outcomes.length) void getCase(current.id).then(setOpen, () => undefined);
  }, [queue, reload]);

  useEffect(() => {
    void reload();
    void visibleGrids().then(setGrids, () => setGrids([]));
    setQueued(queue.load().length);
    void flush();
    const retry = setInterval(() => void flush(), 20_000);
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => {
      clearInterval(retry);
      window.removeEventListener('online', online);
    };
  }, [reload, flush, queue]);

  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (e.type !== 'case.created' && e.type !== 'case.updated') return;
      void reload();
      const data = e.data as LiveCaseData;
      if (data.id === openRef.current?.id) void getCase(data.id).then(setOpen, () => undefined);
    },
    [reload],
  );
  const status = useLiveFeed(useScopeChannels(me), onEvent, () => void reload());

  /**
   * Sends now, or queues when the network fails. The first attempt already carries the item's
   * idempotency key, so if it did arrive (only the answer was lost) the queued retry does nothing new.
   */
  const sendOrQueue = async (item: QueuedItem, now: () => Promise<CaseDetailView>): Promise<CaseDetailView | null> => {
    try {
      return await now();
    } catch (err) {
      if (!isTransient(err)) throw err;
      queue.save([...queue.load(), { ...item, attempts: 1 }]);
      setQueued(queue.load().length);
      return null;
    }
  };
  const send = (id: string, input: CaseActionInput) => {
    const item: QueuedItem = { key: newRequestKey(), caseId: id, input, queuedAt: Date.now(), attempts: 0 };
    return sendOrQueue(item, () => actOnCase(id, input, item.key));
  };
  const report = (input: ReportInput, extras: ReportExtras) => {
    const item: QueuedItem = {
      kind: 'report',
      key: newRequestKey(),
      input,
      selfHandleNote: extras.selfHandle ? extras.note : null,
      queuedAt: Date.now(),
      attempts: 0,
    };
    return sendOrQueue(item, () => sendReport({ act: actOnCase, report: reportCase }, item));
  };

  const sorted = useMemo(() => [...(cases ?? [])].sort((a, b) => deadlineOf(a) - deadlineOf(b)), [cases]);
  const mine = sorted.filter((c) => c.assignee?.id === userId);
  const others = sorted.filter((c) => c.assignee?.id !== userId);
  const points = useMemo(
    () => mine.filter((c) => c.location).map((c) => ({ id: c.id, lngLat: c.location!, light: c.sla.light })),
    [mine],
  );
  const myGrids = useMemo(() => grids.filter((g) => !me?.scope.gridId || g.id === me.scope.gridId), [grids, me]);

  const openCase = async (id: string) => {
    unlockSound();
    try {
      setOpen(await getCase(id));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="phone" data-screen="worker" onPointerDown={unlockSound}>
      <header className="phone__head">
        <span className="phone__title">{t('nav.worker')}</span>
        <LiveDot status={status} />
        <UserMenu />
      </header>
      {banner && (
        <div role="alert" className="banner">
          <button type="button" className="link-button" onClick={() => setBanner(null)}>
            {banner}
          </button>
        </div>
      )}
      {queued > 0 && (
        <p className="notice" data-testid="queued">
          {t('worker.queued', { n: queued })}
        </p>
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          {t('common.loadFailed', { message: error })}
        </p>
      )}
      <main className="phone__body">
        {open ? (
          <TaskDetail
            detail={open}
            grids={myGrids}
            now={now}
            onBack={() => setOpen(null)}
            send={send}
            onDone={(after) => {
              setOpen(after);
              void reload();
            }}
          />
        ) : tab === 'tasks' ? (
          <>
            <h2 className="phone__section">{t('worker.tasks', { n: mine.length })}</h2>
            <TaskList cases={mine} now={now} onOpen={openCase} testId="my-tasks" />
            <h2 className="phone__section">{t('worker.gridCases', { n: others.length })}</h2>
            <TaskList cases={others} now={now} onOpen={openCase} testId="grid-cases" />
          </>
        ) : tab === 'map' ? (
          <CaseMap
            points={points}
            grids={myGrids}
            onPointClick={(id) => void openCase(id)}
            className="case-map case-map--phone"
          />
        ) : (
          <PatrolForm grids={myGrids} send={report} onDone={() => void reload()} />
        )}
      </main>
      <nav className="phone__tabs">
        {(['tasks', 'map', 'patrol'] as const).map((id) => (
          <button
            key={id}
            type="button"
            data-tab={id}
            className={tab === id && !open ? 'is-active' : ''}
            onClick={() => {
              setOpen(null);
              setTab(id);
            }}
          >
            {id === 'tasks' ? t('worker.title') : id === 'map' ? t('worker.showMap') : t('worker.patrol')}
          </button>
        ))}
      </nav>
    </div>
  );
}

function TaskList(props: { cases: CaseView[]; now: number; onOpen: (id: string) => void; testId: string }) {
  const { t } = useI18n();
  if (props.cases.length === 0) return <p className="muted">{t('case.none')}</p>;
  return (
    <ul className="tasks" data-testid={props.testId}>
      {props.cases.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            className="task"
            data-case={c.code}
            data-state={c.state}
            onClick={() => props.onOpen(c.id)}
          >
            <span className="task__title">{c.title}</span>
            <span className="chip">{t(`caseState.${c.state}`)}</span>
            <span className="task__meta muted">{c.code}</span>
            <SlaBadge c={c} now={props.now} />
          </button>
        </li>
      ))}
    </ul>
  );
}

function TaskDetail(props: {
  detail: CaseDetailView;
  grids: GridView[];
  now: number;
  onBack: () => void;
  send: (id: string, input: CaseActionInput) => Promise<CaseDetailView | null>;
  onDone: (after: CaseDetailView) => void;
}) {
  const { t } = useI18n();
  const c = props.detail;
  const [photos, setPhotos] = useState<UploadView[]>([]);
  // The handle action carries the uploaded photos' references (`upload:<sha256>`).
  const send = (id: string, input: CaseActionInput) =>
    props.send(id, input.action === 'handle' && photos.length ? { ...input, photos: photos.map((p) => p.id) } : input);
  const points = useMemo(
    () => (c.location ? [{ id: c.id, lngLat: c.location, light: c.sla.light }] : []),
    [c.id, c.location, c.sla.light],
  );
  return (
    <article className="task-detail" data-case={c.code} data-state={c.state}>
      <button type="button" className="link-button" onClick={props.onBack}>
        ← {t('worker.back')}
      </button>
      <h2>
        {c.title} <span className="chip">{t(`caseState.${c.state}`)}</span>
      </h2>
      <SlaBadge c={c} now={props.now} />
      <p className="muted">{[c.code, c.address].filter(Boolean).join(' · ')}</p>
      {c.description && <p>{c.description}</p>}
      <CaseMap key={c.id} points={points} grids={props.grids} selectedId={c.id} className="case-map case-map--small" />
      <ActionPanel
        key={`${c.id}:${c.updatedAt}`}
        detail={c}
        offered={['accept', 'handle', 'return', 'requestExtension']}
        send={send}
        onDone={(after) => {
          setPhotos([]);
          props.onDone(after);
        }}
        extra={{ handle: <PhotoPicker photos={photos} onChange={setPhotos} label={t('photo.handling')} /> }}
      />
      <h3>{t('case.timeline')}</h3>
      <CaseTimeline steps={c.timeline} />
    </article>
  );
}
