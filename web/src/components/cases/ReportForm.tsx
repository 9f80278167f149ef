import { type FormEvent, type ReactNode, useEffect, useMemo, useState } from 'react';
import { type CaseCategory, type CaseDetailView, caseCategories, reportCase } from '../../api/cases.ts';
import { ApiError } from '../../api/client.ts';
import type { GridView } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { CaseMap } from './CaseMap.tsx';

/** Props of the report form (resident portal, worker patrol). */
export type ReportFormProps = {
  grids: readonly GridView[];
  submitLabel: string;
  /** Called with the new case; may take a further action (自行处置) before the form resets. */
  onReported: (created: CaseDetailView, options: { selfHandle: boolean; note: string }) => Promise<void> | void;
  /** Offer "fixed on the spot" (grid workers). */
  allowSelfHandle?: boolean;
  children?: ReactNode;
};

/**
 * A problem report (上报): category, description, a location clicked on the map or an address.
 * `POST /api/cases` needs a place or a point and keeps an address as text only (it geocodes nothing),
 * so the form always asks for the point; the address helps the person sent there.
 */
export function ReportForm(props: ReportFormProps) {
  const { t, locale } = useI18n();
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  const [category, setCategory] = useState('');
  const [description, setDescription] = useState('');
  const [address, setAddress] = useState('');
  const [picked, setPicked] = useState<[number, number] | null>(null);
  const [selfHandle, setSelfHandle] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void caseCategories().then(setCategories, () => setCategories([]));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!picked) {
      setMessage(t('report.needLocation'));
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const created = await reportCase({
        category,
        description: description.trim(),
        location: picked,
        ...(address.trim() ? { address: address.trim() } : {}),
      });
      await props.onReported(created, { selfHandle, note: description.trim() });
      setMessage(t('report.submitted', { code: created.code }));
      setDescription('');
      setAddress('');
      setPicked(null);
      setSelfHandle(false);
    } catch (err) {
      setMessage(t('case.actionFailed', { message: err instanceof ApiError ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  const noPoints = useMemo(() => [], []);
  return (
    <form className="report-form" onSubmit={(e) => void submit(e)}>
      <label>
        {t('report.category')}
        <select name="category" value={category} onChange={(e) => setCategory(e.target.value)} required>
          <option value="">{t('report.chooseCategory')}</option>
          {categories.map((c) => (
            <option key={c.code} value={c.code}>
              {locale === 'en' ? c.nameEn : c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('report.description')}
        <textarea name="description" value={description} onChange={(e) => setDescription(e.target.value)} required />
      </label>
      <span className="report-form__label">{t('report.location')}</span>
      <CaseMap
        points={noPoints}
        grids={props.grids}
        picked={picked}
        onPick={setPicked}
        className="case-map case-map--pick"
      />
      {picked && (
        <span className="muted small" data-testid="picked">
          {picked[0].toFixed(5)}, {picked[1].toFixed(5)}
        </span>
      )}
      <label>
        {t('report.address')}
        <input name="address" value={address} onChange={(e) => setAddress(e.target.value)} />
      </label>
      {props.allowSelfHandle && (
        <label className="check">
          <input
            type="checkbox"
            name="selfHandle"
            checked={selfHandle}
            onChange={(e) => setSelfHandle(e.target.checked)}
          />
          {t('worker.patrolSelf')}
        </label>
      )}
      {props.children}
      <button type="submit" className="button button--primary" disabled={busy}>
        {props.submitLabel}
      </button>
      {message && (
        <p className="actions__message" role="status">
          {message}
        </p>
      )}
    </form>
  );
}
