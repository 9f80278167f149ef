import { mayOpen } from '../../app/routes.ts';
import { useSession } from '../../app/session.tsx';
import { AppHeader } from '../../components/layout/AppHeader.tsx';
import { Link } from '../../components/layout/Link.tsx';
import { useI18n } from '../../i18n/index.tsx';

const titles = { console: 'nav.console', worker: 'nav.worker', report: 'nav.report' } as const;

/**
 * Routing scaffolding for the dispatch console, the grid worker app and the resident portal:
 * they need the case API (issue 6 depends on "The closed loop"), so for now the page says so.
 * Not a finished screen.
 */
export function PendingScreen({ id }: { id: keyof typeof titles }) {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <div className="page">
      <AppHeader />
      <main className="page__body" data-screen={id}>
        <h1>{t(titles[id])}</h1>
        <p className="notice">{t('pending.body')}</p>
        <p className="muted">{t('pending.detail')}</p>
        {me && mayOpen(me.role, 'screen') && <Link to="/screen">{t('pending.toScreen')}</Link>}
      </main>
    </div>
  );
}
