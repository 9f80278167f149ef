import { mayOpen, screenRoutes, serverPages } from '../../app/routes.ts';
import { useSession } from '../../app/session.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { Link } from './Link.tsx';
import { UserMenu } from './UserMenu.tsx';

/** The header of the ordinary (non-wall) pages: the app's name, what the user may open, the user. */
export function AppHeader() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <header className="app-header">
      <Link to="/" className="app-header__brand">
        {t('app.name')}
      </Link>
      <nav className="app-header__nav">
        {me &&
          screenRoutes
            .filter((r) => mayOpen(me.role, r.id))
            .map((r) => (
              <Link key={r.id} to={r.path}>
                {t(r.label)}
              </Link>
            ))}
        {me && (me.role === 'regulator' || me.role === 'admin') && <a href={serverPages.trace}>{t('nav.trace')}</a>}
      </nav>
      <UserMenu />
    </header>
  );
}
