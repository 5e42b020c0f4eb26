// HTTP Basic auth with `AccountSid:AuthToken`, checked against the accounts this emulator knows.
import { TwilioError } from "./errors.ts";
import type { Region } from "./regions.ts";
import type { Account, Store } from "./store.ts";
import type { InactiveAccountAnswer } from "./switches.ts";

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

/**
 * 401 20003 for unknown or wrong credentials and for another region's credentials ("US1 credentials used
 * there fail with 20003"); a suspended or closed account gets the configured answer, 401 20003 by default
 * ("authentication failed … also a suspended or closed account", twilio-api-facts.md).
 */
export function authenticate(
  req: Request,
  store: Store,
  region: Region,
  inactive: InactiveAccountAnswer,
): Account {
  const credentials = basicCredentials(req.headers.get("authorization"));
  const account = credentials && store.accounts.get(credentials[0]);
  if (!account || account.authToken !== credentials[1] || account.region !== region) {
    throw new TwilioError(401, 20003, "Authenticate");
  }
  if (account.status !== "active") {
    throw new TwilioError(inactive.status, inactive.code, `Account ${account.sid} is ${account.status}`);
  }
  return account;
}
