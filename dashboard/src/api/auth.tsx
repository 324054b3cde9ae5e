// Who is logged in: the token from POST /api/v1/login, kept in sessionStorage
// (gone with the tab). A 401 on any later request means the token expired or
// was revoked: the session ends and the login page says why.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import {
  clearSession,
  loadSession,
  post,
  saveSession,
  setExpiredHandler,
  type Session,
} from './client';
import type { LoginResponse } from './types';

interface AuthState {
  session: Session | null;
  expired: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [expired, setExpired] = useState(false);
  const queryClient = useQueryClient();

  useEffect(() => {
    setExpiredHandler(() => {
      setSession(null);
      setExpired(true);
      queryClient.clear();
    });
  }, [queryClient]);

  // A token also ends at its expiry time, even with no request in flight.
  useEffect(() => {
    if (!session?.expiresAtMs) return;
    const ms = session.expiresAtMs - Date.now();
    const t = setTimeout(
      () => {
        clearSession();
        setSession(null);
        setExpired(true);
        queryClient.clear();
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
    return () => clearTimeout(t);
  }, [session, queryClient]);

  const login = useCallback(async (username: string, password: string) => {
    const r = await post<LoginResponse>('/api/v1/login', { username, password });
    const s = { token: r.token, username: r.username, expiresAtMs: r.expires_at_ms };
    saveSession(s);
    setExpired(false);
    setSession(s);
  }, []);

  const logout = useCallback(() => {
    clearSession();
    setSession(null);
    setExpired(false);
    queryClient.clear();
  }, [queryClient]);

  const value = useMemo(
    () => ({ session, expired, login, logout }),
    [session, expired, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
