import type { Role } from '../api/types.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';

/** The app's own screens (the server sends index.html for these paths: src/web/routes.ts `spaPaths`). */
export type ScreenId = 'login' | 'screen' | 'console' | 'worker' | 'report' | 'home';

/** A screen: its path, who may open it, and its name in the navigation. */
export type ScreenRoute = { id: ScreenId; path: string; roles: readonly Role[] | 'everyone'; label: MessageKey };

/** Staff who act on the district's devices and cases (they may read devices: src/twin/policy.ts). */
const staff: readonly Role[] = ['admin', 'leader', 'dispatcher', 'worker', 'handler', 'regulator'];

/** Every screen, in navigation order. */
export const screenRoutes: readonly ScreenRoute[] = [
  { id: 'screen', path: '/screen', roles: staff, label: 'nav.screen' },
  { id: 'console', path: '/console', roles: ['admin', 'dispatcher'], label: 'nav.console' },
  { id: 'worker', path: '/worker', roles: ['worker', 'handler'], label: 'nav.worker' },
  { id: 'report', path: '/report', roles: ['resident', 'admin'], label: 'nav.report' },
  { id: 'home', path: '/home', roles: 'everyone', label: 'nav.home' },
];

/** Server-rendered pages some roles land on (another module serves them; the app links there). */
export const serverPages = { trace: '/trace' } as const;

/** Where each role lands after signing in (issue 6: leader → big screen, dispatcher → console …). */
export function landingPathOf(role: Role): string {
  switch (role) {
    case 'leader':
      return '/screen';
    case 'dispatcher':
    case 'admin':
      return '/console';
    case 'worker':
      return '/worker';
    case 'resident':
      return '/report';
    case 'regulator':
      return serverPages.trace;
    default:
      return '/home';
  }
}

/** The screen a path shows, or null for an unknown path. */
export function screenOf(pathname: string): ScreenId | null {
  const clean = pathname.replace(/\/+$/, '') || '/';
  if (clean === '/login') return 'login';
  const route = screenRoutes.find((r) => clean === r.path || clean.startsWith(`${r.path}/`));
  return route?.id ?? null;
}

/** Whether a role may open a screen (the API still filters every answer by the user's scope). */
export function mayOpen(role: Role, id: ScreenId): boolean {
  const route = screenRoutes.find((r) => r.id === id);
  if (!route) return id === 'login';
  return route.roles === 'everyone' || route.roles.includes(role);
}

/** A path inside the app to return to after signing in; anything else (other origins, `//x`) is refused. */
export function safeReturnPath(value: string | null): string | null {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  const id = screenOf(value.split(/[?#]/)[0] ?? '');
  return id && id !== 'login' ? value : null;
}
