import { useMemo } from 'react';
import type { CaseAction, CaseDetailView } from '../../api/cases.ts';
import type { GridView } from '../../api/types.ts';
import { ActionPanel } from '../../components/cases/ActionPanel.tsx';
import { CaseMap } from '../../components/cases/CaseMap.tsx';
import { CaseTimeline, PhotoList } from '../../components/cases/CaseTimeline.tsx';
import { label, when } from '../../components/cases/case-format.ts';
import { SlaBadge } from '../../components/cases/SlaBadge.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** Everything a dispatcher may do (docs/cases.md workflow); evaluate is the call-back 回访. */
const dispatcherActions: readonly CaseAction[] = [
  'register',
  'dispatch',
  'transfer',
  'grantExtension',
  'refuseExtension',
  'verify',
  'rework',
  'close',
  'evaluate',
  'void',
];

/** One case in the console: facts, SLA, small map, photos, the whole timeline and the actions. */
export function CaseDetailPane(props: {
  detail: CaseDetailView;
  grids: readonly GridView[];
  now: number;
  targets: readonly { id: string; name: string }[];
  onChanged: (after: CaseDetailView) => void;
}) {
  const { t, locale } = useI18n();
  const c = props.detail;
  const grid = props.grids.find((g) => g.id === c.gridId);
  const photos = c.timeline.flatMap((s) => s.photos);
  const points = useMemo(
    () => (c.location ? [{ id: c.id, lngLat: c.location, light: c.sla.light }] : []),
    [c.id, c.location, c.sla.light],
  );
  const gridsShown = useMemo(() => (grid ? [grid] : []), [grid]);
  return (
    <article className="case-detail" data-case={c.code} data-state={c.state}>
      <header className="case-detail__head">
        <h2>
          {c.title} <span className="chip">{t(`caseState.${c.state}`)}</span>
        </h2>
        <SlaBadge c={c} now={props.now} />
      </header>
      <dl className="facts">
        <dt>{t('case.code')}</dt>
        <dd>{c.code}</dd>
        <dt>{t('case.category')}</dt>
        <dd>{c.category.name}</dd>
        <dt>{t('case.source')}</dt>
        <dd>{label(t, 'caseSource', c.source)}</dd>
        <dt>{t('case.grid')}</dt>
        <dd>{grid?.name ?? '—'}</dd>
        <dt>{t('case.assignee')}</dt>
        <dd>{c.assignee?.name ?? '—'}</dd>
        <dt>{t('case.firstResponsible')}</dt>
        <dd>{c.firstResponsible?.name ?? '—'}</dd>
        <dt>{t('case.reporter')}</dt>
        <dd data-testid="reporter">
          {c.reporter ? [c.reporter.name, c.reporter.phone, c.reporter.email].filter(Boolean).join(' · ') || '—' : '—'}
        </dd>
        <dt>{t('case.reportedAt')}</dt>
        <dd>{when(c.createdAt, locale)}</dd>
        <dt>{t('case.deadline')}</dt>
        <dd>{when(c.deadlines?.handleBy, locale)}</dd>
        {c.address && (
          <>
            <dt>{t('case.address')}</dt>
            <dd>{c.address}</dd>
          </>
        )}
      </dl>
      {c.description && <p className="case-detail__desc">{c.description}</p>}
      {c.alarmCount > 0 && <p className="muted">{t('case.alarms', { n: c.alarmCount })}</p>}
      <div className="case-detail__cols">
        <section>
          <h3>{t('case.map')}</h3>
          <CaseMap
            key={c.id}
            points={points}
            grids={gridsShown}
            selectedId={c.id}
            className="case-map case-map--small"
          />
          <h3>{t('case.photos')}</h3>
          {photos.length ? <PhotoList photos={photos} /> : <p className="muted">{t('case.noPhotos')}</p>}
        </section>
        <section>
          <h3>{t('case.timeline')}</h3>
          <CaseTimeline steps={c.timeline} />
        </section>
      </div>
      <ActionPanel
        key={`${c.id}:${c.updatedAt}`}
        detail={c}
        offered={dispatcherActions}
        targets={props.targets}
        onDone={props.onChanged}
      />
    </article>
  );
}
