import { type FormEvent, type ReactNode, useEffect, useMemo, useState } from 'react';
import { type CaseCategory, type CaseDetailView, caseCategories, type ReportInput } from '../../api/cases.ts';
import { ApiError } from '../../api/client.ts';
import type { GridView } from '../../api/types.ts';
import type { UploadView } from '../../api/uploads.ts';
import { useI18n } from '../../i18n/index.tsx';
import { CaseMap } from './CaseMap.tsx';
import { PhotoPicker } from './PhotoPicker.tsx';

/** What the form asks besides the report: fixed on the spot (grid workers), and its note. */
export type ReportExtras = { selfHandle: boolean; note: string };

/** Props of the report form (resident portal, worker patrol). */
export type ReportFormProps = {
  grids: readonly GridView[];
  submitLabel: string;
  /** Label of the photo field. */
  photoLabel: string;
  /**
   * Sends the report (and what follows it, such as 自行处置); resolves with the case, or null
   * when it was queued to be sent later (offline). Throws the API's refusal.
   */
  send: (input: ReportInput, extras: ReportExtras) => Promise<CaseDetailView | null>;
  /** Called once a report was sent (not when it was queued). */
  onDone?: () => void;
  /** Offer "fixed on the spot" (grid workers). */
  allowSelfHandle?: boolean;
  /** Ask for optional contact details (residents): never public, for the dispatcher's call-back. */
  askContact?: boolean;
  children?: ReactNode;
};

/**
 * A problem report (上报): category, description, photos, a location clicked on the map or an
 * address, and for residents optional contact details. `POST /api/cases` needs a place or a point
 * and keeps an address as text only (it geocodes nothing), so the form always asks for the point;
 * the address helps the person sent there.
 */
export function ReportForm(props: ReportFormProps) {
  const { t, locale } = useI18n();
  const [categories, setCategories] = useState<CaseCategory[]>([]);
  const [category, setCategory] = useState('');
  const [description, setDescription] = useState('');
  const [address, setAddress] = useState('');
  const [picked, setPicked] = useState<[number, number] | null>(null);
  const [photos, setPhotos] = useState<UploadView[]>([]);
  const [contact, setContact] = useState({ name: '', phone: '', email: '' });
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
    const trimmed = { name: contact.name.trim(), phone: contact.phone.trim(), email: contact.email.trim() };
    const input: ReportInput = {
      category,
      description: description.trim(),
      location: picked,
      photos: photos.map((p) => p.id),
      ...(address.trim() ? { address: address.trim() } : {}),
      ...(props.askContact && trimmed.name ? { reporterName: trimmed.name } : {}),
      ...(props.askContact && trimmed.phone ? { reporterPhone: trimmed.phone } : {}),
      ...(props.askContact && trimmed.email ? { reporterEmail: trimmed.email } : {}),
    };
    try {
      const created = await props.send(input, { selfHandle, note: description.trim() });
      setMessage(created ? t('report.submitted', { code: created.code }) : t('report.queued'));
      setDescription('');
      setAddress('');
      setPicked(null);
      setPhotos([]);
      setSelfHandle(false);
      // A queued report is not there to reload yet; the queue reloads once it has sent it.
      if (created) props.onDone?.();
    } catch (err) {
      setMessage(t('case.actionFailed', { message: err instanceof ApiError ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  const noPoints = useMemo(() => [], []);
  const setField = (field: keyof typeof contact) => (e: { target: { value: string } }) =>
    setContact((c) => ({ ...c, [field]: e.target.value }));
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
      <PhotoPicker photos={photos} onChange={setPhotos} label={props.photoLabel} />
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
      {props.askContact && (
        <fieldset className="report-form__contact" data-testid="contact">
          <legend>{t('report.contact')}</legend>
          <p className="muted small">{t('report.contactNote')}</p>
          <label>
            {t('report.contactName')}
            <input
              name="reporterName"
              maxLength={64}
              autoComplete="name"
              value={contact.name}
              onChange={setField('name')}
            />
          </label>
          <label>
            {t('report.contactPhone')}
            <input
              name="reporterPhone"
              type="tel"
              pattern="\+?[0-9 \-]{5,20}"
              title={t('report.contactPhoneHint')}
              autoComplete="tel"
              value={contact.phone}
              onChange={setField('phone')}
            />
          </label>
          <label>
            {t('report.contactEmail')}
            <input
              name="reporterEmail"
              type="email"
              maxLength={254}
              autoComplete="email"
              value={contact.email}
              onChange={setField('email')}
            />
          </label>
        </fieldset>
      )}
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
