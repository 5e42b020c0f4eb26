// HTTP Basic auth with `AccountSid:AuthToken`, checked against the accounts this emulator knows.
import { TwilioError } from "./errors.ts";
import type { Account, Store } from "./store.ts";

function basicCredentials(header: string | null): [string, string] | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match) return null;
  try {
    const decoded = atob(match[1]);
    const colon = decoded.indexOf(":");
    return colon === -1 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  } catch {
    return null; // not base64
  }
}

/** 401 20003 for unknown or wrong credentials; 401 20005 for a valid login to a suspended account. */
export function authenticate(req: Request, store: Store): Account {
  const credentials = basicCredentials(req.headers.get("authorization"));
  const account = credentials && store.accounts.get(credentials[0]);
  if (!account || account.authToken !== credentials[1]) throw new TwilioError(401, 20003, "Authenticate");
  if (account.status !== "active") throw new TwilioError(401, 20005, "Account is not active");
  return account;
}
