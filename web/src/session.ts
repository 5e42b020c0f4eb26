/** The signed-in user as the page sees it, and how any part of the page ends a session the API refused. */
import { createContext, useContext } from "react";

export interface SessionState {
  email: string;
  /** Called when the API answers 401: the session is over, the user has to sign in again. */
  expireSession(): void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside <SessionContext>");
  return session;
}
