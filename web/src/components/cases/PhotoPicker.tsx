import { type ChangeEvent, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { photoProblem, type UploadView, uploadPhoto } from '../../api/uploads.ts';
import { useI18n } from '../../i18n/index.tsx';

/**
 * Photos for a case (issue 6): a worker's before/after photos of a handling, a resident's or a
 * patrol's photo of the problem — the phone's camera or a chosen image. Each file is checked
 * (type, size) and uploaded as soon as it is picked, so the report or action only carries the
 * `upload:<sha256>` references: uploading needs the network, a queued action does not.
 */
export function PhotoPicker({
  photos,
  onChange,
  label,
}: {
  photos: readonly UploadView[];
  onChange: (photos: UploadView[]) => void;
  /** What the photos are for (the field's label). */
  label: string;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    const problems: string[] = [];
    const added: UploadView[] = [];
    setBusy(true);
    setMessage(null);
    for (const file of files) {
      const problem = photoProblem(file);
      if (problem) {
        problems.push(t(problem === 'type' ? 'photo.wrongType' : 'photo.tooBig', { name: file.name }));
        continue;
      }
      try {
        added.push(await uploadPhoto(file));
      } catch (err) {
        problems.push(t('photo.failed', { message: err instanceof ApiError ? err.message : String(err) }));
      }
    }
    setBusy(false);
    setMessage(problems.length ? problems.join(' ') : null);
    const known = new Set(photos.map((p) => p.id));
    onChange([...photos, ...added.filter((p) => !known.has(p.id))]);
  };

  return (
    <div className="field photo-picker">
      <span>{label}</span>
      {/* The browser's own file button speaks the browser's language; this one speaks the app's. */}
      <label className="button photo-picker__choose">
        {t('photo.choose')}
        <input
          type="file"
          name="photos"
          accept="image/*"
          capture="environment"
          multiple
          disabled={busy}
          onChange={(e) => void pick(e)}
        />
      </label>
      {photos.length > 0 && (
        <span className="photos">
          {photos.map((p) => (
            <button
              key={p.id}
              type="button"
              className="link-button"
              title={t('photo.remove')}
              onClick={() => onChange(photos.filter((x) => x.id !== p.id))}
            >
              <img src={p.url} alt={t('photo.remove')} className="photos__img" />
            </button>
          ))}
        </span>
      )}
      {busy && <p className="muted small">{t('photo.uploading')}</p>}
      {message && (
        <p className="muted small" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}
