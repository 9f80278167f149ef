import { useI18n } from '../../i18n/index.tsx';
import type { TwinKpis } from './twin-model.ts';

function Tile({ id, label, value, detail }: { id: string; label: string; value: string; detail?: string }) {
  return (
    <div className="kpi" data-kpi={id}>
      <div className="kpi__label">{label}</div>
      <div className="kpi__value">{value}</div>
      {detail && <div className="kpi__detail">{detail}</div>}
    </div>
  );
}

/**
 * The KPI tiles the twin's API can fill today: devices, online share, compounds, residents (the
 * compounds' `population` attribute), grids. Case KPIs come from the case API (CaseKpiSlot).
 */
export function KpiTiles({ kpis }: { kpis: TwinKpis }) {
  const { t, num } = useI18n();
  return (
    <section className="kpis" aria-label="KPI">
      <Tile id="devices" label={t('screen.kpi.devices')} value={num(kpis.devices)} />
      <Tile id="compounds" label={t('screen.kpi.compounds')} value={num(kpis.compounds)} />
      <Tile
        id="online"
        label={t('screen.kpi.online')}
        value={kpis.onlineShare === null ? '—' : `${num(kpis.onlineShare * 100, 1)}%`}
        detail={t('screen.kpi.onlineDetail', {
          online: num(kpis.online),
          offline: num(kpis.offline),
          unknown: num(kpis.unknown),
        })}
      />
      <Tile
        id="residents"
        label={t('screen.kpi.residents')}
        value={num(kpis.residents)}
        detail={t('screen.kpi.residentsDetail', { households: num(kpis.households) })}
      />
      <Tile
        id="grids"
        label={t('screen.kpi.grids')}
        value={num(kpis.grids)}
        detail={t('screen.kpi.gridsDetail', { communities: num(kpis.communities) })}
      />
    </section>
  );
}
