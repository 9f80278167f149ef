import type { LiveStatus } from '../../api/live.ts';
import { useI18n } from '../../i18n/index.tsx';

/** The live feed's state: a dot and a word. */
export function LiveDot({ status }: { status: LiveStatus }) {
  const { t } = useI18n();
  return (
    <span className={`live-dot live-dot--${status}`} data-live={status}>
      {t(`live.${status}`)}
    </span>
  );
}
