import type { DeviceView } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { isMessageKey } from '../../i18n/translate.ts';
import type { CompoundSummary } from './twin-model.ts';

const listed = 60;

/** The panel of a compound clicked on the map: its figures and its devices (those on its buildings included). */
export function CompoundPanel({
  compound,
  devices,
  onClose,
}: {
  compound: CompoundSummary | null;
  devices: DeviceView[];
  onClose: () => void;
}) {
  const { t, num } = useI18n();
  if (!compound) {
    return (
      <section className="panel compound-panel">
        <h2 className="panel__title">{t('screen.panel.title')}</h2>
        <p className="muted">{t('screen.panel.hint')}</p>
      </section>
    );
  }
  const f = compound.facts;
  const kind = (d: DeviceView) => {
    const key = `deviceKind.${d.kind}`;
    return isMessageKey(key) ? t(key) : d.kindLabel;
  };
  return (
    <section className="panel compound-panel" data-compound={compound.id}>
      <header className="panel__header">
        <h2 className="panel__title">{compound.name}</h2>
        <button type="button" className="link-button" onClick={onClose}>
          {t('common.close')}
        </button>
      </header>
      <dl className="facts">
        <dt>{t('screen.panel.community')}</dt>
        <dd>{compound.communityName ?? t('common.none')}</dd>
        {compound.type && (
          <>
            <dt>{t('screen.panel.type')}</dt>
            <dd>{compound.type}</dd>
          </>
        )}
        <dt>{t('screen.panel.population')}</dt>
        <dd>{num(compound.population)}</dd>
        <dt>{t('screen.panel.households')}</dt>
        <dd>{num(compound.households)}</dd>
        <dt>{t('screen.panel.buildings')}</dt>
        <dd>{num(compound.buildings)}</dd>
        {f.openCases !== undefined && (
          <>
            <dt>{t('screen.panel.openAlarms')}</dt>
            <dd>{num(f.openAlarms ?? 0)}</dd>
            <dt>{t('screen.panel.openCases')}</dt>
            <dd>{num(f.openCases)}</dd>
            <dt>{t('screen.panel.overdueCases')}</dt>
            <dd>{num(f.overdueCases ?? 0)}</dd>
          </>
        )}
      </dl>
      <h3 className="panel__subtitle">{t('screen.panel.devices', { n: num(f.devices) })}</h3>
      <p className="status-counts">
        <span className="status status--online">
          {t('device.status.online')} {num(f.online)}
        </span>
        <span className="status status--offline">
          {t('device.status.offline')} {num(f.offline)}
        </span>
        <span className="status status--unknown">
          {t('device.status.unknown')} {num(f.unknown)}
        </span>
      </p>
      {devices.length === 0 ? (
        <p className="muted">{t('screen.panel.noDevices')}</p>
      ) : (
        <ul className="device-list">
          {devices.slice(0, listed).map((d) => (
            <li key={d.id}>
              <span className={`dot dot--${d.status}`} aria-hidden="true" />
              <span className="device-list__name">{d.name}</span>
              <span className="device-list__kind">{kind(d)}</span>
            </li>
          ))}
        </ul>
      )}
      {devices.length > listed && (
        <p className="muted">{t('screen.panel.moreDevices', { n: devices.length - listed })}</p>
      )}
    </section>
  );
}
