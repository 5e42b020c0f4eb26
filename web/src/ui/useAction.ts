/**
 * Runs one API call for a component: tracks whether it is pending, keeps its ApiError for display, and hands a
 * 401 to the session (signed out with a notice) instead of showing it where the user clicked.
 */
import { ApiError } from "@twilio-sip/client";
import { useCallback, useState } from "react";
import { useSession } from "../session.ts";

export function useAction<Args extends unknown[], Result>(action: (...args: Args) => Promise<Result>) {
  const { expireSession } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const run = useCallback(
    async (...args: Args): Promise<Result | undefined> => {
      setPending(true);
      setError(null);
      try {
        return await action(...args);
      } catch (caught) {
        const apiError = caught instanceof ApiError
          ? caught
          : new ApiError(0, "unexpected_error", (caught as Error)?.message ?? String(caught));
        if (apiError.isSessionExpired) expireSession();
        else setError(apiError);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [action, expireSession],
  );

  return { run, pending, error, setError };
}
