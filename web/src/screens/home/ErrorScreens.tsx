import { useSession } from '../../app/session.tsx';
import { AppHeader } from '../../components/layout/AppHeader.tsx';
import { Link } from '../../components/layout/Link.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** A screen the user's role may not open (the API would refuse its data too). */
export function ForbiddenScreen() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <div className="page">
      <AppHeader />
      <main className="page__body">
        <h1>{t('forbidden.title')}</h1>
        <p>{t('forbidden.body', { role: me ? t(`role.${me.role}`) : '' })}</p>
        <Link to="/">{t('notFound.back')}</Link>
      </main>
    </div>
  );
}

/** A path the app does not know. */
export function NotFoundScreen() {
  const { t } = useI18n();
  return (
    <div className="page">
      <AppHeader />
      <main className="page__body">
        <h1>{t('notFound.title')}</h1>
        <Link to="/">{t('notFound.back')}</Link>
      </main>
    </div>
  );
}
