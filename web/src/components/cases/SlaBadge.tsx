import type { CaseView } from '../../api/cases.ts';
import { useI18n } from '../../i18n/index.tsx';
import { durationText, minutesLeft } from './case-format.ts';

/**
 * The SLA light (green/yellow/red, as the server decides it) and a countdown to the handling
 * deadline. `now` comes from the screen's ticking clock so every row counts down together.
 */
export function SlaBadge({ c, now }: { c: CaseView; now: number }) {
  const { t } = useI18n();
  const light = c.sla.light;
  const left = minutesLeft(c.deadlines?.handleBy, now);
  return (
    <span className={`sla sla--${light ?? 'none'}`} data-sla={light ?? 'none'}>
      <span className="sla__dot" aria-hidden="true" />
      {light && <span className="sla__label">{t(`sla.${light}`)}</span>}
      {light && left !== null && (
        <span className="sla__time">
          {left >= 0 ? t('sla.left', { time: durationText(t, left) }) : t('sla.over', { time: durationText(t, left) })}
        </span>
      )}
    </span>
  );
}
