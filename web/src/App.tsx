/** The page: signed out, the sign-in form; signed in, the user's Twilio connection and everything under it. */
import type { Session } from "@supabase/supabase-js";
import { useCallback, useEffect, useMemo, useState } from "react";
import { AuthPanel } from "./auth/AuthPanel.tsx";
import { Dashboard } from "./dashboard/Dashboard.tsx";
import { useServices } from "./services.ts";
import { SessionContext, type SessionState } from "./session.ts";

export function App() {
  const { supabase } = useServices();
  /** undefined while supabase-js restores a stored session. */
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    supabase.auth.getSession().then(({ data }) => setSession(data.session));
    const { data } = supabase.auth.onAuthStateChange((_event, next) => setSession(next));
    return () => data.subscription.unsubscribe();
  }, [supabase]);

  const expireSession = useCallback(() => {
    setNotice("Your session has ended. Sign in again.");
    // Local only: the server already refused the token, so there is nothing to revoke there.
    void supabase.auth.signOut({ scope: "local" });
  }, [supabase]);

  const sessionState = useMemo<SessionState | null>(
    () => (session ? { email: session.user.email ?? "", expireSession } : null),
    [session, expireSession],
  );

  return (
    <>
      <header className="topbar">
        <p className="brand">Twilio SIP trunk</p>
        {sessionState && (
          <div className="topbar-user">
            <span className="muted">Signed in as {sessionState.email}</span>
            <button type="button" className="button-secondary" onClick={() => supabase.auth.signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main className="page">
        {session === undefined
          ? <p role="status">Loading…</p>
          : sessionState
          ? (
            <SessionContext value={sessionState}>
              <Dashboard />
            </SessionContext>
          )
          : <AuthPanel notice={notice} onSignedIn={() => setNotice(null)} />}
      </main>
    </>
  );
}
