import { mayOpen, screenRoutes, serverPages } from '../../app/routes.ts';
import { useSession } from '../../app/session.tsx';
import { AppHeader } from '../../components/layout/AppHeader.tsx';
import { Link } from '../../components/layout/Link.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** The landing page of roles without a screen of their own yet: who they are and what they may open. */
export function HomeScreen() {
  const { t } = useI18n();
  const { me } = useSession();
  if (!me) return null;
  const routes = screenRoutes.filter((r) => r.id !== 'home' && mayOpen(me.role, r.id));
  const trace = me.role === 'regulator' || me.role === 'enterprise' || me.role === 'admin';
  return (
    <div className="page">
      <AppHeader />
      <main className="page__body">
        <h1>{t('home.welcome', { name: me.displayName })}</h1>
        <p className="muted">{t('home.role', { role: t(`role.${me.role}`) })}</p>
        <h2>{t('home.screens')}</h2>
        {routes.length === 0 && !trace ? (
          <p>{t('home.noScreens')}</p>
        ) : (
          <ul className="tiles">
            {routes.map((r) => (
              <li key={r.id}>
                <Link to={r.path} className="tile-link">
                  {t(r.label)}
                </Link>
              </li>
            ))}
            {trace && (
              <li>
                <a href={serverPages.trace} className="tile-link">
                  {t('nav.trace')}
                </a>
              </li>
            )}
          </ul>
        )}
      </main>
    </div>
  );
}
