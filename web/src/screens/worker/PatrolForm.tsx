import type { CaseDetailView, ReportInput } from '../../api/cases.ts';
import type { GridView } from '../../api/types.ts';
import { type ReportExtras, ReportForm } from '../../components/cases/ReportForm.tsx';
import { useI18n } from '../../i18n/index.tsx';

/**
 * A problem found on patrol (巡查上报), with photos, optionally fixed on the spot (自行处置:
 * `selfHandle` right after the report, which the workflow allows the reporting worker). `send`
 * is the worker app's: it sends now, or queues the report offline under an idempotency key.
 */
export function PatrolForm(props: {
  grids: readonly GridView[];
  send: (input: ReportInput, extras: ReportExtras) => Promise<CaseDetailView | null>;
  onDone: () => void;
}) {
  const { t } = useI18n();
  return (
    <section>
      <h2 className="phone__section">{t('worker.patrolTitle')}</h2>
      <ReportForm
        grids={props.grids}
        submitLabel={t('worker.patrolSubmit')}
        photoLabel={t('photo.patrol')}
        allowSelfHandle
        send={props.send}
        onDone={props.onDone}
      />
    </section>
  );
}
