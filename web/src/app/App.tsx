// The session gate: the login form, or the workspace of the logged-in user.
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiClient } from "../api/client";
import { loadSession, storeSession, type Session } from "../api/session";
import { Login } from "./Login";
import { Workspace } from "./Workspace";

export function App() {
  const [session, setSession] = useState<Session | null>(() =>
    loadSession(sessionStorage, Date.now() / 1000),
  );
  const [expired, setExpired] = useState(false);
  const client = useMemo(() => (session ? new ApiClient(session.token) : null), [session]);

  const login = useCallback((s: Session) => {
    storeSession(sessionStorage, s);
    setExpired(false);
    setSession(s);
  }, []);

  const logout = useCallback(() => {
    storeSession(sessionStorage, null);
    setSession(null);
  }, []);

  useEffect(
    () =>
      client?.onUnauthenticated(() => {
        setExpired(true);
        logout();
      }),
    [client, logout],
  );

  if (!session || !client) {
    return (
      <Login
        onLogin={login}
        notice={
          expired
            ? "Your session ended; log in again. Unsent edits are kept and sent after you log in."
            : null
        }
      />
    );
  }
  return (
    <Workspace
      key={session.token}
      client={client}
      session={session}
      onLogout={() => {
        client.logout().catch(() => undefined);
        logout();
      }}
    />
  );
}
