import { actOnCase } from '../../api/cases.ts';
import type { GridView } from '../../api/types.ts';
import { ReportForm } from '../../components/cases/ReportForm.tsx';
import { useI18n } from '../../i18n/index.tsx';

/**
 * A problem found on patrol (巡查上报), optionally fixed on the spot (自行处置: `selfHandle` right
 * after the report, which the workflow allows the reporting worker). Needs the network: creating a
 * case has no idempotency key, so it is not queued offline (a retry could report it twice).
 */
export function PatrolForm({ grids, onDone }: { grids: readonly GridView[]; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <section>
      <h2 className="phone__section">{t('worker.patrolTitle')}</h2>
      <ReportForm
        grids={grids}
        submitLabel={t('worker.patrolSubmit')}
        allowSelfHandle
        onReported={async (created, { selfHandle, note }) => {
          if (selfHandle) await actOnCase(created.id, { action: 'selfHandle', ...(note ? { note } : {}) });
          onDone();
        }}
      >
        <p className="muted small">{t('worker.photoUnsupported')}</p>
      </ReportForm>
    </section>
  );
}
