import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, setCsrfToken } from '../api/client.ts';
import type { Me } from '../api/types.ts';

/** The signed-in user: `undefined` while asking the server, `null` when signed out. */
export type Session = {
  me: Me | null | undefined;
  /** Signs in; resolves to the user or rejects with the API's problem (401, 429 …). */
  login: (username: string, password: string) => Promise<Me>;
  logout: () => Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

/** Asks `GET /api/me` once; keeps the CSRF token for writes. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    let live = true;
    api<Me>('/api/me')
      .then((who) => {
        setCsrfToken(who.csrfToken);
        if (live) setMe(who);
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) console.error(err);
        if (live) setMe(null);
      });
    return () => {
      live = false;
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const who = await api<Me>('/api/auth/login', { method: 'POST', body: { username, password } });
    setCsrfToken(who.csrfToken);
    setMe(who);
    return who;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } catch (err) {
      // an expired session is signed out already
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    setCsrfToken(undefined);
    setMe(null);
  }, []);

  const value = useMemo(() => ({ me, login, logout }), [me, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session of the app. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}
