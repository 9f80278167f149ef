import type { CaseDetailView } from '../../api/cases.ts';
import { uploadUrl } from '../../api/uploads.ts';
import { useI18n } from '../../i18n/index.tsx';
import { label, when } from './case-format.ts';

/** A case's timeline: every step (each is also an audit record), oldest first, with photo references. */
export function CaseTimeline({ steps }: { steps: CaseDetailView['timeline'] }) {
  const { t, locale } = useI18n();
  return (
    <ol className="timeline" data-testid="timeline">
      {steps.map((s) => (
        <li key={s.seq} className="timeline__step" data-action={s.action}>
          <span className="timeline__when">{when(s.at, locale)}</span>
          <span className="timeline__what">
            <b>{label(t, 'caseAction', s.action)}</b>
            {s.toState && s.toState !== s.fromState && ` → ${label(t, 'caseState', s.toState)}`}
            <span className="muted"> · {s.actor.name ?? s.actor.id.slice(0, 8)}</span>
          </span>
          {s.note && <span className="timeline__note">{s.note}</span>}
          {s.photos.length > 0 && <PhotoList photos={s.photos} />}
        </li>
      ))}
    </ol>
  );
}

/**
 * Photo references of a step. Uploaded photos (`upload:<sha256>`, `POST /api/uploads`) and
 * same-origin URLs are shown as images; other references (`demo:…`, a camera's snapshot id) are
 * listed as text — nothing is fetched from outside the app.
 */
export function PhotoList({ photos }: { photos: readonly string[] }) {
  return (
    <span className="photos">
      {photos.map((p) => {
        const src = uploadUrl(p) ?? (p.startsWith('/') && !p.startsWith('//') ? p : undefined);
        return src ? (
          <a key={p} href={src} target="_blank" rel="noreferrer">
            <img src={src} alt="" className="photos__img" data-photo={p} />
          </a>
        ) : (
          <code key={p} className="photos__ref">
            {p}
          </code>
        );
      })}
    </span>
  );
}
