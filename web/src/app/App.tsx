import { lazy, Suspense, useEffect } from 'react';
import { prefetchTwin } from '../api/twin-load.ts';
import { useI18n } from '../i18n/index.tsx';
import { ForbiddenScreen, NotFoundScreen } from '../screens/home/ErrorScreens.tsx';
import { HomeScreen } from '../screens/home/HomeScreen.tsx';
import { LoginScreen } from '../screens/login/LoginScreen.tsx';
import { leaveApp, navigate, usePathname } from './router.ts';
import { landingPathOf, mayOpen, safeReturnPath, screenOf } from './routes.ts';
import { useSession } from './session.tsx';

// The wall display carries MapLibre and ECharts: load it only for those who open it.
const BigScreen = lazy(() => import('../screens/bigscreen/BigScreen.tsx'));
const ConsoleScreen = lazy(() => import('../screens/console/ConsoleScreen.tsx'));
const WorkerScreen = lazy(() => import('../screens/worker/WorkerScreen.tsx'));
const ReportScreen = lazy(() => import('../screens/report/ReportScreen.tsx'));

/** Goes somewhere else once rendered (navigation is a side effect, not a render). */
function Redirect({ to }: { to: string }) {
  useEffect(() => {
    // A landing page outside the app (the regulator's /trace) is the server's: load it for real.
    if (screenOf(to.split('?')[0] ?? '') === null) leaveApp(to);
    else navigate(to, { replace: true });
  }, [to]);
  return null;
}

function Splash() {
  const { t } = useI18n();
  return <div className="splash">{t('common.loading')}</div>;
}

/** The app shell: who is signed in decides where they may go; each role lands on its own screen. */
export function App() {
  const { me } = useSession();
  const pathname = usePathname();
  const id = screenOf(pathname);
  const opensScreen = !!me && id === 'screen' && mayOpen(me.role, 'screen');

  // The big screen's data starts loading while its code (MapLibre, ECharts) is still on the way.
  useEffect(() => {
    if (opensScreen) prefetchTwin();
  }, [opensScreen]);

  if (me === undefined) return <Splash />;
  if (me === null) {
    if (id === 'login') return <LoginScreen />;
    const back = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + window.location.search)}`;
    return <Redirect to={`/login${back}`} />;
  }
  if (pathname === '/' || id === 'login') {
    const next = safeReturnPath(new URLSearchParams(window.location.search).get('next'));
    return (
      <Redirect
        to={next && mayOpen(me.role, screenOf(next.split('?')[0] ?? '') ?? 'home') ? next : landingPathOf(me.role)}
      />
    );
  }
  if (id === null) return <NotFoundScreen />;
  if (!mayOpen(me.role, id)) return <ForbiddenScreen />;
  switch (id) {
    case 'screen':
      return (
        <Suspense fallback={<Splash />}>
          <BigScreen />
        </Suspense>
      );
    case 'console':
      return (
        <Suspense fallback={<Splash />}>
          <ConsoleScreen />
        </Suspense>
      );
    case 'worker':
      return (
        <Suspense fallback={<Splash />}>
          <WorkerScreen />
        </Suspense>
      );
    case 'report':
      return (
        <Suspense fallback={<Splash />}>
          <ReportScreen />
        </Suspense>
      );
    case 'home':
      return <HomeScreen />;
  }
}
