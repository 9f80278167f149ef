import { describe, expect, it } from 'vitest';
import { roles } from '../../../src/kernel/auth/roles.ts';
import { landingPathOf, mayOpen, safeReturnPath, screenOf } from './routes.ts';

describe('app routes', () => {
  it('lands each role on its own screen (issue 6)', () => {
    const landings = Object.fromEntries(roles.map((r) => [r, landingPathOf(r)]));
    expect(landings).toEqual({
      admin: '/console',
      leader: '/screen',
      dispatcher: '/console',
      worker: '/worker',
      handler: '/home',
      resident: '/report',
      regulator: '/trace',
      enterprise: '/home',
      organisation: '/home',
    });
  });

  it('lets every role open the screen it lands on', () => {
    for (const role of roles) {
      const id = screenOf(landingPathOf(role));
      if (id) expect(mayOpen(role, id), role).toBe(true);
    }
  });

  it('keeps the big screen to staff and the console to dispatchers and administrators', () => {
    expect(mayOpen('leader', 'screen')).toBe(true);
    expect(mayOpen('resident', 'screen')).toBe(false);
    expect(mayOpen('enterprise', 'screen')).toBe(false);
    expect(mayOpen('worker', 'console')).toBe(false);
    expect(mayOpen('dispatcher', 'console')).toBe(true);
  });

  it('maps paths and sub-paths to screens, and nothing else', () => {
    expect(screenOf('/screen')).toBe('screen');
    expect(screenOf('/screen/')).toBe('screen');
    expect(screenOf('/console/cases/7')).toBe('console');
    expect(screenOf('/login')).toBe('login');
    expect(screenOf('/screens')).toBeNull();
    expect(screenOf('/trace')).toBeNull();
    expect(screenOf('/')).toBeNull();
  });

  it('returns after sign-in only to a path of the app', () => {
    expect(safeReturnPath('/screen?x=1')).toBe('/screen?x=1');
    for (const bad of [
      null,
      '',
      'https://evil.example/',
      '//evil.example/screen',
      '/\\evil.example',
      '/login',
      '/api/me',
    ])
      expect(safeReturnPath(bad), String(bad)).toBeNull();
  });
});
