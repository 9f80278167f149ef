import { useCallback, useMemo, useState } from 'react';
import { type LiveEvent, useLiveFeed, useThrottledTick } from '../../api/live.ts';
import { useWebConfig } from '../../api/use-web-config.ts';
import { useSession } from '../../app/session.tsx';
import { useScopeChannels } from '../../components/cases/use-scope-channels.ts';
import { UserMenu } from '../../components/layout/UserMenu.tsx';
import { DistrictMap } from '../../components/map/DistrictMap.tsx';
import type { StateColours } from '../../components/map/twin-layers.ts';
import { useI18n } from '../../i18n/index.tsx';
import '../../styles/bigscreen.css';
import { CaseTrendChart, OnTimeChart } from './CaseCharts.tsx';
import { CompoundPanel } from './CompoundPanel.tsx';
import { type CompoundStateRule, closedLoopRule, compoundStateColours, compoundStates } from './compound-state.ts';
import { KpiTiles } from './KpiTiles.tsx';
import { AlarmFeedSlot, CaseKpiSlot } from './LiveSlots.tsx';
import { DeviceKindChart } from './TwinCharts.tsx';
import { useLoopCounts } from './use-loop-counts.ts';
import { useTwinQuery } from './use-twin-query.ts';

// Compounds are coloured by the closed loop (issue 6: overdue cases → alert; open alarms or cases →
// attention), falling back to their devices' offline share; see compound-state.ts.
const stateRule: CompoundStateRule = closedLoopRule;
const stateColours: StateColours = { byState: compoundStateColours, otherwise: compoundStateColours.unknown };

/** 大屏: the district for a 1920×1080 wall display — map, KPI tiles, charts, a compound's panel. */
export default function BigScreen() {
  const { t } = useI18n();
  const { me } = useSession();
  const config = useWebConfig();
  const [reload, setReload] = useState(0);
  const [caseTick, bumpCases] = useThrottledTick(5000);
  const [alarmTick, bumpAlarms] = useThrottledTick(2000);
  const loop = useLoopCounts(alarmTick + caseTick);
  const query = useTwinQuery(stateRule, reload, loop);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const onCompoundClick = useCallback((id: string) => setSelectedId(id), []);
  // The live feed nudges the alarm feed, the case KPIs and the map's loop counts to re-fetch
  // (alarms at most every 2 s, cases every 5 s).
  const onLive = useCallback(
    (e: LiveEvent) => {
      if (e.type === 'alarm.raised' || e.type === 'alarm.cleared') bumpAlarms();
      else if (e.type === 'case.created' || e.type === 'case.updated') bumpCases();
    },
    [bumpAlarms, bumpCases],
  );
  const onResync = useCallback(() => {
    bumpAlarms();
    bumpCases();
  }, [bumpAlarms, bumpCases]);
  useLiveFeed(useScopeChannels(me), onLive, onResync);

  const model = query.status === 'ready' ? query.model : null;
  const scopeName = useMemo(() => {
    if (query.status !== 'ready' || !me?.scope.placeId) return null;
    return query.places.find((p) => p.id === me.scope.placeId)?.name ?? null;
  }, [query, me]);
  const selected = model && selectedId ? (model.compounds.get(selectedId) ?? null) : null;

  return (
    <div className="bigscreen" data-testid="bigscreen">
      <header className="bigscreen__header">
        <h1 className="bigscreen__title">
          {scopeName ? t('screen.title', { place: scopeName }) : t('screen.titleAll')}
        </h1>
        <UserMenu />
      </header>

      <aside className="bigscreen__left">
        {model && <KpiTiles kpis={model.kpis} />}
        {model && (
          <section className="panel panel--chart">
            <h2 className="panel__title">{t('screen.chart.devicesByKind')}</h2>
            <DeviceKindChart model={model} />
          </section>
        )}
        {/* The case trends took the residents chart's place: 1080 px hold three charts under the tiles. */}
        <CaseTrendChart refreshKey={caseTick} />
        <OnTimeChart refreshKey={caseTick} />
      </aside>

      <main className="bigscreen__map">
        {config && (
          <DistrictMap
            className="district-map"
            layers={model?.layers ?? null}
            bounds={model?.bounds ?? null}
            basemapStyleUrl={config.basemapStyleUrl}
            stateColours={stateColours}
            selectedCompoundId={selectedId}
            onCompoundClick={onCompoundClick}
          />
        )}
        {query.status === 'loading' && <div className="map-overlay">{t('screen.map.loading')}</div>}
        {query.status === 'error' && (
          <div className="map-overlay map-overlay--error" role="alert">
            {t('common.loadFailed', { message: query.message })}{' '}
            <button type="button" className="button" onClick={() => setReload((n) => n + 1)}>
              {t('common.retry')}
            </button>
          </div>
        )}
        <div className="legend">
          <div className="legend__title">{t('screen.map.legendTitle')}</div>
          {compoundStates.map((s) => (
            <div key={s} className="legend__row">
              <span className="legend__swatch" style={{ background: compoundStateColours[s] }} />
              {t(`screen.state.${s}`)}
            </div>
          ))}
          <div className="legend__row">
            <span className="legend__swatch legend__swatch--cluster" />
            {t('screen.map.legendDevices')}
          </div>
        </div>
      </main>

      <aside className="bigscreen__right">
        <CaseKpiSlot refreshKey={caseTick} />
        <AlarmFeedSlot refreshKey={alarmTick} />
        <CompoundPanel
          compound={selected}
          devices={selected && model ? (model.devicesByCompound.get(selected.id) ?? []) : []}
          onClose={() => setSelectedId(null)}
        />
      </aside>
    </div>
  );
}
